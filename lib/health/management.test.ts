import { describe, expect, it } from "vitest";
import { managementCheckDue, managementLabel, type ManagementCheckInput } from "./management";

const base: ManagementCheckInput = {
  last: { checkedAt: 1_000_000, ok: true },
  now: 1_000_000 + 60_000,
  intervalMs: 180_000,
  recorded: { state: "ok", at: new Date(1_000_000) },
  pooled: true,
  suspect: false,
};

describe("managementCheckDue", () => {
  it("not due while the last fresh check was ok, recent, and nothing newer was recorded", () => {
    expect(managementCheckDue(base).due).toBe(false);
  });

  it("due once the interval has elapsed, however well the pooled session works", () => {
    expect(managementCheckDue({ ...base, now: 1_000_000 + 180_000 })).toEqual({ due: true, why: "interval elapsed" });
  });

  it("due at once after a job recorded a failure to connect since the last check", () => {
    const r = managementCheckDue({ ...base, recorded: { state: "host-key-changed", at: new Date(1_000_001) } });
    expect(r).toEqual({ due: true, why: '"host-key-changed" recorded since the last check' });
  });

  it("a failure recorded before the last check (by the check itself) does not trigger, but a broken state is re-checked each round", () => {
    const recorded = { state: "unreachable", at: new Date(999_000) };
    expect(managementCheckDue({ ...base, recorded }).due).toBe(false);
    expect(managementCheckDue({ ...base, recorded, last: { checkedAt: 1_000_000, ok: false } }).due).toBe(true);
  });

  it("due without a pooled session, on the first round, for an unknown state, or after the pooled session failed", () => {
    expect(managementCheckDue({ ...base, pooled: false }).due).toBe(true);
    expect(managementCheckDue({ ...base, last: undefined }).due).toBe(true);
    expect(managementCheckDue({ ...base, recorded: { state: "unknown", at: null } }).due).toBe(true);
    expect(managementCheckDue({ ...base, suspect: true }).due).toBe(true);
  });
});

describe("managementLabel", () => {
  it("names what broke, and never reads a broken state as ok", () => {
    expect(managementLabel("ok")).toEqual({ text: "management ok", tone: "ok" });
    expect(managementLabel("host-key-changed")).toEqual({ text: "management broken: host key changed", tone: "broken" });
    expect(managementLabel("auth-failed").tone).toBe("broken");
    expect(managementLabel("unreachable").text).toBe("management broken: SSH unreachable");
    expect(managementLabel("unknown").tone).toBe("unknown");
  });
});
