// The one contract every gateway platform implements (like a NAPALM driver): turn a
// tunnel end into files and argv commands, and read back what the router prints.
// Everything here is pure; only lib/ssh runs the commands and uploads the files.
import type { IpRoute } from "./shared/parse-ip-route";
import type { IkeSa } from "./strongswan/parse-list-sas";

export type PlatformId = "centos-racoon" | "strongswan";
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

export interface TunnelSide {
  publicIp: string;
  /** The router's LAN address (SRCGW/DSTGW); needed for net-to-net on centos-racoon. */
  lanAddress: string | null;
  /** LAN CIDRs behind this side; ignored for host-to-host. */
  subnets: string[];
}

/** One end of a tunnel, seen from the gateway being configured ("local" is that gateway). */
export interface TunnelEnd {
  tunnelId: string;
  /** [a-z0-9-], e.g. "gw-<tunnelId>"; names the swanctl connection and child. */
  connectionName: string;
  kind: TunnelKind;
  /** ipsecN: the centos interface (ifcfg-ipsecN); informational elsewhere. */
  interfaceName: string;
  local: TunnelSide;
  remote: TunnelSide;
  psk: string;
  profile: CryptoProfile;
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
  /** A non-zero exit is expected in normal operation (e.g. ifdown of a tunnel that is down). */
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
}

export type TunnelState = "up" | "configured" | "down";

export interface TunnelStatus {
  /** up: an INSTALLED CHILD SA; configured: the route to the peer is there but no SA seen; down: neither. */
  state: TunnelState;
  /** Routes to each remote subnet (or the peer /32 for host-to-host) found in any table. */
  routes: IpRoute[];
  /** The IKE SA of this tunnel if the router reported one (null when no SA info was available). */
  ikeSa: IkeSa | null;
}

export interface PlatformCapabilities {
  ikeVersions: (1 | 2)[];
  /** null = unlimited. */
  maxSubnetsPerSide: number | null;
}

export interface Platform {
  id: PlatformId;
  label: string;
  capabilities: PlatformCapabilities;
  /** Files Gatewarden pushes. Throws RenderError on anything it cannot render safely. */
  render(end: TunnelEnd): RenderedFile[];
  /** Files the router generates itself from ours (e.g. by ifup), shown for review; never pushed. */
  preview(end: TunnelEnd): RenderedFile[];
  /** Bring the tunnel (re)up after the files are in place. */
  applyCommands(end: TunnelEnd): Command[];
  /** Stop the tunnel now; removing the files is the deploy layer's job. */
  teardownCommands(end: TunnelEnd): Command[];
  /** Make a new PSK effective after the secret files were rewritten on both ends. */
  rotateCommands(end: TunnelEnd): Command[];
  /** Read-only commands whose outputs parseStatus understands. */
  statusCommands(end: TunnelEnd): Command[];
  parseStatus(end: TunnelEnd, results: CommandResult[]): TunnelStatus;
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
