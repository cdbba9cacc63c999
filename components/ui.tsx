// Small presentational pieces shared by the pages.
import Link from "next/link";
import { platformShortLabel } from "@/lib/platforms";

export function PageHeader({ title, subtitle, actions }: { title: string; subtitle?: React.ReactNode; actions?: React.ReactNode }) {
  return (
    <div className="mb-6 flex flex-wrap items-start justify-between gap-4">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">{title}</h1>
        {subtitle ? <p className="mt-1 text-sm text-slate-600">{subtitle}</p> : null}
      </div>
      {actions ? <div className="flex gap-2">{actions}</div> : null}
    </div>
  );
}

export function Card({ title, children, className }: { title?: string; children: React.ReactNode; className?: string }) {
  return (
    <section className={`rounded-lg border border-slate-200 bg-white p-5 shadow-sm ${className ?? ""}`}>
      {title ? <h2 className="mb-3 text-base font-semibold">{title}</h2> : null}
      {children}
    </section>
  );
}

export function ButtonLink({
  href,
  children,
  variant = "primary",
}: {
  href: string;
  children: React.ReactNode;
  variant?: "primary" | "secondary";
}) {
  const cls =
    variant === "primary"
      ? "bg-blue-700 text-white hover:bg-blue-800"
      : "border border-slate-300 bg-white text-slate-800 hover:bg-slate-50";
  return (
    <Link href={href} className={`inline-flex items-center rounded-md px-4 py-2 text-sm font-semibold shadow-sm ${cls}`}>
      {children}
    </Link>
  );
}

export function PlatformBadge({ platform }: { platform: string }) {
  return <span className="rounded bg-slate-100 px-2 py-0.5 text-xs font-medium text-slate-700">{platformShortLabel(platform)}</span>;
}

export function KeyValue({ items }: { items: [string, React.ReactNode][] }) {
  return (
    <dl className="grid grid-cols-[max-content_minmax(0,1fr)] gap-x-6 gap-y-1.5 text-sm">
      {items.map(([k, v]) => (
        <div key={k} className="contents">
          <dt className="text-slate-500">{k}</dt>
          <dd className="break-words font-mono text-slate-900">{v}</dd>
        </div>
      ))}
    </dl>
  );
}

export function EmptyState({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <div className="rounded-lg border-2 border-dashed border-slate-300 bg-white p-10 text-center">
      <h2 className="text-lg font-semibold">{title}</h2>
      <div className="mt-2 text-sm text-slate-600">{children}</div>
    </div>
  );
}

/** A table that scrolls sideways inside its own box when wider than the screen (phones), never the page. */
export function ScrollTable({ testId, className, children }: { testId: string; className?: string; children: React.ReactNode }) {
  return (
    <div className="overflow-x-auto">
      <table className={`w-full text-sm ${className ?? ""}`} data-testid={testId}>
        {children}
      </table>
    </div>
  );
}
