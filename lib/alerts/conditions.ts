// What is wrong right now, per rule kind, from one snapshot of the fleet read after a
// health round (lib/db/alerts.ts loadAlertSnapshot). Pure: the snapshot is plain data.
import type { Condition } from "./evaluate-alerts";
import { DEFAULT_JOB_STUCK_MINUTES, UNMANAGEABLE_REACHABILITY, type AlertRuleKind } from "./rule-kinds";
import { pskAgeOf } from "./psk-age";

/** Readable names carried by every message: the tunnel (its gateways' names), gateways and sites. */
export type AlertNames = { tunnel?: string; gateways: string[]; sites: string[] };

export type SnapshotTunnel = {
  id: string;
  deployState: string;
  healthState: string;
  healthReason: string | null;
  healthAt: Date | null;
  ends: { gateway: string; site: string }[];
  /** When the active key was activated (null: no active key). */
  keyActivatedAt: Date | null;
  keyVersion: number | null;
  /** The tunnel's own maximum key age, else its sites' (the shorter), else null (off). */
  pskMaxAgeDays: number | null;
};

export type SnapshotGateway = { id: string; name: string; site: string; reachability: string; reachabilityReason: string | null };

export type SnapshotJob = {
  id: string;
  kind: string;
  status: string;
  targetType: string;
  targetId: string;
  error: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
};

export type AlertSnapshot = {
  tunnels: SnapshotTunnel[];
  gateways: SnapshotGateway[];
  /** Queued and running jobs, and the latest finished job per kind and target. */
  jobs: SnapshotJob[];
};

export type RuleForConditions = { kind: AlertRuleKind; threshold: number | null; createdAt: Date };

export const tunnelName = (t: Pick<SnapshotTunnel, "ends">) => t.ends.map((e) => e.gateway).join(" ↔ ");
const tunnelNames = (t: SnapshotTunnel): AlertNames => ({
  tunnel: tunnelName(t),
  gateways: t.ends.map((e) => e.gateway),
  sites: t.ends.map((e) => e.site),
});

function tunnelConditions(snapshot: AlertSnapshot, states: readonly string[], label: string): Condition[] {
  return snapshot.tunnels
    .filter((t) => t.deployState === "deployed" && states.includes(t.healthState))
    .map((t) => ({
      subjectType: "tunnel" as const,
      subjectId: t.id,
      title: `${label}: ${tunnelName(t)}`,
      state: t.healthState,
      reason: t.healthReason ?? "",
      path: `/tunnels/${t.id}`,
      names: tunnelNames(t),
      since: t.healthAt,
    }));
}

/** A job's target as people read it: a tunnel's or gateway's name when the snapshot has it. */
function jobNames(job: SnapshotJob, snapshot: AlertSnapshot): AlertNames {
  if (job.targetType === "tunnel") {
    const t = snapshot.tunnels.find((x) => x.id === job.targetId);
    if (t) return tunnelNames(t);
  }
  if (job.targetType === "gateway") {
    const g = snapshot.gateways.find((x) => x.id === job.targetId);
    if (g) return { gateways: [g.name], sites: [g.site] };
  }
  return { gateways: [], sites: [] };
}

const jobTarget = (job: SnapshotJob, names: AlertNames) => names.tunnel ?? names.gateways[0] ?? `${job.targetType} ${job.targetId}`;

export function conditionsFor(rule: RuleForConditions, snapshot: AlertSnapshot, now: Date): Condition[] {
  switch (rule.kind) {
    case "tunnel-down":
      return tunnelConditions(snapshot, ["down"], "Tunnel down");
    case "tunnel-degraded":
      return tunnelConditions(snapshot, ["degraded", "down"], "Tunnel not up");
    case "gateway-unmanageable":
      return snapshot.gateways
        .filter((g) => (UNMANAGEABLE_REACHABILITY as readonly string[]).includes(g.reachability))
        .map((g) => ({
          subjectType: "gateway" as const,
          subjectId: g.id,
          title: `Gateway unmanageable (${g.reachability}): ${g.name}`,
          state: g.reachability,
          reason: g.reachabilityReason ?? "",
          path: `/gateways/${g.id}`,
          names: { gateways: [g.name], sites: [g.site] },
          since: null,
        }));
    case "job-failed": {
      // The latest finished job per kind and target: a failure resolves when the same work later succeeds.
      // Failures from before the rule existed do not page.
      return snapshot.jobs
        .filter((j) => j.status === "failed" && j.finishedAt && j.finishedAt >= rule.createdAt)
        .map((j) => {
          const names = jobNames(j, snapshot);
          return {
            subjectType: "job" as const,
            subjectId: `${j.kind}:${j.targetType}:${j.targetId}`,
            title: `Job failed: ${j.kind} of ${jobTarget(j, names)}`,
            state: "failed",
            reason: j.error ?? "",
            path: `/jobs/${j.id}`,
            names,
            since: j.finishedAt,
          };
        });
    }
    case "job-stuck": {
      const limitMs = (rule.threshold ?? DEFAULT_JOB_STUCK_MINUTES) * 60_000;
      return snapshot.jobs
        .filter(
          (j) => (j.status === "running" || j.status === "queued") && now.getTime() - (j.startedAt ?? j.createdAt).getTime() > limitMs,
        )
        .map((j) => {
          const names = jobNames(j, snapshot);
          const minutes = Math.floor((now.getTime() - (j.startedAt ?? j.createdAt).getTime()) / 60_000);
          return {
            subjectType: "job" as const,
            subjectId: j.id,
            title: `Job stuck: ${j.kind} of ${jobTarget(j, names)}`,
            state: j.status,
            reason: `${j.status === "queued" ? "Queued" : "Running"} for ${minutes} minutes (limit ${limitMs / 60_000}).`,
            path: `/jobs/${j.id}`,
            names,
            since: new Date((j.startedAt ?? j.createdAt).getTime() + limitMs),
          };
        });
    }
    case "psk-age":
      return snapshot.tunnels.flatMap((t) => {
        const age = pskAgeOf(t, now);
        if (age?.status !== "expired") return [];
        return [
          {
            subjectType: "tunnel" as const,
            subjectId: t.id,
            title: `PSK past its maximum age: ${tunnelName(t)}`,
            state: "expired",
            reason: `Key version ${t.keyVersion} is ${age.ageDays} days old; the maximum is ${age.maxAgeDays} days.`,
            path: `/tunnels/${t.id}`,
            names: tunnelNames(t),
            since: age.expiresAt,
          },
        ];
      });
  }
}
