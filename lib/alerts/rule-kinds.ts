// The kinds of alert rule, what each watches, and their defaults. Shared by the
// evaluator, the forms and the Alerts page.
export const ALERT_RULE_KINDS = ["tunnel-down", "tunnel-degraded", "gateway-unmanageable", "job-failed", "job-stuck", "psk-age"] as const;
export type AlertRuleKind = (typeof ALERT_RULE_KINDS)[number];

export const RULE_KIND_LABEL: Record<AlertRuleKind, string> = {
  "tunnel-down": "Tunnel down",
  "tunnel-degraded": "Tunnel degraded or down",
  "gateway-unmanageable": "Gateway unmanageable (host key changed, authentication refused, unreachable)",
  "job-failed": "Job failed",
  "job-stuck": "Job stuck",
  "psk-age": "PSK older than its maximum age",
};

/** Per rule, so a rekey blip (a few seconds down) does not page anyone. */
export const DEFAULT_GRACE_SECONDS = 120;
/** A job running (or queued) longer than this many minutes is stuck, unless the rule says otherwise. */
export const DEFAULT_JOB_STUCK_MINUTES = 30;

/** Gateway reachability values that mean Gatewarden cannot manage it (lib/health/poller). */
export const UNMANAGEABLE_REACHABILITY = ["unreachable", "host-key-changed", "host-key-unknown", "auth-failed"] as const;
