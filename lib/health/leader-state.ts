// Which app instance runs the scheduled health rounds when several share one PostgreSQL
// database, as pure decisions: what to ask the database next, what its answer means,
// what is worth a log line, and the timings that bound a takeover. lib/health/leader.ts
// does the I/O (one connection holding a session-level advisory lock).

export type LeaderState = {
  leader: boolean;
  /** The last question failed (database unreachable): reported once, not every check. */
  failing: boolean;
};

export const initialLeaderState: LeaderState = { leader: false, failing: false };

export type LeaderAnswer =
  /** pg_try_advisory_lock returned true. */
  | { kind: "acquired" }
  /** It returned false: another session holds the lock. */
  | { kind: "taken" }
  /** The holder's own connection answered a ping, so its session (and the lock) lives. */
  | { kind: "alive" }
  /** Connecting or the query failed, or the connection ended. */
  | { kind: "failed"; reason: string };

export type LeaderEvent =
  | { kind: "gained" }
  | { kind: "lost"; reason: string }
  /** A follower cannot reach the database (first failure only). */
  | { kind: "unavailable"; reason: string };

/**
 * The holder pings the connection that holds the lock (asking for the lock again would
 * succeed on its own session and prove nothing); everyone else tries to take it.
 */
export function nextQuestion(state: LeaderState): "ping" | "try-lock" {
  return state.leader ? "ping" : "try-lock";
}

export function afterAnswer(state: LeaderState, answer: LeaderAnswer): { state: LeaderState; event: LeaderEvent | null } {
  if (state.leader) {
    if (answer.kind === "alive" || answer.kind === "acquired") return { state: { leader: true, failing: false }, event: null };
    const reason = answer.kind === "failed" ? answer.reason : "another session holds the lock";
    return { state: { leader: false, failing: answer.kind === "failed" }, event: { kind: "lost", reason } };
  }
  if (answer.kind === "acquired") return { state: { leader: true, failing: false }, event: { kind: "gained" } };
  if (answer.kind === "failed") {
    return { state: { leader: false, failing: true }, event: state.failing ? null : { kind: "unavailable", reason: answer.reason } };
  }
  return { state: { leader: false, failing: false }, event: null };
}

export type LeaderTimings = {
  /** How often followers try the lock and the holder pings its connection. */
  checkEveryMs: number;
  /** A connect or query slower than this counts as a failure (the holder then steps down). */
  queryTimeoutMs: number;
  /**
   * PostgreSQL ends a session idle this long (idle_session_timeout, PostgreSQL 14+), which
   * frees the lock of a holder that went silent without closing its socket: a frozen
   * process, a network cut. Its kernel may still answer TCP keepalives, so they alone
   * would not notice. At least two missed pings, so one late timer costs nothing.
   */
  idleSessionTimeoutMs: number;
  /** Server-side TCP keepalive (idle and interval, seconds): the fallback before PostgreSQL 14. */
  keepaliveSeconds: number;
};

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/**
 * Timings for a poller that runs a round every `intervalMs`: a dead leader is replaced
 * within one interval (30 s: checks every 7.5 s, a silent holder's session ends after 15 s).
 * Short intervals are floored (a check a second, 5 s of silence) to spare the database.
 */
export function leaderTimings(intervalMs: number): LeaderTimings {
  const checkEveryMs = clamp(Math.round(intervalMs / 4), 1000, 10_000);
  return {
    checkEveryMs,
    // At least 2 s: a busy database or event loop must not make a healthy holder step down.
    queryTimeoutMs: Math.max(checkEveryMs, 2000),
    idleSessionTimeoutMs: Math.max(2 * checkEveryMs, 5000),
    keepaliveSeconds: Math.max(1, Math.round(checkEveryMs / 1000)),
  };
}

/**
 * Longest time from the leader's end until another instance holds the lock (a new leader
 * polls at once). "closed": the process died and its kernel closed the socket (crash,
 * kill -9, stop), so PostgreSQL frees the lock at once and the next check takes it.
 * "silent": the socket stays open with nobody behind it, until idle_session_timeout.
 * Each check may itself take up to the query timeout.
 */
export function worstTakeoverMs(t: LeaderTimings, how: "closed" | "silent"): number {
  return (how === "silent" ? t.idleSessionTimeoutMs : 0) + t.checkEveryMs + t.queryTimeoutMs;
}
