import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  afterAnswer,
  initialLeaderState,
  leaderTimings,
  nextQuestion,
  worstTakeoverMs,
  type LeaderAnswer,
  type LeaderState,
} from "./leader-state";

const follower: LeaderState = { leader: false, failing: false };
const leader: LeaderState = { leader: true, failing: false };
const failed = (reason = "connect ECONNREFUSED"): LeaderAnswer => ({ kind: "failed", reason });

describe("nextQuestion", () => {
  it("the holder pings its own connection; everyone else tries the lock", () => {
    expect(nextQuestion(initialLeaderState)).toBe("try-lock");
    expect(nextQuestion(follower)).toBe("try-lock");
    expect(nextQuestion({ leader: false, failing: true })).toBe("try-lock");
    expect(nextQuestion(leader)).toBe("ping");
  });
});

describe("afterAnswer", () => {
  it("a follower that takes the lock leads, and says so once", () => {
    expect(afterAnswer(follower, { kind: "acquired" })).toEqual({ state: leader, event: { kind: "gained" } });
    expect(afterAnswer(leader, { kind: "alive" })).toEqual({ state: leader, event: null });
  });

  it("a follower that finds the lock taken stays quiet", () => {
    expect(afterAnswer(follower, { kind: "taken" })).toEqual({ state: follower, event: null });
  });

  it("a holder whose connection fails steps down with the reason", () => {
    const r = afterAnswer(leader, failed("terminating connection due to idle-session timeout"));
    expect(r.state.leader).toBe(false);
    expect(r.event).toEqual({ kind: "lost", reason: "terminating connection due to idle-session timeout" });
  });

  it("reports an unreachable database once, not at every check, and again after it came back", () => {
    const first = afterAnswer(follower, failed());
    expect(first.event).toEqual({ kind: "unavailable", reason: "connect ECONNREFUSED" });
    const second = afterAnswer(first.state, failed());
    expect(second.event).toBeNull();
    const back = afterAnswer(second.state, { kind: "taken" });
    expect(back).toEqual({ state: follower, event: null });
    expect(afterAnswer(back.state, failed()).event?.kind).toBe("unavailable");
  });

  it("leads exactly when the last answer proved the lock is held by this session", () => {
    const answer = fc.oneof(
      fc.constant<LeaderAnswer>({ kind: "acquired" }),
      fc.constant<LeaderAnswer>({ kind: "taken" }),
      fc.constant<LeaderAnswer>({ kind: "alive" }),
      fc.string().map(failed),
    );
    fc.assert(
      fc.property(fc.array(answer, { maxLength: 40 }), (answers) => {
        let state = initialLeaderState;
        let leads = false;
        for (const a of answers) {
          // The I/O side asks what nextQuestion says; "alive" only answers a ping, "acquired"/"taken" a try.
          const asked = nextQuestion(state);
          if ((asked === "ping") !== (a.kind === "alive" || a.kind === "failed")) continue;
          const r = afterAnswer(state, a);
          const gained = r.event?.kind === "gained";
          const lost = r.event?.kind === "lost";
          expect(gained).toBe(!state.leader && r.state.leader);
          expect(lost).toBe(state.leader && !r.state.leader);
          leads = a.kind === "acquired" || (a.kind === "alive" && leads);
          expect(r.state.leader).toBe(leads);
          state = r.state;
        }
      }),
    );
  });
});

describe("leaderTimings", () => {
  it("the default 30 s interval: checks every 7.5 s, a dead leader replaced within one interval", () => {
    const t = leaderTimings(30_000);
    expect(t).toEqual({ checkEveryMs: 7500, queryTimeoutMs: 7500, idleSessionTimeoutMs: 15_000, keepaliveSeconds: 8 });
    expect(worstTakeoverMs(t, "closed")).toBe(15_000);
    expect(worstTakeoverMs(t, "silent")).toBe(30_000);
  });

  it("for every allowed interval: at least two pings per idle timeout, checks 1–10 s, a silent leader replaced within one interval (10 s at least)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3600 }), (seconds) => {
        const t = leaderTimings(seconds * 1000);
        expect(t.checkEveryMs).toBeGreaterThanOrEqual(1000);
        expect(t.checkEveryMs).toBeLessThanOrEqual(10_000);
        expect(t.idleSessionTimeoutMs).toBeGreaterThanOrEqual(2 * t.checkEveryMs);
        expect(t.queryTimeoutMs).toBeLessThanOrEqual(Math.max(t.checkEveryMs, 2000));
        expect(worstTakeoverMs(t, "closed")).toBeLessThanOrEqual(worstTakeoverMs(t, "silent"));
        expect(worstTakeoverMs(t, "silent")).toBeLessThanOrEqual(Math.max(seconds * 1000, 10_000));
      }),
    );
  });
});
