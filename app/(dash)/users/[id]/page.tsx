import { notFound } from "next/navigation";
import Link from "next/link";
import { requirePageUser } from "@/lib/auth/session";
import { canManageUsers } from "@/lib/auth/permissions";
import { getUserById } from "@/lib/db/users";
import { countRecentFailuresByUsername } from "@/lib/db/sign-in-attempts";
import { listSessions } from "@/lib/inventory/sessions";
import { delayAfterFailures, SIGN_IN_DELAYS } from "@/lib/auth/rate-limit";
import { userIdSchema } from "@/lib/inventory/account-forms";
import { Card, PageHeader } from "@/components/ui";
import { ActionButton } from "@/components/action-button";
import { SessionTable } from "@/components/session-table";
import { RoleForm, ResetPasswordForm } from "./user-forms";
import { clearSignInDelayAction, deleteUserAction, endUserSessionsAction, setDisabledAction } from "../actions";

export const metadata = { title: "User" };

export default async function UserPage({ params }: { params: Promise<{ id: string }> }) {
  const me = await requirePageUser();
  if (!canManageUsers(me.role)) return <p role="alert">Only admins manage users.</p>;
  const id = userIdSchema.safeParse((await params).id);
  const user = id.success ? await getUserById(id.data) : null;
  if (!user) notFound();
  const [sessions, failures] = await Promise.all([listSessions(user.id), countRecentFailuresByUsername([user.username])]);
  const failed = failures.get(user.username)?.count ?? 0;
  const delaySeconds = delayAfterFailures(failed, SIGN_IN_DELAYS.account) / 1000;
  const self = me.id === user.id;
  return (
    <>
      <PageHeader
        title={user.username}
        subtitle={
          <>
            {user.role}
            {user.disabled ? " · disabled" : ""} ·{" "}
            <Link href="/users" className="text-blue-700 hover:underline">
              all users
            </Link>
          </>
        }
      />
      <div className="grid grid-cols-1 gap-6 lg:grid-cols-2">
        <Card title="Role">
          <RoleForm userId={user.id} role={user.role} />
        </Card>
        <Card title="Set a new password">
          {self ? (
            <p className="text-sm text-slate-600">
              Change your own password under{" "}
              <Link href="/settings" className="text-blue-700 hover:underline">
                Your account
              </Link>
              .
            </p>
          ) : (
            <ResetPasswordForm userId={user.id} />
          )}
        </Card>
        <Card title="Sessions">
          <SessionTable sessions={sessions} />
          <div className="mt-3">
            <ActionButton
              label="End all sessions"
              pendingLabel="Ending…"
              confirm={`End every session of ${user.username}?`}
              action={endUserSessionsAction.bind(null, user.id)}
            />
          </div>
        </Card>
        <Card title="Sign-in delay">
          <p className="mb-3 text-sm text-slate-700" data-testid="sign-in-failures">
            {failed} failed sign-in{failed === 1 ? "" : "s"} in the last 24 hours
            {delaySeconds > 0 ? `: clients that failed wait ${delaySeconds} s after the newest before trying again.` : "."}
          </p>
          <ActionButton label="Clear sign-in delay" pendingLabel="Clearing…" action={clearSignInDelayAction.bind(null, user.id)} />
        </Card>
        <Card title="Account">
          <div className="flex flex-wrap gap-4">
            {/* One button in one place, so its answer survives the switch between the two. */}
            {user.disabled ? (
              <ActionButton label="Re-enable" pendingLabel="Enabling…" action={setDisabledAction.bind(null, user.id, false)} />
            ) : (
              <ActionButton
                label="Disable"
                pendingLabel="Disabling…"
                danger
                confirm={`Disable ${user.username}? Their sessions end at once.`}
                action={setDisabledAction.bind(null, user.id, true)}
              />
            )}
            <ActionButton
              label="Delete user"
              pendingLabel="Deleting…"
              danger
              confirm={`Delete ${user.username}? This cannot be undone.`}
              action={deleteUserAction.bind(null, user.id)}
            />
          </div>
        </Card>
      </div>
    </>
  );
}
