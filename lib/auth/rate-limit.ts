// Sign-in throttling, as a pure decision over recent failures so it can be tested
// without a clock or a database. Limits apply per user name and per client address.

export type RateLimitRule = { maxFailures: number; windowMs: number };

export const LOGIN_RULES = {
  perUser: { maxFailures: 5, windowMs: 15 * 60_000 },
  perAddress: { maxFailures: 20, windowMs: 15 * 60_000 },
} satisfies Record<string, RateLimitRule>;

export type RateLimitDecision = { blocked: false } | { blocked: true; retryAfterSeconds: number };

/** `failures` are the times of failed attempts inside the window, in any order. */
export function decideRateLimit(failures: Date[], now: Date, rule: RateLimitRule): RateLimitDecision {
  const inWindow = failures
    .map((d) => d.getTime())
    .filter((t) => t > now.getTime() - rule.windowMs)
    .sort((a, b) => b - a);
  if (inWindow.length < rule.maxFailures) return { blocked: false };
  // Unblocked once the oldest failure that keeps us at the limit leaves the window.
  const pivot = inWindow[rule.maxFailures - 1]!;
  const retryAfterMs = pivot + rule.windowMs - now.getTime();
  return { blocked: true, retryAfterSeconds: Math.max(1, Math.ceil(retryAfterMs / 1000)) };
}
