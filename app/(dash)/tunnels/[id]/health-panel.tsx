// The tunnel page's health: current state with its reason and since when, the state
// timeline, latency/loss and traffic charts, and the last `ip route list` and SA listing
// of both ends. Server component; updates live through LiveHealth.
import { getTunnelHealth } from "@/lib/db/health";
import { getCurrentUser } from "@/lib/auth/session";
import { canOperateTunnels } from "@/lib/auth/permissions";
import { chartPoints, timelineRuns } from "@/lib/health/chart-data";
import type { HealthDetail } from "@/lib/health/evaluate";
import { describeProbePath, lossPctOf } from "@/lib/health/parse-ping";
import { Card } from "@/components/ui";
import { HealthBadge, HEALTH_COLORS, ago } from "@/components/health-badge";
import { LiveHealth } from "@/components/live-health";
import { HealthCharts } from "./health-charts";
import { CheckNowButton } from "./check-now";

export async function HealthPanel({ tunnelId }: { tunnelId: string }) {
  const [health, user] = await Promise.all([getTunnelHealth(tunnelId), getCurrentUser()]);
  if (!health) return null;
  const now = new Date();
  const last = health.samples.at(-1) ?? null;
  const runs = timelineRuns(health.samples, now);
  const span = runs.length ? now.getTime() - runs[0]!.from : 0;
  const detail = health.latestDetail?.detail ? (JSON.parse(health.latestDetail.detail) as HealthDetail) : null;
  return (
    <Card title="Health" className="mb-6">
      <LiveHealth tunnelId={tunnelId} />
      <div className="flex flex-wrap items-start justify-between gap-4" data-testid="health-panel">
        <div className="min-w-0 space-y-1 text-sm">
          <p className="flex items-center gap-3">
            <HealthBadge state={health.healthState} />
            <span className="text-slate-600" title={health.healthAt?.toISOString()}>
              since {ago(health.healthAt, now)} · last checked {ago(last?.at, now)}
            </span>
          </p>
          <p className="break-words text-slate-800" data-testid="health-reason">
            {health.healthReason ?? (health.deployState === "deployed" ? "Not checked yet." : "Checked once the tunnel is deployed.")}
          </p>
          {last && last.latencyMs !== null ? (
            <p className="text-slate-600">
              Probe: {last.latencyMs} ms, {last.lossPct}% loss
            </p>
          ) : null}
          {detail && (detail.probes ?? (detail.probe ? [detail.probe] : [])).length ? (
            <ul className="text-slate-600" data-testid="health-probes">
              {(detail.probes ?? [detail.probe!]).map((p, i) => (
                <li key={i}>
                  Probed {describeProbePath(p)}:{" "}
                  {p.error ? `could not run (${p.error})` : `${lossPctOf(p)}% loss${p.avgMs !== null ? `, ${p.avgMs} ms` : ""}`}
                </li>
              ))}
            </ul>
          ) : null}
        </div>
        {user && canOperateTunnels(user.role) && health.deployState === "deployed" ? <CheckNowButton tunnelId={tunnelId} /> : null}
      </div>

      {runs.length ? (
        <div className="mt-4">
          <p className="mb-1 text-xs text-slate-500">State over the last {ago(new Date(now.getTime() - span), now).replace(" ago", "")}</p>
          <div className="flex h-4 w-full overflow-hidden rounded" data-testid="health-timeline">
            {runs.map((r) => (
              <div
                key={r.from}
                className="h-full"
                style={{
                  width: `${Math.max(0.5, ((r.to - r.from) / span) * 100)}%`,
                  background: (HEALTH_COLORS[r.state] ?? HEALTH_COLORS.unknown!).stroke,
                }}
                title={`${r.state} from ${new Date(r.from).toISOString()} (${r.samples} sample(s))`}
                data-state={r.state}
              />
            ))}
          </div>
        </div>
      ) : null}

      <div className="mt-6">
        <HealthCharts points={chartPoints(health.samples)} />
      </div>

      {detail ? (
        <div className="mt-6 grid grid-cols-1 gap-4 lg:grid-cols-2" data-testid="health-detail">
          {detail.ends.map((e) => (
            <div key={e.role} className="min-w-0">
              <p className="mb-1 text-sm font-medium">
                {e.gateway} <span className="text-slate-500">({e.state})</span>
              </p>
              {e.error ? <p className="mb-2 text-sm text-red-700">{e.error}</p> : null}
              <p className="text-xs text-slate-500">routes (every table)</p>
              <pre className="mb-2 max-h-48 overflow-auto rounded bg-slate-900 p-2 text-xs text-slate-100" data-testid="health-routes">
                {e.routes || "(none)"}
              </pre>
              <p className="text-xs text-slate-500">security associations (this tunnel)</p>
              <pre className="max-h-48 overflow-auto rounded bg-slate-900 p-2 text-xs text-slate-100" data-testid="health-sas">
                {e.sas || "(none)"}
              </pre>
            </div>
          ))}
          <p className="text-xs text-slate-500 lg:col-span-2">As of {health.latestDetail!.at.toISOString()}.</p>
        </div>
      ) : null}
    </Card>
  );
}
