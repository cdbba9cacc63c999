// One open connection per gateway for the length of a fleet operation: every step on a
// router reuses it; a connection that died (cut, router rebooted) is replaced on the
// next request; a failed connect is not kept, so the next request tries again.
import type { RouterIO } from "@/lib/deploy/router-io";

export class SessionCache {
  private readonly sessions = new Map<string, Promise<RouterIO>>();

  constructor(private readonly connect: (gatewayId: string) => Promise<RouterIO>) {}

  async io(gatewayId: string): Promise<RouterIO> {
    const current = this.sessions.get(gatewayId);
    if (current) {
      const io = await current.catch(() => null);
      if (io?.isAlive) return io;
      if (this.sessions.get(gatewayId) === current) this.sessions.delete(gatewayId);
      if (io) await Promise.resolve(io.close()).catch(() => undefined);
      // Someone else may have started a replacement meanwhile.
      const replacement = this.sessions.get(gatewayId);
      if (replacement) return replacement;
    }
    const opening = this.connect(gatewayId);
    this.sessions.set(gatewayId, opening);
    opening.catch(() => {
      if (this.sessions.get(gatewayId) === opening) this.sessions.delete(gatewayId);
    });
    return opening;
  }

  get openCount(): number {
    return this.sessions.size;
  }

  async closeAll(): Promise<void> {
    const all = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(all.map((s) => s.then((io) => io.close()).catch(() => undefined)));
  }
}
