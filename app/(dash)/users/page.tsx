import Link from "next/link";
import { requirePageUser } from "@/lib/auth/session";
import { canManageUsers } from "@/lib/auth/permissions";
import { listUsers } from "@/lib/db/users";
import { countActiveSessionsByUser } from "@/lib/db/sessions";
import { countRecentFailuresByUsername } from "@/lib/db/sign-in-attempts";
import { sessionIdleMs } from "@/lib/auth/issue-session";
import { Card, PageHeader, ScrollTable } from "@/components/ui";
import { AddUserForm } from "./add-user-form";

export const metadata = { title: "Users" };

export default async function UsersPage() {
  const user = await requirePageUser();
  if (!canManageUsers(user.role)) {
    return <p role="alert">Only admins manage users.</p>;
  }
  const users = await listUsers();
  const [sessions, failures] = await Promise.all([
    countActiveSessionsByUser(new Date(), sessionIdleMs()),
    countRecentFailuresByUsername(users.map((u) => u.username)),
  ]);
  return (
    <>
      <PageHeader title="Users" subtitle="admin: everything · operator: inventory, deploys, rotations · viewer: read only" />
      <div className="grid grid-cols-1 gap-6 lg:grid-cols-2">
        <Card title="Accounts">
          <ScrollTable testId="users-table">
            <thead className="text-left text-slate-500">
              <tr>
                <th className="py-1.5 font-medium">User</th>
                <th className="py-1.5 font-medium">Role</th>
                <th className="py-1.5 font-medium">Sessions</th>
                <th className="py-1.5 font-medium">Failed sign-ins (24 h)</th>
                <th className="py-1.5" />
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {users.map((u) => (
                <tr key={u.id}>
                  <td className="py-1.5">
                    <Link href={`/users/${u.id}`} className="text-blue-700 hover:underline">
                      {u.username}
                    </Link>
                  </td>
                  <td className="py-1.5">{u.role}</td>
                  <td className="py-1.5">{sessions.get(u.id) ?? 0}</td>
                  <td className="py-1.5">{failures.get(u.username)?.count ?? 0}</td>
                  <td className="py-1.5 text-slate-500">{u.disabled ? "disabled" : ""}</td>
                </tr>
              ))}
            </tbody>
          </ScrollTable>
        </Card>
        <Card title="Add a user">
          <AddUserForm />
        </Card>
      </div>
    </>
  );
}
