// Pure: in which order the two ends run their platforms' key-switch commands so both end
// up on the new key with the shortest interruption, and how a new IKE SA is told
// apart from the one that ran before (the proof that the new key authenticated).
import type { Command, IkeSa, Platform, TunnelEnd } from "@/lib/platforms/contract";
import type { EndRole } from "@/lib/rotation/rotation-state";

export type SwitchOp = {
  role: EndRole;
  commands: Command[];
  /**
   * The commands act on the whole router, not on this tunnel (a load of every secret
   * file): a fleet rotation runs them once per router.
   */
  gatewayWide: boolean;
  why: string;
};

export type SwitchEnd = { role: EndRole; platform: Platform; end: TunnelEnd };

/**
 * Sequential steps, from the platforms' key-switch commands and capabilities. Ends with
 * make-before-break load the key without touching the running SA; if both have it, one
 * end then reauthenticates: a new IKE SA with the new key before the old one goes, no
 * packet lost. So does a make-before-break end whose peer cannot reauthenticate itself
 * but answers a reauthentication with its newly loaded key. Otherwise an end without it
 * reads the key only by stopping and starting the tunnel, so traffic stops until it is up again. With two such ends the peer stops
 * FIRST: the first end's start then meets an unconfigured peer and fails at once,
 * instead of waiting out a negotiation timeout against a peer that still has the old key.
 */
export function planKeySwitch(a: SwitchEnd, b: SwitchEnd, reauthBy: EndRole = a.role, opts: { down?: boolean } = {}): SwitchOp[] {
  const ks = (e: SwitchEnd) => e.platform.keySwitch;
  const op = (role: EndRole, commands: Command[], why: string): SwitchOp => ({
    role,
    commands,
    gatewayWide: false,
    why,
  });
  const loads: SwitchOp[] = [a, b]
    .map((e) => ({ role: e.role, commands: ks(e).load(e.end) }))
    .filter((l) => l.commands.length)
    .map((l) => ({ ...l, gatewayWide: true, why: "load the key; the running SA is untouched" }));
  const restarting = [a, b].filter((e) => !e.platform.capabilities.makeBeforeBreak);
  if (restarting.length === 0) {
    // Either end may reauthenticate; a fleet rotation picks the end on the less busy
    // router, so a hub does not rekey its N tunnels itself.
    const by = reauthBy === b.role ? b : a;
    // A tunnel that is down has no IKE SA to reauthenticate: it is started instead (this is when people rotate).
    if (opts.down) return [...loads, op(by.role, ks(by).start(by.end), "start: the tunnel is down, so it is initiated with the new key")];
    return [...loads, op(by.role, ks(by).reauthenticate(by.end), "reauthenticate: a new IKE SA with the new key, then the old one goes")];
  }
  if (restarting.length === 1) {
    const c = restarting[0]!;
    const other = c === a ? b : a;
    // The end that cannot reauthenticate may still answer its peer's reauthentication: then
    // the peer builds the new IKE SA before the old one goes, and traffic keeps flowing.
    const answers = c.platform.capabilities.answersReauthentication;
    if (answers.length && answers.includes(c.end.profile.ikeVersion)) {
      if (opts.down)
        return [...loads, op(other.role, ks(other).start(other.end), "start: the tunnel is down, so it is initiated with the new key")];
      return [
        ...loads,
        op(
          other.role,
          ks(other).reauthenticate(other.end),
          "reauthenticate: a new IKE SA with the new key, answered by the peer, then the old one goes",
        ),
      ];
    }
    return [
      ...loads,
      op(c.role, [...ks(c).stop(c.end), ...ks(c).start(c.end)], "stop and start the tunnel: it negotiates with the new key"),
    ];
  }
  return [
    ...loads,
    op(b.role, ks(b).stop(b.end), "peer down first so the next start fails fast"),
    op(a.role, [...ks(a).stop(a.end), ...ks(a).start(a.end)], "stop and start: rereads the key; the peer is configured next"),
    op(b.role, ks(b).start(b.end), "peer up with the new key: both ends now agree"),
  ];
}

/**
 * Whether a fleet rotation lists this end's SAs before the switch (snapshot-and-load):
 * not on the end that reauthenticates (the less busy one), whose peer's listing holds the
 * same SPIs, unless the peer is on another platform (Libreswan prints no IKE SPIs).
 */
export function listsSasBefore(end: { role: EndRole; platform: string }, lighter: EndRole, ends: readonly { platform: string }[]): boolean {
  return end.role !== lighter || ends.some((e) => e.platform !== end.platform);
}

/** The IKE SAs with this peer in a router-wide list (one tunnel per gateway pair). */
export function tunnelIkeSas(sas: IkeSa[], peerPublicIp: string): IkeSa[] {
  return sas.filter((sa) => sa.remote.address === peerPublicIp);
}

export type SaSnapshot = {
  spis: string[];
  uniqueIds: number[];
  /** ESTABLISHED IKE SAs: none means the tunnel is down. */ established?: number;
};

export function snapshotSas(sas: IkeSa[]): SaSnapshot {
  return {
    spis: sas.map((s) => `${s.initiatorSpi}_${s.responderSpi}`),
    uniqueIds: sas.map((s) => s.uniqueId),
    established: sas.filter((s) => s.state === "ESTABLISHED").length,
  };
}

/** The tunnel had no established IKE SA on an end listed before the switch: there is nothing to reauthenticate. */
export function wasDown(before: Partial<Record<EndRole, SaSnapshot>>): boolean {
  const listed = Object.values(before);
  return listed.length > 0 && listed.some((s) => s.established === 0);
}

export type NewSaProof = { ok: true; sa: IkeSa; detail: string } | { ok: false; detail: string };

/**
 * A new IKE SA: ESTABLISHED, with an INSTALLED child, SPIs and unique id never seen
 * before the switch, and established no earlier than the switch began. A PSK
 * mismatch under make_before_break leaves only the old SA: not a proof.
 */
export function findNewIkeSa(after: IkeSa[], before: SaSnapshot, secondsSinceSwitch: number): NewSaProof {
  const established = after.filter((s) => s.state === "ESTABLISHED" && s.children.some((c) => c.state === "INSTALLED"));
  const fresh = established.filter(
    (s) => !before.spis.includes(`${s.initiatorSpi}_${s.responderSpi}`) && !before.uniqueIds.includes(s.uniqueId),
  );
  const recent = fresh.filter((s) => s.establishedSecondsAgo === null || s.establishedSecondsAgo <= Math.ceil(secondsSinceSwitch) + 1);
  const sa = recent[0];
  if (sa) {
    return {
      ok: true,
      sa,
      detail: `new IKE SA #${sa.uniqueId} ${sa.initiatorSpi}_i ${sa.responderSpi}_r, established ${sa.establishedSecondsAgo ?? "?"}s ago`,
    };
  }
  if (!established.length) return { ok: false, detail: "no established IKE SA with an installed CHILD SA" };
  if (!fresh.length)
    return {
      ok: false,
      detail: `only the old IKE SA (#${established.map((s) => s.uniqueId).join(", #")}) is up: the new key did not authenticate`,
    };
  return { ok: false, detail: "the only new IKE SA was established before the switch" };
}
