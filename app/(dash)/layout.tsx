import Link from "next/link";
import { requirePageUser } from "@/lib/auth/session";
import { canManageUsers } from "@/lib/auth/permissions";
import { signOut } from "../(auth)/actions";

// A form discards its action's result: signOut only answers when its arguments are
// malformed (lib/actions/action-client.ts), which this form never sends.
const signOutForm = signOut as unknown as (formData: FormData) => Promise<void>;

export default async function DashboardLayout({ children }: { children: React.ReactNode }) {
  const user = await requirePageUser();
  const links = [
    { href: "/", label: "Overview" },
    { href: "/sites", label: "Sites" },
    { href: "/tunnels", label: "Tunnels" },
    { href: "/jobs", label: "Jobs" },
    { href: "/alerts", label: "Alerts" },
    { href: "/profiles", label: "Crypto profiles" },
    { href: "/audit", label: "Audit log" },
    ...(canManageUsers(user.role) ? [{ href: "/users", label: "Users" }] : []),
    { href: "/settings", label: "Your account" },
  ];
  return (
    <div className="flex min-h-screen">
      <nav aria-label="Main" className="w-56 shrink-0 border-r border-slate-200 bg-white px-4 py-6">
        <Link href="/" className="block px-2 text-lg font-bold tracking-tight text-blue-800">
          Gatewarden
        </Link>
        <ul className="mt-6 space-y-1">
          {links.map((l) => (
            <li key={l.href}>
              <Link href={l.href} className="block rounded-md px-2 py-1.5 text-sm text-slate-700 hover:bg-slate-100">
                {l.label}
              </Link>
            </li>
          ))}
        </ul>
        <div className="mt-10 border-t border-slate-200 px-2 pt-4 text-xs text-slate-500">
          <p>
            Signed in as{" "}
            <span className="font-medium text-slate-800" data-testid="current-user">
              {user.username}
            </span>
          </p>
          <p>
            Role: <span data-testid="current-role">{user.role}</span>
          </p>
          <form action={signOutForm} className="mt-2">
            <button type="submit" className="text-blue-700 hover:underline">
              Sign out
            </button>
          </form>
        </div>
      </nav>
      <main className="min-w-0 flex-1 px-8 py-6">{children}</main>
    </div>
  );
}
