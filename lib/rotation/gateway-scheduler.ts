// Runs per-tunnel work over a set of tunnels with one SSH session per gateway: a
// gateway is in at most one tunnel's work at a time (a hub's tunnels follow one
// another over its one session), at most `maxGateways` sessions are open at once,
// and a session closes when its gateway has no tunnel left. Connection-agnostic:
// `connect` opens whatever RouterIO the caller wants.
import type { RouterIO } from "@/lib/deploy/router-io";

export type ScheduledTunnel = { tunnelId: string; gatewayIds: readonly [string, string] };

export type SchedulerOptions<R> = {
  maxGateways: number;
  connect(gatewayId: string): Promise<RouterIO>;
  run(tunnel: ScheduledTunnel, io: (gatewayId: string) => Promise<RouterIO>): Promise<R>;
  onError(tunnel: ScheduledTunnel, error: unknown): R;
};

export async function runPerGateway<R>(tunnels: ScheduledTunnel[], opts: SchedulerOptions<R>): Promise<R[]> {
  const results = new Map<string, R>();
  const sessions = new Map<string, Promise<RouterIO>>();
  const busy = new Set<string>();
  const remaining = new Map<string, number>();
  for (const t of tunnels) for (const g of t.gatewayIds) remaining.set(g, (remaining.get(g) ?? 0) + 1);
  const queue = [...tunnels];
  const running = new Map<string, Promise<void>>();

  const closing: Promise<unknown>[] = [];
  const close = (g: string) => {
    const s = sessions.get(g);
    sessions.delete(g);
    if (s) closing.push(s.then((io) => io.close()).catch(() => undefined));
  };
  const open = (g: string) => {
    const s = opts.connect(g);
    s.catch(() => undefined); // reported to the tunnel that asks for it
    sessions.set(g, s);
    return s;
  };
  /** The session of a gateway this tunnel holds; a dead one (cut connection) is replaced. */
  const io = async (g: string): Promise<RouterIO> => {
    const s = sessions.get(g) ?? open(g);
    let current: RouterIO;
    try {
      current = await s;
    } catch (e) {
      if (sessions.get(g) === s) sessions.delete(g);
      throw e;
    }
    if (current.isAlive) return current;
    await current.close();
    return open(g);
  };
  const fits = (t: ScheduledTunnel) => {
    const missing = t.gatewayIds.filter((g) => !sessions.has(g)).length;
    if (sessions.size + missing <= opts.maxGateways) return true;
    // Make room by closing idle sessions (they reopen if a later tunnel needs them).
    for (const g of [...sessions.keys()]) {
      if (sessions.size + missing <= opts.maxGateways) break;
      if (!busy.has(g) && !t.gatewayIds.includes(g)) close(g);
    }
    return sessions.size + missing <= opts.maxGateways;
  };

  while (queue.length || running.size) {
    for (const t of [...queue]) {
      if (t.gatewayIds.some((g) => busy.has(g)) || !fits(t)) continue;
      queue.splice(queue.indexOf(t), 1);
      await Promise.all(closing.splice(0)); // evicted sessions are gone before new ones open
      for (const g of t.gatewayIds) {
        busy.add(g);
        if (!sessions.has(g)) open(g); // counted against maxGateways from now on
      }
      const p = (async () => {
        try {
          results.set(t.tunnelId, await opts.run(t, io));
        } catch (e) {
          results.set(t.tunnelId, opts.onError(t, e));
        } finally {
          for (const g of t.gatewayIds) {
            busy.delete(g);
            const left = (remaining.get(g) ?? 1) - 1;
            remaining.set(g, left);
            if (left === 0) close(g);
          }
          running.delete(t.tunnelId);
        }
      })();
      running.set(t.tunnelId, p);
    }
    if (!running.size && queue.length) throw new Error("scheduler: no tunnel can start (maxGateways below 2?)");
    if (running.size) await Promise.race(running.values());
  }
  for (const g of [...sessions.keys()]) close(g);
  await Promise.all(closing.splice(0));
  return tunnels.map((t) => results.get(t.tunnelId)!);
}
