// Pure: in which order the two ends run their platform's rotate commands so both end
// up on the new key with the shortest interruption, and how a new IKE SA is told
// apart from the one that ran before (the proof that the new key authenticated).
import type { Command, PlatformId } from "@/lib/platforms/contract";
import type { IkeSa } from "@/lib/platforms/strongswan/parse-list-sas";
import type { EndRole } from "@/lib/rotation/rotation-state";

export type SwitchOp = {
  role: EndRole;
  commands: Command[];
  /** ifup on the first centos end cannot come up yet: its peer is cycled next (exit 2). */
  tolerateIfupFailure: boolean;
  /**
   * The commands act on the whole router, not on this tunnel (`swanctl --load-creds`
   * loads every secret file): a fleet rotation runs them once per router.
   */
  gatewayWide: boolean;
  why: string;
};

type EndCommands = { role: EndRole; platform: PlatformId; rotate: Command[] };

const isCmd = (c: Command, name: string) => c.argv[0] === name || c.argv[0]?.endsWith(`/${name}`);
const split = (cmds: Command[], name: string) => ({ match: cmds.filter((c) => isCmd(c, name)), rest: cmds.filter((c) => !isCmd(c, name)) });

/**
 * Sequential steps. strongSwan: `--load-creds` makes the key known without touching
 * the running SA; `--rekey --reauth` (make_before_break) then builds a new IKE SA
 * with it before the old one goes: no packet lost. CentOS: ifup rereads keys-ipsecN
 * only by cycling the interface, so traffic stops between ifdown and the peer's ifup.
 * With two CentOS ends the peer goes down FIRST: the first end's ifup then meets an
 * unconfigured peer and fails at once (NO_PROPOSAL_CHOSEN), instead of waiting out
 * a main-mode timeout against a peer that still has the old key.
 */
export function planKeySwitch(a: EndCommands, b: EndCommands, reauthBy: EndRole = a.role): SwitchOp[] {
  const strong = [a, b].filter((e) => e.platform === "strongswan");
  const centos = [a, b].filter((e) => e.platform !== "strongswan");
  const load = (e: EndCommands): SwitchOp => ({
    role: e.role,
    commands: e.rotate.filter((c) => c.argv.includes("--load-creds")),
    tolerateIfupFailure: false,
    gatewayWide: true,
    why: "load the key; the running SA is untouched",
  });
  const op = (role: EndRole, commands: Command[], why: string, tolerateIfupFailure = false): SwitchOp => ({ role, commands, tolerateIfupFailure, gatewayWide: false, why });
  if (centos.length === 0) {
    // Either end may reauthenticate (both run make_before_break); a fleet rotation picks
    // the end on the less busy router, so a hub does not rekey its N tunnels itself.
    const by = reauthBy === b.role ? b : a;
    const reauth = by.rotate.filter((c) => !c.argv.includes("--load-creds"));
    return [load(a), load(b), op(by.role, reauth, "reauthenticate: a new IKE SA with the new key, then the old one goes")];
  }
  if (centos.length === 1) {
    const c = centos[0]!;
    return [load(strong[0]!), op(c.role, c.rotate, "cycle the interface: ifup negotiates with the new key")];
  }
  const { match: downB } = split(b.rotate, "ifdown");
  const { match: upB } = split(b.rotate, "ifup");
  return [
    op(b.role, downB, "peer down first so the next ifup fails fast"),
    op(a.role, a.rotate, "cycle: rereads keys; the peer is configured next", true),
    op(b.role, upB, "peer up with the new key: its exit 0 proves both ends agree"),
  ];
}

/** The IKE SAs of this tunnel on one router (one tunnel per gateway pair: match the peer). */
export function tunnelIkeSas(sas: IkeSa[], peerPublicIp: string): IkeSa[] {
  return sas.filter((sa) => sa.remote.address === peerPublicIp);
}

export type SaSnapshot = { spis: string[]; uniqueIds: number[] };

export function snapshotSas(sas: IkeSa[]): SaSnapshot {
  return { spis: sas.map((s) => `${s.initiatorSpi}_${s.responderSpi}`), uniqueIds: sas.map((s) => s.uniqueId) };
}

export type NewSaProof = { ok: true; sa: IkeSa; detail: string } | { ok: false; detail: string };

/**
 * A new IKE SA: ESTABLISHED, with an INSTALLED child, SPIs and unique id never seen
 * before the switch, and established no earlier than the switch began. A PSK
 * mismatch under make_before_break leaves only the old SA: not a proof.
 */
export function findNewIkeSa(after: IkeSa[], before: SaSnapshot, secondsSinceSwitch: number): NewSaProof {
  const established = after.filter((s) => s.state === "ESTABLISHED" && s.children.some((c) => c.state === "INSTALLED"));
  const fresh = established.filter((s) => !before.spis.includes(`${s.initiatorSpi}_${s.responderSpi}`) && !before.uniqueIds.includes(s.uniqueId));
  const recent = fresh.filter((s) => s.establishedSecondsAgo === null || s.establishedSecondsAgo <= Math.ceil(secondsSinceSwitch) + 1);
  const sa = recent[0];
  if (sa) {
    return { ok: true, sa, detail: `new IKE SA #${sa.uniqueId} ${sa.initiatorSpi}_i ${sa.responderSpi}_r, established ${sa.establishedSecondsAgo ?? "?"}s ago` };
  }
  if (!established.length) return { ok: false, detail: "no established IKE SA with an installed CHILD SA" };
  if (!fresh.length) return { ok: false, detail: `only the old IKE SA (#${established.map((s) => s.uniqueId).join(", #")}) is up: the new key did not authenticate` };
  return { ok: false, detail: "the only new IKE SA was established before the switch" };
}
