// What the phases of applyKeyVersion share: the tunnels a key version goes onto (a new
// one for a rotation, the old one for a revert), what the caller does at each point of a
// tunnel's way, and the grouping of tunnel ends by router that makes router-wide work
// (uploads, key loads, SA listings) happen once per router.
import type { RenderableEnd } from "@/lib/rendering/tunnel-ends";
import type { RouterIO } from "@/lib/deploy/router-io";
import type { SaSnapshot, SwitchOp } from "@/lib/rotation/key-switch";
import type { EndRole } from "@/lib/rotation/rotation-state";

export type KeyTarget = {
  tunnelId: string;
  label: string;
  /** The key version going onto both ends. */
  version: number;
  /** Both ends, rendered with that version's key. */
  ends: readonly [RenderableEnd, RenderableEnd];
  /**
   * A router may hold another key in memory: switch both ends and prove a new IKE SA.
   * False only when no key switch ever began (a revert before any load): the files
   * change back and the running tunnel, still on this key, must simply be up.
   */
  switchKeys: boolean;
  /**
   * The only ends the engine touches (uploads, proves, pings from); both when absent. A
   * revert of a rotation that never began a key switch puts back only the ends it wrote:
   * an end that never received the new key (maybe because it cannot be reached) is left alone.
   */
  only?: readonly EndRole[];
  /** Why the tunnel dropped out; the first reason stays. */
  error: string | null;
  /** Per end, what proved the key: a new IKE SA, or the platform's status. */
  proofs: string[];
};

/** What the caller does at each point; a hook that throws drops that tunnel. */
export type KeyEvents<T extends KeyTarget> = {
  /** How step names and log lines call the key: "new key", "previous key". */
  keyName: string;
  /**
   * On one router, before any of `targets` gets the key there (a rotation arms its
   * commit-confirm timer); throwing drops them all with nothing written.
   */
  beforeUpload?(g: { gatewayId: string; name: string }, io: RouterIO, targets: T[]): Promise<void>;
  /** An end's secret files may hold the key from here on (an upload replaced a file, or may have). */
  changed?(t: T, role: EndRole): void;
  /** An end's secret files hold the key and the database says so. */
  uploaded?(t: T, role: EndRole): Promise<void>;
  /** Every tunnel still in, once both its ends have the files, before any router loads a key. */
  beforeSwitch?(targets: T[]): Promise<void>;
  /** This tunnel's switch commands ran on both ends. */
  switched?(t: T): void;
  /** Both ends proven and the LAN ping answered. */
  proven?(t: T): Promise<void>;
};

/** A tunnel on its way through the switch: its commands and the SAs it had before. */
export type TunnelSwitch<T extends KeyTarget> = {
  target: T;
  /** planKeySwitch's operations; none when the tunnel does not switch keys. */
  plan: SwitchOp[];
  /** The end on the less busy router: it reauthenticates and pings. */
  lighter: EndRole;
  before: Partial<Record<EndRole, SaSnapshot>>;
};

export type EndOf<X> = { of: X; end: RenderableEnd };
export type GatewayGroup<X> = { gatewayId: string; name: string; items: EndOf<X>[] };

export function byGateway<X>(items: EndOf<X>[]): GatewayGroup<X>[] {
  const groups = new Map<string, EndOf<X>[]>();
  for (const i of items) groups.set(i.end.gatewayId, [...(groups.get(i.end.gatewayId) ?? []), i]);
  return [...groups.entries()].map(([gatewayId, items]) => ({ gatewayId, name: items[0]!.end.gatewayName, items }));
}

/** The ends of a target the engine works on. */
export const touchedEnds = (t: KeyTarget) => t.ends.filter((e) => !t.only || t.only.includes(e.role));

export const message = (e: unknown) => (e instanceof Error ? e.message : String(e));
export const tunnels = (n: number) => (n === 1 ? "1 tunnel" : `${n} tunnels`);

export function fail(t: KeyTarget, e: unknown): void {
  t.error ??= message(e);
}

/** A router's SAs before the switch may be slow to list on a busy hub: each attempt, and all attempts together. */
export const SA_LIST_TIMEOUT_MS = 30_000;
export const SA_SNAPSHOT_TIMEOUT_MS = 60_000;
/** A batch's new SAs normally show within 1–3 s; the margin is for a loaded hub. */
export const VERIFY_TIMEOUT_MS = 30_000;
