// What "needs attention" means, shared by the overview and the tunnels page: the
// states worth a person's time, worst first, and the `?health=` filter of the list.
import { HEALTH_STATES, type HealthState } from "./evaluate";

/** Worst first: nothing crosses, then we cannot even ask, then partly working. */
export const ATTENTION_STATES = ["down", "unreachable", "degraded"] as const satisfies readonly HealthState[];

/** A `?health=` value: one state, or every state that needs attention. */
export type HealthFilter = HealthState | "attention";

export function parseHealthFilter(raw: string | string[] | undefined): HealthFilter | null {
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (value === "attention") return value;
  return (HEALTH_STATES as readonly string[]).includes(value ?? "") ? (value as HealthState) : null;
}

export function statesOf(filter: HealthFilter): readonly HealthState[] {
  return filter === "attention" ? ATTENTION_STATES : [filter];
}

/**
 * What the overview says when no tunnel needs attention: "up" only for tunnels that
 * were checked, and never when nothing was checked yet (a new fleet, or a poller that
 * has not run a round): those are counted as not checked, with a link to them.
 */
export function calmSummary(byState: Partial<Record<HealthState, number>>): { text: string; unchecked: number } {
  const total = HEALTH_STATES.reduce((n, s) => n + (byState[s] ?? 0), 0);
  const unchecked = byState.unknown ?? 0;
  if (total === 0) return { text: "No tunnels yet.", unchecked: 0 };
  if (unchecked === total)
    return { text: `No tunnel has been checked yet: ${total} not deployed or waiting for a first health check.`, unchecked };
  const up = byState.up ?? 0;
  if (unchecked === 0) return { text: `All ${up} tunnel${up === 1 ? " is" : "s are"} up.`, unchecked };
  return {
    text: `The ${up} checked tunnel${up === 1 ? " is" : "s are"} up; ${unchecked} not checked (not deployed, or no check yet).`,
    unchecked,
  };
}
