// What health says when a tunnel end cannot be reached over SSH. A cut WAN link, a
// powered-off router and a stopped sshd all look alike from Gatewarden ("cannot connect"),
// so the other end's view decides the words: if the peer can still be managed and sees the
// tunnel down (its SA gone, or nothing crossing the tunnel), the tunnel is down and the far
// router or its WAN link is the suspect; if the peer's probe still crosses the tunnel, only
// management access is broken. Pure, unit-tested (reach-advice.test.ts).
import type { HealthState } from "./evaluate";

/** SSH failures that say "nothing answers there" rather than "it answered, but refused us". */
const NO_ANSWER_CODES = new Set(["unreachable", "timeout", "connection-lost"]);

const NO_ANSWER_LABEL: Record<string, string> = {
  unreachable: "connection refused or no route",
  timeout: "SSH timed out",
  "connection-lost": "SSH connection lost",
};

export const SSH_FAILURE_LABEL: Record<string, string> = {
  "host-key-changed": "Host key changed",
  "host-key-unknown": "No host key pinned",
  "auth-failed": "Authentication refused",
  timeout: "SSH timed out",
  unreachable: "SSH unreachable",
  "connection-lost": "SSH connection lost",
};

export type UnreachedEnd = {
  gateway: string;
  /** Where Gatewarden connects to manage it ("198.18.0.12 port 22"); absent when not known. */
  managementAddress?: string;
  code: string;
  message: string;
};

/** The reachable end's view of the tunnel, or null when both ends are unreachable. */
export type PeerView = {
  gateway: string;
  /** The peer's platform says the tunnel is up (SA installed). */
  saUp: boolean;
  /** Why the platform says it is not up (when saUp is false). */
  why: string;
  /** The peer's own probe through the tunnel: null when none ran (or it could not run). */
  probe: { answered: boolean; text: string } | null;
};

const noAnswer = (e: UnreachedEnd) =>
  `${e.gateway} does not answer on its management address${e.managementAddress ? ` ${e.managementAddress}` : ""} (${NO_ANSWER_LABEL[e.code] ?? e.code})`;

const refused = (e: UnreachedEnd) => `${SSH_FAILURE_LABEL[e.code] ?? "SSH failed"} on ${e.gateway}: ${e.message}`;

/** State and reason of a tunnel of which one or both ends could not be reached. */
export function unreachedJudgement(unreached: readonly UnreachedEnd[], peer: PeerView | null): { state: HealthState; reason: string } {
  const silent = unreached.filter((e) => NO_ANSWER_CODES.has(e.code));
  // A gateway that answered but refused us (host key, credentials): its own message says what to do.
  if (silent.length < unreached.length) {
    const base = unreached.map((e) => (NO_ANSWER_CODES.has(e.code) ? `${noAnswer(e)}.` : refused(e))).join(" ");
    const view = peer ? ` ${peer.gateway} can be managed and reports the tunnel ${peer.saUp ? "up" : `down (${peer.why})`}.` : "";
    return { state: "unreachable", reason: `${base}${view}` };
  }
  if (!peer) {
    return {
      state: "unreachable",
      reason: `Neither end answers on its management address: ${unreached.map(noAnswer).join("; ")}. Nothing is known about the tunnel; check Gatewarden's own path to the gateways first.`,
    };
  }
  const far = unreached[0]!;
  const lost = `${noAnswer(far)}; ${peer.gateway} can be managed and`;
  const suspect = `${far.gateway} itself or its WAN link is the likely cause (power, uplink, cable), not its SSH service alone.`;
  if (!peer.saUp) {
    return { state: "down", reason: `${lost} reports the tunnel down: ${peer.why}. ${suspect}` };
  }
  if (peer.probe && !peer.probe.answered) {
    return {
      state: "down",
      reason: `${lost} still holds the SA, but nothing crosses the tunnel (${peer.probe.text}). ${suspect}`,
    };
  }
  if (peer.probe) {
    return {
      state: "unreachable",
      reason: `${lost} reports the tunnel up, and its probe crosses it (${peer.probe.text}): only management access to ${far.gateway} is broken. Check sshd and the SSH address on ${far.gateway}'s page.`,
    };
  }
  return {
    state: "unreachable",
    reason: `${lost} reports the tunnel up; whether traffic crosses it is checked from ${peer.gateway} on the next round.`,
  };
}
