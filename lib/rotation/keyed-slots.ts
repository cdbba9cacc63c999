// At most `capacity(key)` tasks at once per key (here: commands per router), the rest
// wait their turn in order. A strongSwan router runs a few commands at once as
// channels of its session; a CentOS router cycles one interface at a time.
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
