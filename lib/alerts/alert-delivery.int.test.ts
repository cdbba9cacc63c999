// Alert channels against real receivers on loopback, no lab routers: e-mail through an
// SMTP sink this test runs (login checked, message kept), and a webhook receiver that
// never answers, retried with backoff and then marked failed while the health poller's
// rounds go on undisturbed. The alerts come from a job-failed rule over real job rows.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdmin, freshAppDatabase } from "@/e2e/support/app-db";
import { startHttpReceiver, startSmtpSink, waitFor } from "./test-support/receivers";

const PUBLIC_URL = "https://gatewarden.test";
process.env.GATEWARDEN_PUBLIC_URL = PUBLIC_URL;

let admin: { id: string; username: string };

beforeAll(async () => {
  await freshAppDatabase();
  admin = await createAdmin();
});

/** A finished job row, as the runner leaves one. */
async function finishedJob(status: "failed" | "succeeded", targetId: string, error: string | null = null) {
  const { getDb } = await import("@/lib/db/client");
  const now = new Date();
  return getDb().job.create({
    data: { kind: "deploy", status, targetType: "tunnel", targetId, createdByName: "admin", error, startedAt: now, finishedAt: now },
  });
}

describe("e-mail alerts over SMTP", () => {
  let sink: Awaited<ReturnType<typeof startSmtpSink>>;
  afterAll(async () => {
    const { getDb } = await import("@/lib/db/client");
    await getDb().alertChannel.deleteMany({ where: { kind: "email" } });
    await sink?.close();
  });

  it("mails a firing and a resolved message, logged in with the channel's encrypted password", async () => {
    const password = "smtp password 4 alerts";
    sink = await startSmtpSink({ username: "gatewarden", password });
    const { createAlertChannel, createAlertRule } = await import("@/lib/alerts/manage-alerts");
    const { AlertEngine } = await import("@/lib/alerts/alert-engine");
    const { AlertDispatcher } = await import("@/lib/alerts/dispatcher");
    const { getDb } = await import("@/lib/db/client");
    const channel = await createAlertChannel(admin, {
      name: "noc mail",
      kind: "email",
      host: "127.0.0.1",
      port: String(sink.port),
      security: "none",
      username: "gatewarden",
      secret: password,
      from: "gatewarden@example.net",
      to: "noc@example.net, oncall@example.net",
    });
    // At rest the password is an envelope, and the audit log says only that one is set.
    const row = await getDb().alertChannel.findUniqueOrThrow({ where: { id: channel.id } });
    expect(row.secretEnc).toMatch(/^gw1\./);
    expect(row.secretEnc).not.toContain(password);
    expect(row.config).not.toContain(password);
    const audit = await getDb().auditEvent.findFirstOrThrow({ where: { action: "alert-channel.create", targetId: channel.id } });
    expect(JSON.stringify(audit)).not.toContain(password);

    await createAlertRule(admin, { ruleName: "deploys failing", ruleKind: "job-failed", channelId: channel.id, graceSeconds: "0" });
    const dispatcher = new AlertDispatcher({ timeoutMs: 5000 });
    const engine = new AlertEngine(dispatcher);

    const job = await finishedJob("failed", "tunnel-mail", "SSH unreachable on branch1-gw");
    expect(await engine.afterRound()).toBe(1);
    await dispatcher.idle();
    expect(await engine.afterRound()).toBe(0); // still failed: no second message
    await dispatcher.idle();
    expect(sink.mails).toHaveLength(1);
    const firing = sink.mails[0]!;
    expect(firing.user).toBe("gatewarden");
    expect(firing.from).toBe("gatewarden@example.net");
    expect(firing.to).toEqual(["noc@example.net", "oncall@example.net"]);
    expect(firing.raw).toMatch(/^Subject: \[FIRING\] Job failed: deploy of tunnel tunnel-mail$/m);
    expect(firing.raw).toContain("SSH unreachable on branch1-gw");
    expect(firing.raw).toContain(`${PUBLIC_URL}/jobs/${job.id}`);
    expect(sink.logins).toEqual([{ username: "gatewarden", ok: true }]);

    // The same work succeeding later resolves it.
    await new Promise((r) => setTimeout(r, 5));
    await finishedJob("succeeded", "tunnel-mail");
    expect(await engine.afterRound()).toBe(1);
    await dispatcher.idle();
    expect(sink.mails).toHaveLength(2);
    expect(sink.mails[1]!.raw).toMatch(/^Subject: \[RESOLVED\] Job failed: deploy of tunnel tunnel-mail$/m);
    await dispatcher.stop();
  });

  it("a refused login is a failed attempt with the server's reply, not the password", async () => {
    const { createAlertChannel, createAlertRule } = await import("@/lib/alerts/manage-alerts");
    const { AlertEngine } = await import("@/lib/alerts/alert-engine");
    const { AlertDispatcher } = await import("@/lib/alerts/dispatcher");
    const { getDb } = await import("@/lib/db/client");
    const wrong = "not the password at all";
    const channel = await createAlertChannel(admin, {
      name: "bad login",
      kind: "email",
      host: "127.0.0.1",
      port: String(sink.port),
      security: "none",
      username: "gatewarden",
      secret: wrong,
      from: "gatewarden@example.net",
      to: "noc@example.net",
    });
    await createAlertRule(admin, { ruleName: "bad login rule", ruleKind: "job-failed", channelId: channel.id, graceSeconds: "0" });
    const dispatcher = new AlertDispatcher({ retry: { maxAttempts: 1, firstDelayMs: 10, maxDelayMs: 10 }, timeoutMs: 5000 });
    await finishedJob("failed", "tunnel-bad-login", "boom");
    await new AlertEngine(dispatcher).afterRound();
    await dispatcher.idle();
    const d = await getDb().alertDelivery.findFirstOrThrow({ where: { channelId: channel.id } });
    expect(d.status).toBe("failed");
    expect(d.lastError).toMatch(/^SMTP: 535/);
    expect(d.lastError).not.toContain(wrong);
    await dispatcher.stop();
  });
});

describe("a failing webhook receiver", () => {
  it("is retried with backoff, then marked failed, while the poller's rounds keep their pace", async () => {
    const receiver = await startHttpReceiver("hang");
    const { createAlertChannel, createAlertRule } = await import("@/lib/alerts/manage-alerts");
    const { AlertEngine } = await import("@/lib/alerts/alert-engine");
    const { AlertDispatcher } = await import("@/lib/alerts/dispatcher");
    const { HealthPoller } = await import("@/lib/health/poller");
    const { getDb } = await import("@/lib/db/client");
    const channel = await createAlertChannel(admin, { name: "dead hook", kind: "webhook", url: receiver.url, secret: "" });
    await createAlertRule(admin, { ruleName: "deploys failing (hook)", ruleKind: "job-failed", channelId: channel.id, graceSeconds: "0" });

    const timeoutMs = 1500;
    const dispatcher = new AlertDispatcher({ retry: { maxAttempts: 3, firstDelayMs: 300, maxDelayMs: 1000 }, timeoutMs });
    const engine = new AlertEngine(dispatcher);
    const rounds: number[] = [];
    const poller = new HealthPoller({
      intervalMs: 200,
      maxConcurrent: 2,
      afterRound: async () => {
        rounds.push(Date.now());
        await engine.afterRound();
      },
    });
    await finishedJob("failed", "tunnel-hook", "boom");
    poller.start(0);
    try {
      const delivery = await waitFor(
        "the delivery marked failed",
        async () => {
          const d = await getDb().alertDelivery.findFirst({ where: { channelId: channel.id } });
          return d?.status === "failed" ? d : undefined;
        },
        30_000,
      );
      expect(delivery.attempts).toBe(3);
      expect(delivery.lastError).toBe(`no answer within ${timeoutMs / 1000} s`);
      expect(receiver.requests).toHaveLength(3);
      const [a, b, c] = receiver.requests.map((r) => r.at) as [number, number, number];
      // Rounds went on at their interval the whole time: no gap as long as one hanging attempt.
      const gaps = rounds.slice(1).map((t, i) => t - rounds[i]!);
      expect(Math.max(...gaps)).toBeLessThan(timeoutMs);
      expect(rounds.filter((t) => t >= a && t <= c + timeoutMs).length).toBeGreaterThanOrEqual(10);
      // Backoff: each attempt waited out its timeout, then the delay, which doubles (300 ms, then
      // 600 ms). Measured over both gaps, with a margin for this one process's event-loop jitter.
      expect(b).toBeGreaterThan(a);
      expect(c - a).toBeGreaterThanOrEqual(2 * timeoutMs + 900 - 300);
      // No more attempts after it failed.
      const seen = receiver.requests.length;
      await new Promise((r) => setTimeout(r, 1500));
      expect(receiver.requests).toHaveLength(seen);
    } finally {
      await poller.stop();
      await dispatcher.stop();
      await receiver.close();
    }
  });
});
