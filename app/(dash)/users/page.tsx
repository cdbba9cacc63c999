import { requirePageUser } from "@/lib/auth/session";
import { canManageUsers } from "@/lib/auth/permissions";
import { listUsers } from "@/lib/db/users";
import { Card, PageHeader } from "@/components/ui";
import { AddUserForm } from "./add-user-form";

export const metadata = { title: "Users" };

export default async function UsersPage() {
  const user = await requirePageUser();
  if (!canManageUsers(user.role)) {
    return <p role="alert">Only admins manage users.</p>;
  }
  const users = await listUsers();
  return (
    <>
      <PageHeader title="Users" subtitle="admin: everything · operator: inventory, deploys, rotations · viewer: read only" />
      <div className="grid gap-6 lg:grid-cols-2">
        <Card title="Accounts">
          <table className="w-full text-sm">
            <tbody className="divide-y divide-slate-100">
              {users.map((u) => (
                <tr key={u.id}>
                  <td className="py-1.5">{u.username}</td>
                  <td className="py-1.5">{u.role}</td>
                  <td className="py-1.5 text-slate-500">{u.disabled ? "disabled" : ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Card>
        <Card title="Add a user">
          <AddUserForm />
        </Card>
      </div>
    </>
  );
}
