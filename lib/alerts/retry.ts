// When a failed delivery is tried again, pure: exponential backoff up to a ceiling, and
// "failed" for good after the last attempt. The dispatcher (./dispatcher.ts) applies it.
export type RetryPolicy = { maxAttempts: number; firstDelayMs: number; maxDelayMs: number };

/** 6 attempts over about 5 minutes: 10 s, 20 s, 40 s, 80 s, 160 s between them. */
export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 6, firstDelayMs: 10_000, maxDelayMs: 300_000 };

/** After `attempts` failed tries: when to try next, or give up. */
export function afterFailure(attempts: number, policy: RetryPolicy, now: Date): { status: "pending"; at: Date } | { status: "failed" } {
  if (attempts >= policy.maxAttempts) return { status: "failed" };
  const delay = Math.min(policy.maxDelayMs, policy.firstDelayMs * 2 ** Math.max(0, attempts - 1));
  return { status: "pending", at: new Date(now.getTime() + delay) };
}
