import { describe, expect, it } from "vitest";
import { conditionsFor, type AlertSnapshot, type SnapshotTunnel } from "./conditions";

const now = new Date("2026-12-06T12:00:00Z");
const ago = (min: number) => new Date(now.getTime() - min * 60_000);
const DAY = 86_400_000;

const tunnel = (over: Partial<SnapshotTunnel>): SnapshotTunnel => ({
  id: "t1",
  deployState: "deployed",
  healthState: "up",
  healthReason: "Up on both ends.",
  healthAt: ago(10),
  ends: [
    { gateway: "hq-gw", site: "hq" },
    { gateway: "branch1-gw", site: "branch1" },
  ],
  keyActivatedAt: ago(60),
  keyVersion: 1,
  pskMaxAgeDays: null,
  ...over,
});

const snap = (over: Partial<AlertSnapshot>): AlertSnapshot => ({ tunnels: [], gateways: [], jobs: [], ...over });
const rule = (kind: Parameters<typeof conditionsFor>[0]["kind"], threshold: number | null = null) => ({
  kind,
  threshold,
  createdAt: ago(120),
});

describe("conditionsFor", () => {
  it("tunnel-down sees deployed down tunnels with names, reason, link and since", () => {
    const s = snap({
      tunnels: [
        tunnel({ healthState: "down", healthReason: "Down on both ends." }),
        tunnel({ id: "t2", healthState: "degraded" }),
        tunnel({ id: "t3", healthState: "down", deployState: "torn-down" }),
      ],
    });
    expect(conditionsFor(rule("tunnel-down"), s, now)).toEqual([
      {
        subjectType: "tunnel",
        subjectId: "t1",
        title: "Tunnel down: hq-gw ↔ branch1-gw",
        state: "down",
        reason: "Down on both ends.",
        path: "/tunnels/t1",
        names: { tunnel: "hq-gw ↔ branch1-gw", gateways: ["hq-gw", "branch1-gw"], sites: ["hq", "branch1"] },
        since: ago(10),
      },
    ]);
    expect(conditionsFor(rule("tunnel-degraded"), s, now).map((c) => c.subjectId)).toEqual(["t1", "t2"]);
  });

  it("gateway-unmanageable: host key changed, authentication refused, unreachable; not ok or unknown", () => {
    const g = (id: string, reachability: string) => ({ id, name: `${id}-gw`, site: id, reachability, reachabilityReason: "why" });
    const s = snap({
      gateways: [g("a", "ok"), g("b", "host-key-changed"), g("c", "auth-failed"), g("d", "unreachable"), g("e", "unknown")],
    });
    const c = conditionsFor(rule("gateway-unmanageable"), s, now);
    expect(c.map((x) => [x.subjectId, x.state, x.path])).toEqual([
      ["b", "host-key-changed", "/gateways/b"],
      ["c", "auth-failed", "/gateways/c"],
      ["d", "unreachable", "/gateways/d"],
    ]);
  });

  it("job-failed: the latest failure per work since the rule existed, keyed by kind and target", () => {
    const job = (id: string, status: string, finishedMin: number) => ({
      id,
      kind: "deploy",
      status,
      targetType: "tunnel",
      targetId: "t1",
      error: "boom",
      createdAt: ago(finishedMin + 1),
      startedAt: ago(finishedMin + 1),
      finishedAt: ago(finishedMin),
    });
    const s = snap({ tunnels: [tunnel({})], jobs: [job("j1", "failed", 5), job("old", "failed", 500)] });
    const c = conditionsFor(rule("job-failed"), s, now);
    expect(c).toHaveLength(1);
    expect(c[0]).toMatchObject({
      subjectId: "deploy:tunnel:t1",
      title: "Job failed: deploy of hq-gw ↔ branch1-gw",
      path: "/jobs/j1",
      reason: "boom",
    });
    expect(conditionsFor(rule("job-failed"), snap({ jobs: [job("j2", "succeeded", 1)] }), now)).toEqual([]);
  });

  it("job-stuck: running or queued past the threshold", () => {
    const j = (id: string, status: string, startedMin: number) => ({
      id,
      kind: "rotate",
      status,
      targetType: "fleet",
      targetId: "all",
      error: null,
      createdAt: ago(startedMin),
      startedAt: status === "running" ? ago(startedMin) : null,
      finishedAt: null,
    });
    const s = snap({ jobs: [j("a", "running", 45), j("b", "running", 10), j("c", "queued", 31)] });
    expect(conditionsFor(rule("job-stuck"), s, now).map((c) => c.subjectId)).toEqual(["a", "c"]);
    expect(conditionsFor(rule("job-stuck", 60), s, now)).toEqual([]);
  });

  it("psk-age: keys past their maximum age only; off when no age is set", () => {
    const s = snap({
      tunnels: [
        tunnel({ id: "old", keyActivatedAt: new Date(now.getTime() - 100 * DAY), pskMaxAgeDays: 90 }),
        tunnel({ id: "young", keyActivatedAt: new Date(now.getTime() - 10 * DAY), pskMaxAgeDays: 90 }),
        tunnel({ id: "off", keyActivatedAt: new Date(now.getTime() - 900 * DAY), pskMaxAgeDays: null }),
      ],
    });
    const c = conditionsFor(rule("psk-age"), s, now);
    expect(c.map((x) => x.subjectId)).toEqual(["old"]);
    expect(c[0]!.reason).toBe("Key version 1 is 100 days old; the maximum is 90 days.");
    expect(c[0]!.since).toEqual(new Date(now.getTime() - 10 * DAY));
  });
});
