// The alert state machine, pure: for one rule, the conditions true now (lib/alerts/conditions)
// and the rule's open alerts in, the steps to take out. A condition opens a pending alert;
// it fires once it has lasted the rule's grace period; it resolves when the condition is
// gone. A pending alert whose condition clears is dropped (it never paged anyone), so a
// rekey blip shorter than the grace period sends nothing. Each alert fires at most once
// and resolves at most once: a condition that comes back later is a new alert.
import type { AlertNames } from "./conditions";

export type Condition = {
  subjectType: "tunnel" | "gateway" | "job";
  subjectId: string;
  title: string;
  /** The subject's state (down, degraded, auth-failed, failed, running, …). */
  state: string;
  reason: string;
  /** Path under the public URL, e.g. /tunnels/<id>. */
  path: string;
  names: AlertNames;
  /** When the condition began, when the subject knows it (a tunnel's healthAt); else first seen. */
  since: Date | null;
};

export type OpenAlert = {
  id: string;
  subjectType: string;
  subjectId: string;
  status: "pending" | "firing";
  since: Date;
  state: string;
  reason: string;
};

export type AlertStep =
  /** A new condition: recorded as pending, or firing at once when it already outlasted the grace period. */
  | { kind: "open"; condition: Condition; since: Date; fire: boolean }
  | { kind: "fire"; alertId: string; condition: Condition }
  /** Still true, still pending or firing: the state or reason text changed (no message). */
  | { kind: "update"; alertId: string; condition: Condition }
  | { kind: "resolve"; alertId: string }
  | { kind: "drop"; alertId: string };

const keyOf = (x: { subjectType: string; subjectId: string }) => `${x.subjectType}:${x.subjectId}`;

export function stepAlerts(input: {
  graceSeconds: number;
  conditions: readonly Condition[];
  open: readonly OpenAlert[];
  now: Date;
}): AlertStep[] {
  const graceMs = Math.max(0, input.graceSeconds) * 1000;
  const lasted = (since: Date) => input.now.getTime() - since.getTime() >= graceMs;
  const open = new Map(input.open.map((a) => [keyOf(a), a]));
  const steps: AlertStep[] = [];
  const seen = new Set<string>();
  for (const condition of input.conditions) {
    const key = keyOf(condition);
    if (seen.has(key)) continue;
    seen.add(key);
    const alert = open.get(key);
    if (!alert) {
      const since = condition.since && condition.since <= input.now ? condition.since : input.now;
      steps.push({ kind: "open", condition, since, fire: lasted(since) });
    } else if (alert.status === "pending" && lasted(alert.since)) {
      steps.push({ kind: "fire", alertId: alert.id, condition });
    } else if (alert.state !== condition.state || alert.reason !== condition.reason) {
      steps.push({ kind: "update", alertId: alert.id, condition });
    }
  }
  for (const [key, alert] of open) {
    if (seen.has(key)) continue;
    steps.push(alert.status === "firing" ? { kind: "resolve", alertId: alert.id } : { kind: "drop", alertId: alert.id });
  }
  return steps;
}
