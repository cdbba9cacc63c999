// What the phases of a deploy share: each tunnel's run, which drops out of the deploy
// with the reason of its first failure (and is rolled back at the end), and each
// router's GatewayWork, visited once however many of the tunnels it has.
import type { RenderableEnd } from "@/lib/rendering/tunnel-ends";
import type { GatewayWork } from "@/lib/deploy/gateway-work";
import type { Logger } from "@/lib/deploy/run-commands";
import type { JobContext } from "@/lib/jobs/types";
import { isSshError } from "@/lib/ssh/errors";

export type TunnelRun = {
  id: string;
  label: string;
  pskVersion: number;
  ends: [RenderableEnd, RenderableEnd];
  wasDeployed: boolean;
  error: string | null;
  /** The end on the less busy router: applied second (it initiates), pings from there. */
  lastRole: "a" | "b";
  /** Unchanged and up on both ends where applying again would interrupt it: not applied, only verified. */
  kept?: boolean;
};

export const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** The session to this router dropped (sshd died, the router rebooted, the path broke): said so, not as a timeout. */
export const connectionLost = (e: unknown, io: { isAlive: boolean } | null) =>
  isSshError(e, "connection-lost") || (io !== null && !io.isAlive);

/** Why a router's part failed, in words that name the router when its SSH connection was lost. */
export function failureOf(e: unknown, w: { name: string; io: { isAlive: boolean } | null }, during: string): string {
  return connectionLost(e, w.io) ? `lost the SSH connection to ${w.name} while ${during}` : message(e);
}

export class DeployBatch {
  readonly byId: Map<string, TunnelRun>;

  constructor(
    readonly runs: TunnelRun[],
    readonly works: Map<string, GatewayWork>,
  ) {
    this.byId = new Map(runs.map((r) => [r.id, r]));
  }

  get gateways(): GatewayWork[] {
    return [...this.works.values()];
  }

  alive(): TunnelRun[] {
    return this.runs.filter((r) => !r.error);
  }

  /** Ids of the tunnels that dropped out so far. */
  dropped(): Set<string> {
    return new Set(this.runs.filter((r) => r.error).map((r) => r.id));
  }

  runOf(end: RenderableEnd): TunnelRun {
    return this.byId.get(end.end.tunnelId)!;
  }

  /** The first reason is the one reported; later failures of the same tunnel follow from it. */
  fail(run: TunnelRun, why: string): void {
    run.error ??= why;
  }

  failGateway(w: GatewayWork, why: string): void {
    for (const e of w.ends) this.fail(this.runOf(e), why);
  }
}

/** The job log, with every line marked as this router's. */
export const gatewayLog =
  (ctx: Pick<JobContext<unknown>, "log">, gatewayName: string): Logger =>
  (level, m) =>
    ctx.log(level, m, gatewayName);
