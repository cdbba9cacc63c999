// A tunnel's health state as a coloured pill, and "since when" in words. Shared by the
// overview, the tunnels table, the topology map's legend and the tunnel page.
// Strokes are theme variables (dark mode re-points them, app/dark-palette.css) in shades
// that keep 4.5:1 on cards and the page in both themes: the map writes edge labels in
// them (lib/ui/palette.test.ts measures it).
export const HEALTH_COLORS: Record<string, { stroke: string; pill: string }> = {
  up: { stroke: "var(--color-green-700)", pill: "bg-green-100 text-green-800" },
  degraded: { stroke: "var(--color-amber-700)", pill: "bg-amber-100 text-amber-900" },
  down: { stroke: "var(--color-red-700)", pill: "bg-red-100 text-red-800" },
  unreachable: { stroke: "var(--color-violet-700)", pill: "bg-violet-100 text-violet-800" },
  unknown: { stroke: "var(--color-slate-500)", pill: "bg-slate-100 text-slate-600" },
};

export function HealthBadge({ state, title }: { state: string; title?: string | null }) {
  const c = HEALTH_COLORS[state] ?? HEALTH_COLORS.unknown!;
  return (
    <span
      className={`rounded px-2 py-0.5 text-xs font-semibold ${c.pill}`}
      data-testid="health-state"
      data-state={state}
      title={title ?? undefined}
    >
      {state}
    </span>
  );
}

/** "3 min ago" style, for "since" and "last checked". */
export function ago(date: Date | string | null | undefined, now = new Date()): string {
  if (!date) return "never";
  const s = Math.max(0, Math.round((now.getTime() - new Date(date).getTime()) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min ago`;
  return `${Math.floor(s / 86_400)} d ago`;
}
