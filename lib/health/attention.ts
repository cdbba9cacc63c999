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
