// The overview's "Needs attention" card: the worst tunnels (down, then unreachable,
// then degraded; the longest-standing first), and a link to the rest when there are more.
import Link from "next/link";
import { Card } from "@/components/ui";
import { HealthBadge } from "@/components/health-badge";
import { When } from "@/components/when";
import type { TunnelStateRow } from "@/lib/db/health";
import { calmSummary } from "@/lib/health/attention";
import type { HealthState } from "@/lib/health/evaluate";

export function NeedsAttention({
  shown,
  total,
  byState,
}: {
  shown: TunnelStateRow[];
  total: number;
  byState: Partial<Record<HealthState, number>>;
}) {
  const now = new Date();
  const more = total - shown.length;
  const calm = calmSummary(byState);
  return (
    <Card title="Needs attention" className="mb-6">
      {shown.length === 0 ? (
        <p className="text-sm text-slate-600" data-testid="needs-attention-empty">
          {calm.text}
          {calm.unchecked > 0 ? (
            <>
              {" "}
              <Link href="/tunnels?health=unknown" className="font-medium text-blue-800 hover:underline">
                Show them
              </Link>
            </>
          ) : null}
        </p>
      ) : (
        <>
          {/* One line per tunnel, in a box of its own: 50 of them never push the rest of the page away. */}
          <ul className="max-h-[26rem] divide-y divide-slate-100 overflow-y-auto pr-2" data-testid="needs-attention">
            {shown.map((t) => (
              <li key={t.id} className="flex items-center gap-3 py-1.5 text-sm" data-testid="attention-item">
                <HealthBadge state={t.healthState} />
                <Link href={`/tunnels/${t.id}`} className="shrink-0 font-medium text-blue-800 hover:underline">
                  {t.ends.map((e) => e.gateway.site.name).join(" ↔ ")}
                </Link>
                <p className="min-w-0 flex-1 truncate text-slate-700" title={t.healthReason ?? undefined} data-testid="attention-reason">
                  {t.healthReason}
                </p>
                <span className="shrink-0 text-xs text-slate-500">
                  <When date={t.healthAt} now={now} prefix="since" />
                </span>
              </li>
            ))}
          </ul>
          {more > 0 ? (
            <p className="mt-3 text-sm">
              <Link href="/tunnels?health=attention" className="font-medium text-blue-800 hover:underline" data-testid="attention-more">
                and {more} more
              </Link>
              <span className="text-slate-500"> — all {total} tunnels that need attention, longest-standing first</span>
            </p>
          ) : null}
        </>
      )}
    </Card>
  );
}
