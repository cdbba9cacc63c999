// What a channel receives, pure: the webhook's JSON body and its HMAC-SHA256 signature,
// the e-mail's subject and text. Secrets never appear here (the signing key only signs).
import { createHmac } from "node:crypto";
import type { AlertNames } from "./conditions";

export type AlertMessage = {
  event: "firing" | "resolved";
  deliveryId: string;
  alert: {
    id: string;
    rule: { id: string; name: string; kind: string };
    subject: { type: string; id: string };
    title: string;
    state: string;
    reason: string;
    names: AlertNames;
    since: Date;
    firedAt: Date | null;
    resolvedAt: Date | null;
    /** Absolute link to the page (GATEWARDEN_PUBLIC_URL + path). */
    link: string;
  };
};

export const SIGNATURE_HEADER = "X-Gatewarden-Signature";

/** The webhook body: stable field names, ISO times, version 1. */
export function webhookBody(m: AlertMessage): string {
  const a = m.alert;
  return JSON.stringify({
    version: 1,
    status: m.event,
    deliveryId: m.deliveryId,
    alert: {
      id: a.id,
      rule: a.rule,
      subject: a.subject,
      title: a.title,
      state: a.state,
      reason: a.reason,
      tunnel: a.names.tunnel ?? null,
      gateways: a.names.gateways,
      sites: a.names.sites,
      since: a.since.toISOString(),
      firedAt: a.firedAt?.toISOString() ?? null,
      resolvedAt: a.resolvedAt?.toISOString() ?? null,
      link: a.link,
    },
  });
}

/**
 * `t=<unix seconds>,sha256=<hex>` over "<t>.<body>": the receiver recomputes it with the
 * shared key and refuses old timestamps, so a captured delivery cannot be replayed later.
 */
export function signWebhook(body: string, key: string, at: Date): string {
  const t = Math.floor(at.getTime() / 1000);
  const mac = createHmac("sha256", key).update(`${t}.${body}`).digest("hex");
  return `t=${t},sha256=${mac}`;
}

export function emailSubject(m: AlertMessage): string {
  return `[${m.event === "firing" ? "FIRING" : "RESOLVED"}] ${m.alert.title}`;
}

export function emailText(m: AlertMessage): string {
  const a = m.alert;
  const lines = [
    m.event === "firing" ? `${a.title}` : `Resolved: ${a.title}`,
    "",
    `State:    ${m.event === "resolved" ? `resolved (was ${a.state})` : a.state}`,
    `Reason:   ${a.reason || "-"}`,
    ...(a.names.tunnel ? [`Tunnel:   ${a.names.tunnel}`] : []),
    ...(a.names.gateways.length ? [`Gateways: ${a.names.gateways.join(", ")}`] : []),
    ...(a.names.sites.length ? [`Sites:    ${a.names.sites.join(", ")}`] : []),
    `Since:    ${a.since.toISOString()}`,
    ...(a.resolvedAt ? [`Resolved: ${a.resolvedAt.toISOString()}`] : []),
    `Rule:     ${a.rule.name}`,
    "",
    a.link,
  ];
  return lines.join("\n") + "\n";
}
