import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  decideRecovery,
  IllegalTransition,
  initialRotationState,
  isTerminal,
  transition,
  type RecoverySnapshot,
  type RotationEvent,
  type RotationState,
} from "./rotation-state";

const run = (events: RotationEvent[], from: RotationState = initialRotationState(1)) => events.reduce(transition, from);
const happy: RotationEvent[] = [
  { type: "key-created", version: 2 },
  { type: "upload-started" },
  { type: "end-uploaded", role: "a" },
  { type: "end-uploaded", role: "b" },
  { type: "apply-started" },
  { type: "applied" },
  { type: "verified" },
  { type: "committed" },
];

describe("rotation state machine", () => {
  it("walks the happy path to committed", () => {
    const phases = happy
      .reduce<RotationState[]>((acc, e) => [...acc, transition(acc[acc.length - 1]!, e)], [initialRotationState(1)])
      .map((s) => s.phase);
    expect(phases).toEqual(["start", "key-created", "uploading", "uploading", "uploaded", "uploaded", "applied", "verified", "committed"]);
    expect(run(happy)).toMatchObject({ oldVersion: 1, newVersion: 2, endsOnNew: ["a", "b"], applyStarted: true });
    expect(isTerminal(run(happy))).toBe(true);
  });

  it("cannot commit, verify or apply out of order", () => {
    expect(() => run([{ type: "committed" }])).toThrow(IllegalTransition);
    expect(() => run([...happy.slice(0, 4), { type: "verified" }])).toThrow(IllegalTransition);
    expect(() => run([...happy.slice(0, 3), { type: "apply-started" }])).toThrow(IllegalTransition); // one end only
    expect(() => run([...happy.slice(0, 4), { type: "applied" }])).toThrow(IllegalTransition); // no command ran
    expect(() => run([{ type: "key-created", version: 1 }])).toThrow(/above 1/);
  });

  it("a failure before the first write abandons; after it, reverts", () => {
    expect(run([{ type: "failed", reason: "x" }]).phase).toBe("abandoned");
    expect(run([happy[0]!, { type: "failed", reason: "no ssh" }])).toMatchObject({ phase: "abandoned", error: "no ssh" });
    for (let n = 2; n <= 7; n++) {
      const s = run([...happy.slice(0, n), { type: "failed", reason: "boom" }]);
      expect(s.phase).toBe("reverting");
      expect(run([{ type: "reverted" }], s)).toMatchObject({ phase: "reverted", endsOnNew: [] });
      expect(run([{ type: "revert-failed", reason: "cut" }], s)).toMatchObject({ phase: "stuck", error: "boom; revert failed: cut" });
    }
  });

  it("the revert re-runs the key switch only if one began", () => {
    expect(run([...happy.slice(0, 4), { type: "failed", reason: "x" }]).applyStarted).toBe(false);
    expect(run([...happy.slice(0, 5), { type: "failed", reason: "x" }]).applyStarted).toBe(true);
  });

  it("terminal phases accept no further event; random event sequences never skip verification", () => {
    const events: RotationEvent[] = [
      ...happy,
      { type: "failed", reason: "r" },
      { type: "reverted" },
      { type: "revert-failed", reason: "r" },
    ];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...events), { maxLength: 14 }), (seq) => {
        let s = initialRotationState(1);
        let verified = false;
        for (const e of seq) {
          const before = s;
          try {
            s = transition(s, e);
          } catch (err) {
            expect(err).toBeInstanceOf(Error);
            continue;
          }
          if (isTerminal(before)) throw new Error(`left terminal ${before.phase}`);
          if (s.phase === "verified") verified = true;
          if (s.phase === "committed" && !verified) throw new Error("committed without verification");
        }
      }),
    );
  });
});

describe("recovery decisions", () => {
  const snap = (o: Partial<RecoverySnapshot> & { a: number | null; b: number | null }): RecoverySnapshot => ({
    deployState: o.deployState ?? "deployed",
    activeVersion: o.activeVersion === undefined ? 1 : o.activeVersion,
    pendingVersions: o.pendingVersions ?? [],
    ends: [
      { role: "a", appliedPskVersion: o.a },
      { role: "b", appliedPskVersion: o.b },
    ],
  });

  it("nothing to do when no key is pending and both ends hold the active one", () => {
    expect(decideRecovery(snap({ a: 1, b: 1 })).action).toBe("none");
  });
  it("finishes when both ends recorded the pending key", () => {
    expect(decideRecovery(snap({ a: 2, b: 2, pendingVersions: [2] }))).toMatchObject({
      action: "finish",
      oldVersion: 1,
      newVersion: 2,
      abandon: [],
    });
  });
  it("reverts when only one end or none got the pending key", () => {
    expect(decideRecovery(snap({ a: 2, b: 1, pendingVersions: [2] }))).toMatchObject({
      action: "revert",
      oldVersion: 1,
      abandon: [2],
      reason: "only end a received v2",
    });
    expect(decideRecovery(snap({ a: 1, b: 1, pendingVersions: [2] }))).toMatchObject({
      action: "revert",
      abandon: [2],
      reason: "no end recorded v2",
    });
  });
  it("reverts ends that drifted off the active key even with nothing pending", () => {
    expect(decideRecovery(snap({ a: 1, b: 3 }))).toMatchObject({ action: "revert", oldVersion: 1, abandon: [] });
  });
  it("settles the newest of several pending keys and abandons the rest", () => {
    expect(decideRecovery(snap({ a: 3, b: 3, pendingVersions: [2, 3] }))).toMatchObject({ action: "finish", newVersion: 3, abandon: [2] });
    expect(decideRecovery(snap({ a: 2, b: 2, pendingVersions: [2, 3] }))).toMatchObject({ action: "revert", abandon: [3, 2] });
  });
  it("leaves tunnels that are not deployed alone, and cannot act without an active key", () => {
    expect(decideRecovery(snap({ a: null, b: null, deployState: "torn-down", pendingVersions: [2] })).action).toBe("none");
    expect(decideRecovery(snap({ a: 1, b: 1, activeVersion: null })).action).toBe("stuck");
  });
  it("is deterministic and only finishes when both ends hold the newest pending key", () => {
    const v = fc.option(fc.integer({ min: 1, max: 4 }), { nil: null });
    fc.assert(
      fc.property(v, v, fc.uniqueArray(fc.integer({ min: 2, max: 4 }), { maxLength: 3 }), (a, b, pending) => {
        const s = snap({ a, b, pendingVersions: pending });
        const d = decideRecovery(s);
        expect(decideRecovery(s)).toEqual(d);
        if (d.action === "finish") expect(a === b && a === Math.max(...pending)).toBe(true);
        if (d.action === "revert") expect(d.oldVersion).toBe(1);
      }),
    );
  });
});
