import Link from "next/link";
import { requirePageUser } from "@/lib/auth/session";
import { canManageUsers } from "@/lib/auth/permissions";
import { signOut } from "../(auth)/actions";
import { MobileMenu } from "@/components/mobile-menu";
import { ThemeToggle } from "@/components/theme-toggle";

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
    { href: "/settings/tokens", label: "API tokens" },
    { href: "/settings/ssh-credentials", label: "SSH credentials" },
  ];
  const navLinks = (
    <ul className="space-y-1">
      {links.map((l) => (
        <li key={l.href}>
          <Link href={l.href} className="block rounded-md px-2 py-1.5 text-sm text-slate-700 hover:bg-slate-100">
            {l.label}
          </Link>
        </li>
      ))}
    </ul>
  );
  // The sidebar's copy carries the test ids; the folded menu's copy its own.
  const account = (ids: "" | "mobile-") => (
    <div className="border-t border-slate-200 px-2 pt-4 text-xs text-slate-500">
      <p>
        Signed in as{" "}
        <span className="font-medium text-slate-800" data-testid={`${ids}current-user`}>
          {user.username}
        </span>
      </p>
      <p>
        Role: <span data-testid={`${ids}current-role`}>{user.role}</span>
      </p>
      <form action={signOutForm} className="mt-2">
        <button type="submit" className="text-blue-700 hover:underline">
          Sign out
        </button>
      </form>
      <div className="mt-3">
        <ThemeToggle id={`${ids}theme`} />
      </div>
    </div>
  );
  return (
    <div className="min-h-screen md:flex">
      {/* Phone width: a top bar with the menu folded; the sidebar from 768 px up. */}
      <header className="sticky top-0 z-20 flex items-center justify-between border-b border-slate-200 bg-white px-4 py-3 md:hidden">
        <Link href="/" className="text-lg font-bold tracking-tight text-blue-800">
          Gatewarden
        </Link>
        <MobileMenu>
          <nav aria-label="Main">{navLinks}</nav>
          <div className="mt-4">{account("mobile-")}</div>
        </MobileMenu>
      </header>
      <nav aria-label="Main" className="hidden w-56 shrink-0 border-r border-slate-200 bg-white px-4 py-6 md:block">
        <Link href="/" className="block px-2 text-lg font-bold tracking-tight text-blue-800">
          Gatewarden
        </Link>
        <div className="mt-6">{navLinks}</div>
        <div className="mt-10">{account("")}</div>
      </nav>
      <main className="min-w-0 flex-1 px-4 py-4 md:px-8 md:py-6">{children}</main>
    </div>
  );
}
