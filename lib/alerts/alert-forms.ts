// The admin forms of the Alerts settings, as zod schemas over submitted text fields:
// a channel (kind-specific settings and its secret), a rule, a PSK maximum age, the
// rotation window. Errors are keyed by the form's field names.
import { z } from "zod";
import { optionalField } from "@/lib/inventory/form-state";
import { cronProblem } from "@/lib/rotation/maintenance-window";
import { ALERT_RULE_KINDS, DEFAULT_GRACE_SECONDS } from "./rule-kinds";

const name = z.string().trim().min(1, "required").max(80, "at most 80 characters");

export const channelBaseSchema = z.object({
  name,
  kind: z.enum(["webhook", "email"], "choose webhook or e-mail"),
  /** The webhook's signing key or the SMTP password; empty: none. */
  secret: z.string().max(500, "at most 500 characters").default(""),
});

/** ruleName and ruleKind, not name and kind: the rule and channel forms share a page, and field ids come from names. */
export const ruleSchema = z.object({
  ruleName: name,
  ruleKind: z.enum(ALERT_RULE_KINDS, "choose what to watch"),
  channelId: z.string().min(1, "choose a channel").max(64),
  graceSeconds: optionalField(z.coerce.number().int("whole seconds").min(0, "0 or more").max(86_400, "at most a day (86400)")).transform(
    (v) => v ?? DEFAULT_GRACE_SECONDS,
  ),
  threshold: optionalField(z.coerce.number().int("whole minutes").min(1, "at least 1").max(10_080, "at most a week")).transform(
    (v) => v ?? null,
  ),
});

export const pskMaxAgeSchema = z.object({
  /** Empty turns the policy off. */
  pskMaxAgeDays: optionalField(z.coerce.number().int("whole days").min(1, "at least 1 day").max(3650, "at most 3650 days")).transform(
    (v) => v ?? null,
  ),
});

export const rotationScheduleSchema = z.object({
  enabled: z.preprocess((v) => v === "on" || v === "true", z.boolean()),
  cron: z
    .string()
    .trim()
    .min(1, "required, e.g. 0 3 * * 0 (Sundays 03:00 UTC)")
    .max(100)
    .superRefine((v, ctx) => {
      const problem = cronProblem(v);
      if (problem) ctx.addIssue({ code: "custom", message: `not a cron expression: ${problem}` });
    }),
  windowMinutes: z.coerce.number().int("whole minutes").min(5, "at least 5 minutes").max(1440, "at most a day"),
});
