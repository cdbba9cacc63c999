// The one contract every gateway platform implements (like a NAPALM driver): turn a
// tunnel end into files and argv commands, and read back what the router prints.
// Everything here is pure; only lib/ssh runs the commands and uploads the files.
import type { IkeSa, IpRoute } from "./status";

export type { ChildSa, ChildSaTraffic, IkeSa, IpRoute, IpsecPolicy, SaEndpoint } from "./status";

export type PlatformId = "centos-racoon" | "libreswan" | "strongswan";
export type TunnelKind = "host-to-host" | "net-to-net";

/** Neutral algorithm names; each platform maps them to its own keywords. */
export type IkeEncryption = "3des" | "aes128" | "aes192" | "aes256";
/** `rijndael` is racoon's name for AES-128 and `blowfish448` racoon's `blowfish 448`; kept so the article's profile renders verbatim. */
export type EspEncryption = "3des" | "blowfish448" | "rijndael" | "aes128" | "aes192" | "aes256";
export type Integrity = "md5" | "sha1" | "sha256" | "sha384" | "sha512";
/** IANA group numbers: 1,2,5,14–18 MODP; 19–21 ECP (ecp256/384/521). */
export type DhGroup = 1 | 2 | 5 | 14 | 15 | 16 | 17 | 18 | 19 | 20 | 21;
export type ExchangeMode = "main" | "aggressive";

export interface CryptoProfile {
  name: string;
  ikeVersion: 1 | 2;
  /** IKEv1 only, in preference order; ignored for IKEv2. */
  exchangeModes: ExchangeMode[];
  /** Phase 1 (IKE SA): one proposal. */
  ike: { encryption: IkeEncryption; integrity: Integrity; dhGroup: DhGroup };
  /** Phase 2 (ESP CHILD SA): lists are offered in order; pfsGroup null means no PFS. */
  esp: {
    encryption: EspEncryption[];
    integrity: Integrity[];
    pfsGroup: DhGroup | null;
    /** IPComp offer (racoon's `compression_algorithm deflate`); null when not offered. */
    compression: "deflate" | null;
  };
  ikeLifetimeSeconds: number;
  childLifetimeSeconds: number;
}

/**
 * Where a router does ESP: "kernel" (XFRM SAs and policies, as production gateways run
 * it) or "libipsec" (strongSwan's userspace ESP over TUN: tunnel mode only, no IPComp).
 */
export type IpsecStack = "kernel" | "libipsec";

export interface TunnelSide {
  publicIp: string;
  /** Absent means "kernel". Both sides matter: the two ends must agree on the mode. */
  ipsecStack?: IpsecStack;
  /** The router's LAN address (SRCGW/DSTGW); needed for net-to-net on centos-racoon. */
  lanAddress: string | null;
  /** LAN CIDRs behind this side; ignored for host-to-host. */
  subnets: string[];
}

/**
 * Connection names every platform takes as they are: strongSwan's swanctl section and
 * vici names, Libreswan's `conn` names and `ipsec auto` arguments, and file names under
 * /etc/swanctl/conf.d and /etc/ipsec.d (CentOS names its tunnels ipsecN and uses none).
 */
export const CONNECTION_NAME_MAX = 63;
export const CONNECTION_NAME = /^[a-z0-9](?:[a-z0-9-]{0,62})$/;

/** One end of a tunnel, seen from the gateway being configured ("local" is that gateway). */
export interface TunnelEnd {
  tunnelId: string;
  /**
   * CONNECTION_NAME, e.g. "gw-hq--branch1-3f9a2c1d"; names the strongSwan connection,
   * child and files, and the Libreswan conn and files.
   */
  connectionName: string;
  kind: TunnelKind;
  /** ipsecN: the centos interface (ifcfg-ipsecN); informational elsewhere. */
  interfaceName: string;
  local: TunnelSide;
  remote: TunnelSide;
  psk: string;
  profile: CryptoProfile;
  /**
   * Whether this end starts the tunnel. false: it only answers (the hub, the end on the
   * router with more tunnels), so its router initiates nothing — not on load, not after
   * DPD, not at boot; true or absent: it initiates. Set on both ends of a stored tunnel.
   */
  initiates?: boolean;
}

export interface RenderedFile {
  /** Absolute, fixed per platform (only tunnel id / interface / peer IP vary). */
  path: string;
  content: string;
  /** 0o600 for secrets, 0o644 otherwise. */
  mode: number;
  /** True when content carries the PSK: never log or diff it in clear. */
  secret: boolean;
  /**
   * "gateway": one file per router shared by all its tunnels (racoon.conf, sysctl),
   * so tunnels on one router must agree on it; "tunnel": owned by this tunnel alone.
   */
  scope: "tunnel" | "gateway";
  /** Preview files only: why the file appears and who writes it. */
  note?: string;
}

/** argv only, never a shell string: lib/ssh quotes nothing because nothing needs quoting. */
export interface Command {
  argv: string[];
  description: string;
  /**
   * "router": acts on the whole router (loads every connection or secret, sets a sysctl):
   * a job runs it once per router per round, however many tunnels asked for it.
   * "tunnel" (the default): acts on this tunnel alone.
   */
  scope?: "router" | "tunnel";
  /** Any non-zero exit is expected in normal operation (e.g. ifdown of a tunnel that is down). */
  allowFailure?: boolean;
  /**
   * Only does something once the peer has this tunnel configured (initiating it): a
   * deploy skips it on the end it applies first, whose peer is configured next.
   */
  needsPeer?: boolean;
}

/** What lib/ssh hands back for each status command, in the order of statusCommands(). */
export interface CommandResult {
  stdout: string;
  exitCode: number;
  stderr?: string;
}

export type TunnelState = "up" | "configured" | "down";

export interface TunnelStatus {
  /**
   * up: the router shows the tunnel working (an installed CHILD SA, or where the router
   * cannot list SAs, what that platform takes as proof); configured: set up but no SA
   * seen; down: neither.
   */
  state: TunnelState;
  /** The state in a few words, for job logs and health ("security association established"). */
  reason: string;
  /** Routes to each remote subnet (or the peer /32 for host-to-host) found in any table. */
  routes: IpRoute[];
  /** This tunnel's current IKE SA (null when none, or when the router cannot list SAs). */
  ikeSa: IkeSa | null;
  /** Every IKE SA of this tunnel (two during a reauthentication). */
  ikeSas: IkeSa[];
  /** False when the router has no way to list SAs: the state then rests on other evidence. */
  canListSas: boolean;
  /**
   * This tunnel's SAs for people to read (the health panel), or why there are none: built
   * from the parsed SAs, since the listing is a machine format (vici's raw dump).
   */
  saText: string;
  /** The router's routes without the kernel's local/broadcast bookkeeping, for people to read. */
  routesText: string;
  /** A status command failed where it should have worked: its first line of error. */
  error: string | null;
}

export interface PlatformCapabilities {
  ikeVersions: (1 | 2)[];
  /** null = unlimited. */
  maxSubnetsPerSide: number | null;
  /** One phase-2 (CHILD SA) proposal per router, shared by all its tunnels (racoon's `sainfo anonymous`). */
  sharedPhase2: boolean;
  /**
   * A new key is proven by a new IKE SA built while the old one still carries traffic
   * (make-before-break reauthentication): rotation loses no packet. Without it the
   * tunnel is stopped and started again with the new key.
   */
  makeBeforeBreak: boolean;
  /**
   * IKE versions in which this platform, as responder, takes a make-before-break peer's
   * reauthentication with the key it has just loaded: a new IKE SA beside the running one,
   * which then replaces it. A rotation against such a peer then needs no stop and start
   * here. Empty when not shown to hold.
   */
  answersReauthentication: (1 | 2)[];
  /**
   * Running applyCommands again on a tunnel that is up interrupts it even when its files
   * did not change (Libreswan's `ipsec auto --add` replaces the loaded connection and
   * closes its SAs; CentOS cycles the interface). A deploy then leaves such a tunnel
   * running when its files are unchanged on both routers and it is up on both ends.
   */
  reapplyInterrupts: boolean;
  /** Commands of different tunnels may run at once on one router (as channels of one session). */
  concurrentCommands: boolean;
  /** The IPsec stacks this platform's routers may have; the first is the default. */
  ipsecStacks: [IpsecStack, ...IpsecStack[]];
}

/**
 * How a new PSK takes effect once both ends' secret files hold it. With make-before-break:
 * load it on both routers, then reauthenticate from one end. Without: stop the tunnel
 * (old key) and start it again, which reads the new key.
 */
export interface KeySwitchCommands {
  /** Router-wide commands that make the new key known without touching running SAs; [] when only a restart reads it. */
  load(end: TunnelEnd): Command[];
  /** From one end: a new IKE SA authenticated with the loaded key, the old one kept until then. */
  reauthenticate(end: TunnelEnd): Command[];
  /** Stop the tunnel. */
  stop(end: TunnelEnd): Command[];
  /** Start the tunnel again: it negotiates with the key now on disk. */
  start(end: TunnelEnd): Command[];
}

/** Several tunnels' renderings of one gateway-wide file, combined into the file the router gets. */
export type SharedFileMerger = (parts: { end: TunnelEnd; content: string }[]) => string;

export interface Platform {
  id: PlatformId;
  /** Full name, e.g. for a platform picker: "strongSwan (swanctl)". */
  label: string;
  /** Short name for badges and tables: "strongSwan". */
  shortLabel: string;
  capabilities: PlatformCapabilities;
  /** Files Gatewarden pushes. Throws RenderError on anything it cannot render safely. */
  render(end: TunnelEnd): RenderedFile[];
  /** Files the router generates itself from ours (e.g. by ifup), shown for review; never pushed. */
  preview(end: TunnelEnd): RenderedFile[];
  /**
   * Gateway-wide files (scope "gateway") whose per-tunnel renderings legitimately differ
   * and combine into one, by path. A shared file without a merger must render the same
   * for every tunnel of a router.
   */
  sharedFileMergers: Record<string, SharedFileMerger>;
  /** What a rendered file is, for a person installing it by hand (bundle INSTALL.txt). */
  describeFile(file: RenderedFile): string | null;
  /**
   * Lines for the bundle's install note after the apply commands: router settings this
   * platform needs, and the non-default ones these ends (this router's) bring.
   */
  installNotes(ends: TunnelEnd[]): string[];
  /**
   * What a person must know about how the router runs this end that its files do not show:
   * where the router may do otherwise than the profile says, or what a peer configured by
   * hand needs to interoperate. Shown with profile support; [] when there is nothing.
   */
  caveats(end: TunnelEnd): string[];
  /** Bring the tunnel (re)up after the files are in place. */
  applyCommands(end: TunnelEnd): Command[];
  /** Stop the tunnel now; removing the files is the deploy layer's job. */
  teardownCommands(end: TunnelEnd): Command[];
  /** Router-wide: make the router forget what is no longer in its files (after a tunnel's files were removed). */
  reloadCommands(): Command[];
  /** Make a new PSK effective after the secret files were rewritten on both ends. */
  keySwitch: KeySwitchCommands;
  /** Read-only commands whose outputs parseStatus understands; run once per router for all its tunnels. */
  statusCommands(end: TunnelEnd): Command[];
  parseStatus(end: TunnelEnd, results: CommandResult[]): TunnelStatus;
  /**
   * The read-only commands that list the router's SAs (the part of the status a key-switch
   * proof needs); [] when the router cannot list SAs.
   */
  saListCommands(end: TunnelEnd): Command[];
  /** This tunnel's IKE SAs from saListCommands' outputs; null when they could not be listed. */
  parseSaList(end: TunnelEnd, results: CommandResult[]): IkeSa[] | null;
  /**
   * Read-only, router-wide commands whose output may say why a tunnel is down (the IKE
   * daemon's recent log); all may fail (allowFailure). [] when the platform has none.
   */
  failureLogCommands(): Command[];
  /** Why this tunnel is down per failureLogCommands' outputs ("AUTH_FAILED: …"), or null when they do not say. */
  parseFailureLog(end: TunnelEnd, results: CommandResult[]): string | null;
}

export type RenderErrorCode = "invalid-input" | "unsupported";

/** An expected failure: the input cannot be rendered safely or this platform cannot express it. */
export class RenderError extends Error {
  readonly code: RenderErrorCode;
  readonly field: string;
  constructor(code: RenderErrorCode, field: string, message: string) {
    super(message);
    this.name = "RenderError";
    this.code = code;
    this.field = field;
  }
}
