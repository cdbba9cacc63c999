// Alerts end to end on lab routers: a deployed tunnel, a tunnel-down rule with a short
// grace period sending to a webhook receiver this test runs on loopback, and the health
// poller's scheduled rounds driving the alert engine. Stopping a router's charon must
// reach the receiver as exactly one signed "firing" delivery, and starting it again as
// exactly one "resolved" delivery, however many rounds see each state.
import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runJobToEnd, startLabApp, stopLabApp } from "@/e2e/support/lab-jobs";
import { execInRouter, startCharon, stopCharon, type LabState } from "@/e2e/lab/lab";
import type { HealthPoller } from "@/lib/health/poller";
import type { AlertDispatcher } from "@/lib/alerts/dispatcher";
import { startHttpReceiver, waitFor } from "./test-support/receivers";

const LAB = "h-alerts-lab";
const PUBLIC_URL = "https://gatewarden.test";
const SIGNING_KEY = "webhook signing key for the lab test";
const GRACE_SECONDS = 4;

process.env.GATEWARDEN_PUBLIC_URL = PUBLIC_URL;

let lab: LabState;
let admin: { id: string; username: string };
let tunnelId: string;
let poller: HealthPoller;
let dispatcher: AlertDispatcher;
let receiver: Awaited<ReturnType<typeof startHttpReceiver>>;
const rounds: number[] = [];

const events = () => receiver.requests.map((r) => JSON.parse(r.body) as { status: string; alert: Record<string, unknown> });

beforeAll(async () => {
  const registered = await startLabApp({ name: LAB, sites: 2, platforms: ["strongswan", "strongswan"], tunnels: "hub-and-spoke" });
  ({ lab, admin } = registered);
  expect(registered.tunnelIds).toHaveLength(1);
  tunnelId = registered.tunnelIds[0]!;
  expect((await runJobToEnd(admin, "deploy", { tunnelId })).error).toBeNull();

  receiver = await startHttpReceiver("ok");
  const { createAlertChannel, createAlertRule } = await import("@/lib/alerts/manage-alerts");
  const channel = await createAlertChannel(admin, { name: "lab hook", kind: "webhook", url: receiver.url, secret: SIGNING_KEY });
  await createAlertRule(admin, {
    ruleName: "tunnel down",
    ruleKind: "tunnel-down",
    channelId: channel.id,
    graceSeconds: String(GRACE_SECONDS),
  });

  const { HealthPoller } = await import("@/lib/health/poller");
  const { AlertEngine } = await import("@/lib/alerts/alert-engine");
  const { AlertDispatcher } = await import("@/lib/alerts/dispatcher");
  dispatcher = new AlertDispatcher({ retry: { maxAttempts: 3, firstDelayMs: 500, maxDelayMs: 2000 }, timeoutMs: 3000 });
  const engine = new AlertEngine(dispatcher);
  // The real scheduling path: start() → leader check (one process: always) → round → alert rules.
  poller = new HealthPoller({
    intervalMs: 1000,
    maxConcurrent: 4,
    afterRound: async () => {
      rounds.push(Date.now());
      await engine.afterRound();
    },
  });
  poller.start(0);
});

afterAll(async () => {
  await poller?.stop();
  await dispatcher?.stop();
  await receiver?.close();
  await stopLabApp(LAB);
});

describe("alerts from health rounds on lab routers", () => {
  it("sends exactly one firing and one resolved delivery when a router's charon stops and starts again", async () => {
    const { getDb } = await import("@/lib/db/client");
    const db = getDb();
    await waitFor("the tunnel up", async () => (await db.tunnel.findUnique({ where: { id: tunnelId } }))?.healthState === "up");
    const roundsBefore = rounds.length;
    await waitFor("two more rounds", () => rounds.length >= roundsBefore + 2);
    expect(receiver.requests).toHaveLength(0);

    const stoppedAt = Date.now();
    let firedAfterMs = 0;
    let startedAt = 0;
    await stopCharon(lab, "branch1");
    try {
      await waitFor("the firing delivery", () => receiver.requests.length >= 1, 90_000);
      firedAfterMs = receiver.requests[0]!.at - stoppedAt;
      // Several rounds saw the tunnel down while the grace period ran: none of them sent anything.
      expect(firedAfterMs).toBeGreaterThanOrEqual(GRACE_SECONDS * 1000);
      const roundsAtFire = rounds.length;
      await waitFor("three more rounds while down", () => rounds.length >= roundsAtFire + 3);
      expect(receiver.requests).toHaveLength(1);
    } finally {
      startedAt = Date.now();
      await startCharon(lab, "branch1");
      await execInRouter(lab, "branch1", ["swanctl", "--load-all"]);
    }
    await waitFor("the resolved delivery", () => receiver.requests.length >= 2, 90_000);
    const intervals = rounds.slice(1).map((t, i) => t - rounds[i]!);
    console.log(
      `alerts: firing ${firedAfterMs} ms after charon stopped (grace ${GRACE_SECONDS} s), resolved ${receiver.requests[1]!.at - startedAt} ms after it started; ` +
        `${rounds.length} rounds, median ${intervals.sort((a, b) => a - b)[intervals.length >> 1]} ms apart`,
    );
    const roundsAtResolve = rounds.length;
    await waitFor("three more rounds while up", () => rounds.length >= roundsAtResolve + 3);
    await dispatcher.idle();

    expect(events().map((e) => e.status)).toEqual(["firing", "resolved"]);
    const [firing, resolved] = events() as [ReturnType<typeof events>[number], ReturnType<typeof events>[number]];
    expect(firing.alert).toMatchObject({
      title: "Tunnel down: hq-gw ↔ branch1-gw",
      tunnel: "hq-gw ↔ branch1-gw",
      gateways: ["hq-gw", "branch1-gw"],
      sites: ["HQ", "Branch 1"],
      state: "down",
      link: `${PUBLIC_URL}/tunnels/${tunnelId}`,
      rule: { name: "tunnel down", kind: "tunnel-down" },
    });
    expect(firing.alert.reason).toContain("branch1-gw");
    expect(resolved.alert).toMatchObject({ id: firing.alert.id, link: firing.alert.link });
    expect(resolved.alert.resolvedAt).not.toBeNull();

    // Each body is signed with the channel's key over "<t>.<body>".
    for (const r of receiver.requests) {
      const m = /^t=(\d+),sha256=([0-9a-f]{64})$/.exec(String(r.headers["x-gatewarden-signature"]))!;
      expect(m).not.toBeNull();
      expect(m[2]).toBe(createHmac("sha256", SIGNING_KEY).update(`${m[1]}.${r.body}`).digest("hex"));
    }

    // Recorded: one resolved alert, two delivered deliveries, for the Alerts page.
    const alerts = await db.alert.findMany({ include: { deliveries: true } });
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ status: "resolved", subjectId: tunnelId });
    expect(alerts[0]!.deliveries.map((d) => [d.event, d.status, d.attempts])).toEqual([
      ["firing", "delivered", 1],
      ["resolved", "delivered", 1],
    ]);
    // The rule changes are in the audit log.
    expect((await db.auditEvent.findMany({ where: { action: { startsWith: "alert-" } } })).map((e) => e.action).sort()).toEqual([
      "alert-channel.create",
      "alert-rule.create",
    ]);
  });
});
