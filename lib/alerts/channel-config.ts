// Channel settings as forms submit them and as stored (config JSON without secrets),
// validated with zod; the secret (webhook signing key, SMTP password) travels apart and
// is encrypted by lib/alerts/manage-alerts.ts.
import { z } from "zod";

export const CHANNEL_KINDS = ["webhook", "email"] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

const httpUrl = z
  .string()
  .trim()
  .max(2000)
  .refine((v) => {
    try {
      const u = new URL(v);
      return (u.protocol === "http:" || u.protocol === "https:") && !u.username && !u.password;
    } catch {
      return false;
    }
  }, "an http:// or https:// address without a user name or password in it");

export const webhookConfigSchema = z.object({ url: httpUrl });

const hostName = z
  .string()
  .trim()
  .min(1, "required")
  .max(253)
  .regex(/^[A-Za-z0-9.-]+$|^\[[0-9a-fA-F:.]+\]$/, "a host name or address");
const mailbox = z.email("an e-mail address").max(254);

export const emailConfigSchema = z.object({
  host: hostName,
  port: z.coerce.number().int().min(1, "1–65535").max(65535, "1–65535"),
  /** tls: TLS from the start (port 465); starttls: upgrade required (587); none: plain (a relay on loopback only). */
  security: z.enum(["tls", "starttls", "none"]),
  username: z.string().trim().max(200).default(""),
  from: mailbox,
  to: z
    .string()
    .trim()
    .min(1, "required")
    .transform((s) => s.split(/[\s,;]+/).filter(Boolean))
    .pipe(z.array(mailbox).min(1).max(20)),
});

export type WebhookConfig = z.output<typeof webhookConfigSchema>;
export type EmailConfig = z.output<typeof emailConfigSchema>;
export type ChannelConfig = { kind: "webhook"; config: WebhookConfig } | { kind: "email"; config: EmailConfig };

/** A stored config, re-validated on read so a hand-edited row fails loudly. */
export function parseStoredConfig(kind: string, json: string): ChannelConfig {
  const raw = JSON.parse(json) as unknown;
  if (kind === "webhook") return { kind, config: webhookConfigSchema.parse(raw) };
  if (kind === "email")
    return { kind, config: emailConfigSchema.parse({ ...(raw as object), to: (raw as { to: string[] }).to.join(",") }) };
  throw new Error(`unknown alert channel kind ${kind}`);
}
