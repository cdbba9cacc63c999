// Sends one alert message over one channel: a webhook POST (signed when the channel has a
// key) or an e-mail through the channel's SMTP server (nodemailer). Throws a
// DeliveryError with a short, secret-free reason when the receiver did not accept it.
import "server-only";
import nodemailer from "nodemailer";
import type { ChannelConfig } from "./channel-config";
import { emailSubject, emailText, signWebhook, SIGNATURE_HEADER, webhookBody, type AlertMessage } from "./message";

export class DeliveryError extends Error {}

export type SendOptions = { timeoutMs: number };

export async function sendAlert(channel: ChannelConfig, secret: string | null, message: AlertMessage, opts: SendOptions): Promise<void> {
  if (channel.kind === "webhook") return sendWebhook(channel.config.url, secret, message, opts);
  return sendEmail(channel.config, secret, message, opts);
}

async function sendWebhook(url: string, key: string | null, message: AlertMessage, opts: SendOptions) {
  const body = webhookBody(message);
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "user-agent": "Gatewarden-Alerts/1",
    "x-gatewarden-event": message.event,
    "x-gatewarden-delivery": message.deliveryId,
  };
  if (key) headers[SIGNATURE_HEADER.toLowerCase()] = signWebhook(body, key, new Date());
  let res: Response;
  try {
    // No redirects: a receiver that moved says so in the delivery log instead of the body going elsewhere.
    res = await fetch(url, { method: "POST", headers, body, redirect: "manual", signal: AbortSignal.timeout(opts.timeoutMs) });
  } catch (e) {
    const cause = (e as { cause?: { code?: string } }).cause?.code;
    const name = (e as Error).name;
    throw new DeliveryError(
      name === "TimeoutError" ? `no answer within ${opts.timeoutMs / 1000} s` : `could not connect (${cause ?? (e as Error).message})`,
    );
  }
  await res.body?.cancel().catch(() => undefined);
  if (res.status < 200 || res.status >= 300) throw new DeliveryError(`the receiver answered HTTP ${res.status}`);
}

async function sendEmail(
  config: Extract<ChannelConfig, { kind: "email" }>["config"],
  password: string | null,
  message: AlertMessage,
  opts: SendOptions,
) {
  const transport = nodemailer.createTransport({
    host: config.host,
    port: config.port,
    secure: config.security === "tls",
    requireTLS: config.security === "starttls",
    ignoreTLS: config.security === "none",
    ...(config.username ? { auth: { user: config.username, pass: password ?? "" } } : {}),
    connectionTimeout: opts.timeoutMs,
    greetingTimeout: opts.timeoutMs,
    socketTimeout: opts.timeoutMs,
  });
  try {
    await transport.sendMail({
      from: config.from,
      to: config.to,
      subject: emailSubject(message),
      text: emailText(message),
      headers: { "X-Gatewarden-Delivery": message.deliveryId, "X-Gatewarden-Event": message.event },
    });
  } catch (e) {
    const err = e as { code?: string; responseCode?: number; response?: string; message?: string };
    // The server's reply line, never the credentials nodemailer was given.
    throw new DeliveryError(
      `SMTP: ${err.responseCode ? `${err.responseCode} ${err.response ?? ""}`.trim() : (err.code ?? err.message ?? "failed")}`,
    );
  } finally {
    transport.close();
  }
}
