// Pure: whether a tunnel's rotation is "stuck" and what the tunnel page says about it.
// Stuck = deployed, a pending key version that no running job is working on: a rotation
// could neither finish nor be undone (e.g. a router could not be reached), so the two
// ends may hold different keys. Recovery jobs retry it by themselves with capped backoff, until it settles;
// Repair puts the active key on both ends at once. Until then rotation is refused.

export type StuckInput = {
  deployState: string;
  ends: { role: string; appliedPskVersion: number | null; gatewayName: string }[];
  keys: { version: number; status: string; createdAt: Date }[];
  /** Rotation, recovery or repair jobs running on this tunnel now. */
  running: number;
  recovery: { id: string; status: string; attempt: number | null; notBefore: Date | null; error: string | null } | null;
};

export type StuckState = {
  since: Date;
  activeVersion: number | null;
  pending: number[];
  /** Which key each end holds, as recorded. */
  ends: string;
  /** What the automatic recovery is doing. */
  recovery: string;
  /** What a person can do. */
  todo: string;
};

export function stuckState(s: StuckInput, now: Date): StuckState | null {
  const pending = s.keys.filter((k) => k.status === "pending").sort((a, b) => a.version - b.version);
  if (s.deployState !== "deployed" || !pending.length || s.running > 0) return null;
  const activeVersion = s.keys.find((k) => k.status === "active")?.version ?? null;
  const ends = s.ends
    .map((e) => `${e.gatewayName} holds ${e.appliedPskVersion === null ? "an unknown key" : `v${e.appliedPskVersion}`}`)
    .join(", ");
  const r = s.recovery;
  let recovery: string;
  if (!r) recovery = "No recovery job is queued.";
  else if (r.status === "queued")
    recovery =
      r.notBefore && r.notBefore > now
        ? `Recovery attempt ${r.attempt ?? 1} is scheduled for ${r.notBefore.toISOString()}.`
        : `Recovery attempt ${r.attempt ?? 1} is queued.`;
  else if (r.status === "failed")
    // Each failed attempt queues the next (never given up: recovery-schedule.ts); none after it means that could not be written.
    recovery = `The last recovery attempt failed: ${r.error ?? "see its job"}, and no next attempt is queued: press Repair.`;
  else recovery = `The last recovery job ${r.status}.`;
  const active = activeVersion === null ? "the active key" : `the active key v${activeVersion}`;
  return {
    since: pending[0]!.createdAt,
    activeVersion,
    pending: pending.map((k) => k.version),
    ends,
    recovery,
    todo: `Make both gateways reachable over SSH (the rotate job's log says which one failed and why). Recovery then settles it by itself, or press Repair to put ${active} on both ends now. Rotation stays refused until then.`,
  };
}
