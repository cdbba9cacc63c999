// What every recording case is made of (scripts/recording/cases.ts and the per-platform
// case files): the recording a case returns, its script, and the steps most cases share.
import { pingFromHost } from "@/e2e/lab/lab";
import type { IkeSa, PlatformId, TunnelEnd } from "@/lib/platforms/contract";
import type { CaseEnd, RecordedResult, Sample } from "@/lib/platforms/recorded-cases";
import type { Rig } from "./lab-tunnels";

export type Recording = {
  ends: Record<string, CaseEnd>;
  samples: [string, Sample][];
  /** Set when the recording was built rather than caught live: how, and why. */
  constructed?: string;
  /** Anything a reader of the recording must know (e.g. a step no real router of the platform has). */
  note?: string;
};

export type CaseScript = {
  name: string;
  /** What the case shows, for meta.json (in the platform's own words where they differ). */
  description: string | ((platform: PlatformId) => string);
  platforms: PlatformId[];
  run(rig: Rig): Promise<Recording>;
};

export const at = (router: string, end: TunnelEnd): CaseEnd => ({ router, end });

/** hq ↔ branch1, deployed and up. */
export async function upPair(rig: Rig, kind: "net-to-net" | "host-to-host" = "net-to-net") {
  const t = rig.tunnel("t1", "hq", "branch1", kind);
  await rig.deploy(["hq", "branch1"]);
  await rig.waitUp(["hq", "branch1"]);
  return { hq: t.hq!, branch1: t.branch1! };
}

/** Pings from hq's LAN host to branch1's, through the tunnel. */
export async function lanPing(rig: Rig, count: number): Promise<void> {
  const r = await pingFromHost(rig.lab, "hq", rig.router("branch1").lanHost.ip, { count, intervalMs: 200 });
  rig.step(`hq's LAN host → branch1's LAN host: ${r.received}/${r.sent} pings answered`);
  if (r.received === 0) throw new Error("no ping crossed the tunnel");
}

/** The end's IKE SAs in one recording of its router, as the platform lists them. */
export function ikeSas(rig: Rig, end: TunnelEnd, outputs: RecordedResult[]): IkeSa[] {
  const listing = rig.platform.saListCommands(end).map((c) => outputs.find((o) => o.argv.join("\0") === c.argv.join("\0"))!);
  return rig.platform.parseSaList(end, listing) ?? [];
}
