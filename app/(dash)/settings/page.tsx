import { redirect } from "next/navigation";
import { getCurrentSession } from "@/lib/auth/session";
import { listSessions } from "@/lib/inventory/sessions";
import { getEnv } from "@/lib/config/env";
import { Card, PageHeader } from "@/components/ui";
import { ActionButton } from "@/components/action-button";
import { SessionTable } from "@/components/session-table";
import { ChangePasswordForm } from "./change-password-form";
import { endOtherSessionsAction, endSessionAction } from "./actions";

export const metadata = { title: "Your account" };

export default async function SettingsPage() {
  const current = await getCurrentSession();
  if (!current) redirect("/login");
  const sessions = await listSessions(current.user.id);
  const { sessionIdleMinutes, sessionTtlHours } = getEnv();
  return (
    <>
      <PageHeader title="Your account" subtitle={`${current.user.username} · ${current.user.role}`} />
      <div className="grid grid-cols-1 gap-6 lg:grid-cols-2">
        <Card title="Your sessions">
          <p className="mb-3 text-xs text-slate-500">
            A session ends after {sessionIdleMinutes} minutes without use, and {sessionTtlHours} hours after signing in at the latest.
          </p>
          <SessionTable
            sessions={sessions}
            currentId={current.session.id}
            endButton={(s) => <ActionButton label="End" pendingLabel="Ending…" action={endSessionAction.bind(null, s.id)} />}
          />
          {/* Always there, so its answer stays on screen once the other sessions are gone. */}
          <div className="mt-4">
            <ActionButton label="End all other sessions" pendingLabel="Ending…" action={endOtherSessionsAction} />
          </div>
        </Card>
        <Card title="Change your password">
          <ChangePasswordForm />
        </Card>
      </div>
    </>
  );
}
