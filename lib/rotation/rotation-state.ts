// The life of one tunnel's PSK rotation as a pure state machine, and the decision a
// restarted app takes for a rotation it left half done. The engine (rotate-batch.ts)
// feeds events in; an event that makes no sense in the current phase is a bug and
// throws, so the engine cannot, say, commit a key that was never verified.
//
//   start ─key-created→ key-created ─upload-started→ uploading ─end-uploaded(a,b)→ uploaded
//     ─applied→ applied ─verified→ verified ─committed→ committed
//   failed:   in key-created (nothing written)             → abandoned
//             in uploading … verified (a router may differ) → reverting
//   reverting ─reverted→ reverted   ─revert-failed→ stuck (both ends need a person)

export type EndRole = "a" | "b";

export type RotationPhase =
  | "start"
  | "key-created"
  | "uploading"
  | "uploaded"
  | "applied"
  | "verified"
  | "committed"
  | "reverting"
  | "reverted"
  | "abandoned"
  | "stuck";

export type RotationState = {
  phase: RotationPhase;
  oldVersion: number;
  newVersion: number | null;
  /** Ends whose secret file now holds the new key. */
  endsOnNew: EndRole[];
  /** Some end already ran a command that makes a key effective. */
  applyStarted: boolean;
  /** Why the rotation failed (and, if so, why the revert failed too). */
  error: string | null;
};

export type RotationEvent =
  | { type: "key-created"; version: number }
  | { type: "upload-started" }
  | { type: "end-uploaded"; role: EndRole }
  | { type: "apply-started" }
  | { type: "applied" }
  | { type: "verified" }
  | { type: "committed" }
  | { type: "failed"; reason: string }
  | { type: "reverted" }
  | { type: "revert-failed"; reason: string };

export const TERMINAL_PHASES: readonly RotationPhase[] = ["committed", "reverted", "abandoned", "stuck"];

export class IllegalTransition extends Error {
  constructor(phase: RotationPhase, event: RotationEvent["type"]) {
    super(`rotation: event ${event} is not allowed in phase ${phase}`);
    this.name = "IllegalTransition";
  }
}

export function initialRotationState(oldVersion: number): RotationState {
  return { phase: "start", oldVersion, newVersion: null, endsOnNew: [], applyStarted: false, error: null };
}

export function isTerminal(state: RotationState): boolean {
  return TERMINAL_PHASES.includes(state.phase);
}

export function transition(state: RotationState, event: RotationEvent): RotationState {
  const illegal = () => new IllegalTransition(state.phase, event.type);
  switch (event.type) {
    case "key-created":
      if (state.phase !== "start") throw illegal();
      if (event.version <= state.oldVersion) throw new Error(`rotation: new version ${event.version} must be above ${state.oldVersion}`);
      return { ...state, phase: "key-created", newVersion: event.version };
    case "upload-started":
      if (state.phase !== "key-created") throw illegal();
      return { ...state, phase: "uploading" };
    case "end-uploaded": {
      if (state.phase !== "uploading") throw illegal();
      const endsOnNew = state.endsOnNew.includes(event.role) ? state.endsOnNew : [...state.endsOnNew, event.role];
      return { ...state, endsOnNew, phase: endsOnNew.length === 2 ? "uploaded" : "uploading" };
    }
    case "apply-started":
      if (state.phase !== "uploaded") throw illegal();
      return { ...state, applyStarted: true };
    case "applied":
      if (state.phase !== "uploaded" || !state.applyStarted) throw illegal();
      return { ...state, phase: "applied" };
    case "verified":
      if (state.phase !== "applied") throw illegal();
      return { ...state, phase: "verified" };
    case "committed":
      if (state.phase !== "verified") throw illegal();
      return { ...state, phase: "committed" };
    case "failed":
      if (isTerminal(state) || state.phase === "reverting") throw illegal();
      // Before the first write nothing on a router changed: drop the key, done.
      if (state.phase === "start" || state.phase === "key-created") return { ...state, phase: "abandoned", error: event.reason };
      return { ...state, phase: "reverting", error: event.reason };
    case "reverted":
      if (state.phase !== "reverting") throw illegal();
      return { ...state, phase: "reverted", endsOnNew: [] };
    case "revert-failed":
      if (state.phase !== "reverting") throw illegal();
      return { ...state, phase: "stuck", error: `${state.error ?? "rotation failed"}; revert failed: ${event.reason}` };
  }
}

/** What the revert has to do on the routers: re-run the key switch only if one began. */
export function revertNeedsApply(state: RotationState): boolean {
  return state.applyStarted;
}

// ---- Recovery after a crash ---------------------------------------------------

/** What the database says about a tunnel whose rotation job was interrupted. */
export type RecoverySnapshot = {
  deployState: string;
  activeVersion: number | null;
  pendingVersions: number[];
  ends: { role: EndRole; appliedPskVersion: number | null }[];
};

export type RecoveryDecision =
  | { action: "none"; reason: string }
  /** Both ends recorded the new key: make it effective, verify, commit (revert if that fails). */
  | { action: "finish"; oldVersion: number; newVersion: number; abandon: number[]; reason: string }
  /** Anything less: put the active key back on both ends, re-apply and verify; drop the pending key(s). */
  | { action: "revert"; oldVersion: number; abandon: number[]; reason: string }
  | { action: "stuck"; reason: string };

/**
 * Deterministic: the same rows always give the same decision. An end's
 * appliedPskVersion is written only after its upload succeeded, so "both ends on the
 * new key" is certain; every other state may hide a router holding either key, and
 * a revert re-uploads the old key to both ends regardless.
 */
export function decideRecovery(s: RecoverySnapshot): RecoveryDecision {
  if (s.deployState !== "deployed")
    return { action: "none", reason: `the tunnel is ${s.deployState}, not deployed: nothing on the routers to reconcile` };
  if (s.activeVersion === null) return { action: "stuck", reason: "the tunnel has no active key" };
  const active = s.activeVersion;
  const pending = [...s.pendingVersions].sort((x, y) => y - x);
  const newest = pending[0];
  const ends = s.ends.map((e) => e.appliedPskVersion);
  if (newest === undefined) {
    if (ends.every((v) => v === active)) return { action: "none", reason: `both ends hold the active key v${active}` };
    return {
      action: "revert",
      oldVersion: active,
      abandon: [],
      reason: `ends hold ${ends.map((v) => (v === null ? "unknown" : `v${v}`)).join(" and ")}, not the active v${active}`,
    };
  }
  const olderPending = pending.slice(1);
  if (s.ends.length === 2 && ends.every((v) => v === newest)) {
    return { action: "finish", oldVersion: active, newVersion: newest, abandon: olderPending, reason: `both ends received v${newest}` };
  }
  const which = s.ends.filter((e) => e.appliedPskVersion === newest).map((e) => e.role);
  return {
    action: "revert",
    oldVersion: active,
    abandon: pending,
    reason: which.length ? `only end ${which.join("")} received v${newest}` : `no end recorded v${newest}`,
  };
}
