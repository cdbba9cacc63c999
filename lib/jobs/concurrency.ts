// Bounded concurrency (pure), one mechanism in two shapes: a limit per key (KeyedSlots:
// commands at once on one router's session, where a strongSwan router runs a few as
// channels and a CentOS router cycles one interface at a time; an SSH session's exec
// channels) and a limit over a list (mapBounded: routers worked on at once). A list is one
// key; both keep FIFO order. No library: p-limit is only in node_modules as a dependency
// of eslint's, and twenty lines do not justify a production dependency.

/** At most `capacity(key)` tasks at once per key; the rest wait their turn in order. */
export class KeyedSlots {
  private readonly running = new Map<string, number>();
  private readonly waiting = new Map<string, (() => void)[]>();

  constructor(private readonly capacity: (key: string) => number) {}

  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    if ((this.running.get(key) ?? 0) >= Math.max(1, this.capacity(key))) {
      await new Promise<void>((resolve) => this.waiting.set(key, [...(this.waiting.get(key) ?? []), resolve]));
    } else {
      this.running.set(key, (this.running.get(key) ?? 0) + 1);
    }
    try {
      return await fn();
    } finally {
      const next = this.waiting.get(key)?.shift();
      // The slot passes straight to the next waiter; only without one is it freed.
      if (next) next();
      else this.running.set(key, (this.running.get(key) ?? 1) - 1);
    }
  }
}

/**
 * fn over every item, at most `limit` at once, results in the items' order. Every item
 * runs even when one fails (the first failure is what the returned promise rejects with),
 * so one bad router never leaves the others of a phase unvisited.
 */
export async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const slots = new KeyedSlots(() => limit);
  const all = items.map((item) => slots.run("", () => fn(item)));
  // Settled first so that a failure is not left unhandled while the rest finish.
  const settled = await Promise.allSettled(all);
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
  if (failed) throw failed.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<R>).value);
}

/** A promise with its resolve at hand: one chain says "done" to the chains that wait for it. */
export type Deferred<T> = { promise: Promise<T>; resolve(v: T): void };
export function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** The promise, or a timeout first (none: the promise alone). */
export async function waitAtMost(promise: Promise<unknown>, timeoutMs: number | undefined): Promise<void> {
  if (timeoutMs === undefined) {
    await promise;
    return;
  }
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise, new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
  clearTimeout(timer);
}
