// When health proves a gateway can still be managed with a FRESH SSH connection, instead of
// reading it over the pooled session: a session opened an hour ago keeps working after the
// router's sshd listener died, its host key was regenerated or authorized_keys was emptied,
// so it says nothing about whether the next deploy can log in. Management access ("can
// Gatewarden open a session?") is the gateway's own state (Gateway.reachability), apart
// from each tunnel's health (read over whatever session still works). Pure: the poller
// feeds it what it remembers and what the gateway row says.

/** The poller's own last fresh connection to a gateway. */
export type ManagementMemory = { checkedAt: number; ok: boolean };

export type ManagementCheckInput = {
  last: ManagementMemory | undefined;
  now: number;
  intervalMs: number;
  /** What the gateway row says now: written by jobs (connectGateway), by the poller, reset by a new host key pin. */
  recorded: { state: string; at: Date | null };
  /** A live pooled session exists; without one, opening one IS the check. */
  pooled: boolean;
  /** The last visit over the pooled session failed (timed out, dropped). */
  suspect: boolean;
};

export type ManagementCheck = { due: false } | { due: true; why: string };

export function managementCheckDue(i: ManagementCheckInput): ManagementCheck {
  if (!i.pooled) return { due: true, why: "no open session" };
  if (!i.last) return { due: true, why: "first check since start" };
  // A job (or another instance) could not connect after our last check: look again now.
  if (i.recorded.state !== "ok" && i.recorded.at !== null && i.recorded.at.getTime() > i.last.checkedAt) {
    return { due: true, why: `"${i.recorded.state}" recorded since the last check` };
  }
  // A new host key pin resets the state to "unknown".
  if (i.recorded.state === "unknown") return { due: true, why: "state unknown (host key pinned anew?)" };
  // Broken access is looked at every round, so the badge clears as soon as it is repaired.
  if (!i.last.ok) return { due: true, why: "management access was broken at the last check" };
  if (i.suspect) return { due: true, why: "the pooled session did not answer" };
  if (i.now - i.last.checkedAt >= i.intervalMs) return { due: true, why: "interval elapsed" };
  return { due: false };
}

/** How a gateway's management state reads on a badge: access works, is broken (and why), or is not known yet. */
export function managementLabel(state: string): { text: string; tone: "ok" | "broken" | "unknown" } {
  switch (state) {
    case "ok":
      return { text: "management ok", tone: "ok" };
    case "host-key-changed":
      return { text: "management broken: host key changed", tone: "broken" };
    case "host-key-unknown":
      return { text: "management broken: no host key pinned", tone: "broken" };
    case "auth-failed":
      return { text: "management broken: login refused", tone: "broken" };
    case "unreachable":
      return { text: "management broken: SSH unreachable", tone: "broken" };
    default:
      return { text: "management not checked yet", tone: "unknown" };
  }
}
