import { describe, expect, it } from "vitest";
import { stuckState, type StuckInput } from "./stuck-state";

const now = new Date("2026-12-06T12:00:00Z");
const base: StuckInput = {
  deployState: "deployed",
  ends: [
    { role: "a", appliedPskVersion: 1, gatewayName: "hq-gw" },
    { role: "b", appliedPskVersion: 2, gatewayName: "branch1-gw" },
  ],
  keys: [
    { version: 1, status: "active", createdAt: new Date("2026-12-06T10:00:00Z") },
    { version: 2, status: "pending", createdAt: new Date("2026-12-06T11:00:00Z") },
  ],
  running: 0,
  recovery: null,
};

describe("stuck rotation", () => {
  it("a pending key with no job on it is stuck: which end holds what, and what to do", () => {
    const s = stuckState(base, now)!;
    expect(s).toMatchObject({ activeVersion: 1, pending: [2], ends: "hq-gw holds v1, branch1-gw holds v2" });
    expect(s.since).toEqual(new Date("2026-12-06T11:00:00Z"));
    expect(s.todo).toMatch(/press Repair to put the active key v1 on both ends/);
    expect(s.recovery).toBe("No recovery job is queued.");
  });

  it("not stuck: no pending key, a job at work, or not deployed", () => {
    expect(stuckState({ ...base, keys: [base.keys[0]!] }, now)).toBeNull();
    expect(stuckState({ ...base, running: 1 }, now)).toBeNull();
    expect(stuckState({ ...base, deployState: "torn-down" }, now)).toBeNull();
  });

  it("says when the next recovery attempt runs, or that none will", () => {
    const later = new Date("2026-12-06T12:02:00Z");
    expect(stuckState({ ...base, recovery: { id: "j", status: "queued", attempt: 3, notBefore: later, error: null } }, now)!.recovery).toBe(
      "Recovery attempt 3 is scheduled for 2026-12-06T12:02:00.000Z.",
    );
    expect(stuckState({ ...base, recovery: { id: "j", status: "queued", attempt: 1, notBefore: null, error: null } }, now)!.recovery).toBe(
      "Recovery attempt 1 is queued.",
    );
    expect(
      stuckState({ ...base, recovery: { id: "j", status: "failed", attempt: 6, notBefore: null, error: "branch1-gw: auth" } }, now)!
        .recovery,
    ).toMatch(/failed: branch1-gw: auth, and no next attempt is queued: press Repair/);
  });
});
