// Sign-in throttling as growing delays, never a lock: after a few failures each
// further attempt waits longer (1 s, 2 s, 4 s … up to 15 min) after the newest one.
// Pure decisions over counted failures, so they are tested without a clock or a database.
//
// Two delays apply: one per client address (failures from it on any account: password
// spraying) and one per account (failures on it from anywhere: guessing one password).
// The account's delay holds back only clients that have themselves failed on that
// account since their last success there, so someone flooding an account with wrong
// passwords slows down themselves, not its owner signing in from elsewhere.

export type DelayRule = {
  /** Failures inside the window that cost nothing. */
  free: number;
  /** The delay after the first failure past `free`; it doubles with each one after. */
  baseMs: number;
  maxMs: number;
  /** Failures older than this are forgotten. */
  windowMs: number;
};

export const SIGN_IN_DELAYS = {
  account: { free: 5, baseMs: 1_000, maxMs: 15 * 60_000, windowMs: 24 * 3_600_000 },
  client: { free: 10, baseMs: 1_000, maxMs: 15 * 60_000, windowMs: 24 * 3_600_000 },
} satisfies Record<string, DelayRule>;

/** How long to wait after the newest of `failures` failures before the next attempt. */
export function delayAfterFailures(failures: number, rule: DelayRule): number {
  if (failures < rule.free) return 0;
  const doublings = failures - rule.free;
  // 2^31 ms is 24 days: past any sensible cap, and keeps the shift in range.
  return doublings >= 31 ? rule.maxMs : Math.min(rule.maxMs, rule.baseMs * 2 ** doublings);
}

/** Failed (or still unsettled) attempts inside a rule's window: how many, and the newest. */
export type FailureCount = { count: number; newest: Date | null };

export type SignInHistory = {
  account: FailureCount;
  client: FailureCount;
  /** This client failed on this account since it last signed in to it. */
  clientFailedOnAccount: boolean;
};

export type SignInDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number; delayedBy: "account" | "client" };

function waitMs(f: FailureCount, rule: DelayRule, now: Date): number {
  if (!f.newest) return 0;
  return f.newest.getTime() + delayAfterFailures(f.count, rule) - now.getTime();
}

export function decideSignIn(h: SignInHistory, now: Date, rules = SIGN_IN_DELAYS): SignInDecision {
  const client = waitMs(h.client, rules.client, now);
  const account = h.clientFailedOnAccount ? waitMs(h.account, rules.account, now) : 0;
  const wait = Math.max(client, account);
  if (wait <= 0) return { allowed: true };
  return { allowed: false, retryAfterSeconds: Math.ceil(wait / 1000), delayedBy: account >= client ? "account" : "client" };
}

/** "8 seconds", "3 minutes": for the message to the person at the sign-in form. */
export function describeWait(seconds: number): string {
  if (seconds < 90) return `${seconds} second${seconds === 1 ? "" : "s"}`;
  return `${Math.ceil(seconds / 60)} minutes`;
}
