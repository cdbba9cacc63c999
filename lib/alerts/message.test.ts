import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { emailSubject, emailText, signWebhook, webhookBody, type AlertMessage } from "./message";
import { afterFailure, DEFAULT_RETRY } from "./retry";
import { effectiveMaxAgeDays, pskAgeOf } from "./psk-age";

const m: AlertMessage = {
  event: "firing",
  deliveryId: "d1",
  alert: {
    id: "a1",
    rule: { id: "r1", name: "Tunnels down", kind: "tunnel-down" },
    subject: { type: "tunnel", id: "t1" },
    title: "Tunnel down: hq-gw ↔ branch1-gw",
    state: "down",
    reason: "Down on both ends.",
    names: { tunnel: "hq-gw ↔ branch1-gw", gateways: ["hq-gw", "branch1-gw"], sites: ["hq", "branch1"] },
    since: new Date("2026-12-06T10:00:00Z"),
    firedAt: new Date("2026-12-06T10:02:00Z"),
    resolvedAt: null,
    link: "https://gw.example.net/tunnels/t1",
  },
};

describe("alert messages", () => {
  it("the webhook body carries status, names, state, reason and link", () => {
    const body = JSON.parse(webhookBody(m));
    expect(body).toMatchObject({
      version: 1,
      status: "firing",
      deliveryId: "d1",
      alert: {
        tunnel: "hq-gw ↔ branch1-gw",
        gateways: ["hq-gw", "branch1-gw"],
        sites: ["hq", "branch1"],
        state: "down",
        reason: "Down on both ends.",
        link: "https://gw.example.net/tunnels/t1",
        since: "2026-12-06T10:00:00.000Z",
        resolvedAt: null,
      },
    });
  });

  it("signs timestamp.body with HMAC-SHA256, as a receiver recomputes it", () => {
    const body = webhookBody(m);
    const at = new Date("2026-12-06T10:02:03.500Z");
    const sig = signWebhook(body, "k3y", at);
    const t = Math.floor(at.getTime() / 1000);
    expect(sig).toBe(`t=${t},sha256=${createHmac("sha256", "k3y").update(`${t}.${body}`).digest("hex")}`);
    expect(signWebhook(body, "other", at)).not.toBe(sig);
  });

  it("e-mail subject and text", () => {
    expect(emailSubject(m)).toBe("[FIRING] Tunnel down: hq-gw ↔ branch1-gw");
    expect(emailSubject({ ...m, event: "resolved" })).toBe("[RESOLVED] Tunnel down: hq-gw ↔ branch1-gw");
    const text = emailText(m);
    expect(text).toContain("Reason:   Down on both ends.");
    expect(text).toContain("Sites:    hq, branch1");
    expect(text).toContain("https://gw.example.net/tunnels/t1");
  });
});

describe("retry backoff", () => {
  it("doubles from the first delay up to the ceiling, then gives up after the last attempt", () => {
    const now = new Date(0);
    const policy = { maxAttempts: 4, firstDelayMs: 1000, maxDelayMs: 3000 };
    expect(afterFailure(1, policy, now)).toEqual({ status: "pending", at: new Date(1000) });
    expect(afterFailure(2, policy, now)).toEqual({ status: "pending", at: new Date(2000) });
    expect(afterFailure(3, policy, now)).toEqual({ status: "pending", at: new Date(3000) });
    expect(afterFailure(4, policy, now)).toEqual({ status: "failed" });
    expect(DEFAULT_RETRY.maxAttempts).toBeGreaterThan(1);
  });
});

describe("PSK age", () => {
  const now = new Date("2026-12-06T00:00:00Z");
  const days = (d: number) => new Date(now.getTime() - d * 86_400_000);
  it("ok, near (last tenth, at least a day) and expired; off without a maximum or when not deployed", () => {
    const t = (d: number, max: number | null, deployState = "deployed") =>
      pskAgeOf({ deployState, keyActivatedAt: days(d), pskMaxAgeDays: max }, now);
    expect(t(10, 90)?.status).toBe("ok");
    expect(t(82, 90)?.status).toBe("near");
    expect(t(90, 90)?.status).toBe("expired");
    expect(t(9, 10)?.status).toBe("near");
    expect(t(500, null)).toBeNull();
    expect(t(500, 90, "pending")).toBeNull();
  });
  it("the tunnel's own maximum wins; else the shorter of its sites'", () => {
    expect(effectiveMaxAgeDays(30, [10, 20])).toBe(30);
    expect(effectiveMaxAgeDays(null, [90, 60])).toBe(60);
    expect(effectiveMaxAgeDays(null, [null, 60])).toBe(60);
    expect(effectiveMaxAgeDays(null, [null, null])).toBeNull();
  });
});
