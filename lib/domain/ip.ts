// The one module for IP addresses and networks (CIDR): strict parsing of user input,
// containment and overlap math, the lab's address plan. The math is ipaddr.js's.
// Strict on purpose: these strings end up in ifcfg files, racoon/swanctl configs and
// `ip route` commands, where a lenient parse ("010.1.1.1", " 10.0.0.1") means
// something different to each tool, or nothing at all. ipaddr.js itself reads such
// forms (octal, hex, "10.1", one 32-bit number), so our format check runs first.
// IPv4 only for now: `family` on parsed networks is where IPv6 will join.
import ipaddr from "ipaddr.js";
import { z } from "zod";
import { DomainError } from "./errors";

export type IpFamily = "ipv4";

export const IPV4_MESSAGE = "Enter an IPv4 address like 198.18.0.10";
export const CIDR_MESSAGE = "Enter a subnet in CIDR form like 192.168.1.0/24";

// One octet 0–255 without leading zeros: inet_aton reads "010" as octal 8.
const OCTET = "(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])";
const IPV4_RE = new RegExp(`^${OCTET}(?:\\.${OCTET}){3}$`);
const CIDR_SHAPE_RE = /^([^/]*)\/([^/]*)$/;
const PREFIX_RE = /^(?:[12]?[0-9]|3[0-2])$/;

/** A dotted quad in the one spelling every router tool reads alike. */
export function isIpv4(s: string): boolean {
  return IPV4_RE.test(s);
}

/** ipaddr.js's address, only for text that passed isIpv4. */
function libIpv4(s: string): ipaddr.IPv4 {
  if (!isIpv4(s)) throw new DomainError(IPV4_MESSAGE);
  return ipaddr.IPv4.parse(s);
}

/** Dotted quad → unsigned 32-bit number. */
export function parseIpv4(s: string): number {
  return libIpv4(s).octets.reduce((n, octet) => n * 256 + octet, 0);
}

export function formatIpv4(n: number): string {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) {
    throw new DomainError(`${n} is not a 32-bit IPv4 address`);
  }
  return new ipaddr.IPv4([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]).toString();
}

/** A network: its address with the host bits zero, its prefix length, and "network/prefix". */
export type Cidr = { family: IpFamily; network: string; prefix: number; text: string };

type Failure = { ok: false; message: string };
type Parse = { ok: true; cidr: Cidr } | Failure;

/** Reads "address/prefix" strictly; the network is the address with its host bits cleared. */
function readAddressSlashPrefix(s: string): { ok: true; cidr: Cidr; address: string } | Failure {
  const m = CIDR_SHAPE_RE.exec(s);
  if (!m || !isIpv4(m[1]!)) return { ok: false, message: CIDR_MESSAGE };
  const prefixText = m[2]!;
  if (!PREFIX_RE.test(prefixText)) {
    return { ok: false, message: `The prefix length after "/" must be a number from 0 to 32 (got ${JSON.stringify(prefixText)})` };
  }
  const prefix = Number(prefixText);
  const network = ipaddr.IPv4.networkAddressFromCIDR(s).toString();
  return { ok: true, address: m[1]!, cidr: { family: "ipv4", network, prefix, text: `${network}/${prefix}` } };
}

function inspectCidr(s: string): Parse {
  const r = readAddressSlashPrefix(s);
  if (r.ok && r.address !== r.cidr.network) {
    // Routers either refuse this or silently mask it; ask instead of guessing.
    return { ok: false, message: `${s} has host bits set — did you mean ${r.cidr.text}?` };
  }
  return r.ok ? { ok: true, cidr: r.cidr } : r;
}

/** Parses a network in CIDR form; throws DomainError if malformed or host bits are set. */
export function parseCidr(s: string): Cidr {
  const r = inspectCidr(s);
  if (!r.ok) throw new DomainError(r.message);
  return r.cidr;
}

/** True for a network in CIDR form with zero host bits (what parseCidr accepts). */
export function isCidr(s: string): boolean {
  return inspectCidr(s).ok;
}

/**
 * The network of an address as a machine prints it: "192.0.2.2/24" (`ip addr`, host
 * bits set) or a bare "192.0.2.2" (its own /32); null for anything else, IPv6 included.
 * For reading the machine's own state only: user input goes through parseCidr.
 */
export function enclosingNetwork(s: string): Cidr | null {
  const r = readAddressSlashPrefix(s.includes("/") ? s : `${s}/32`);
  return r.ok ? r.cidr : null;
}

function libNetwork(c: Cidr): [ipaddr.IPv4, number] {
  return [ipaddr.IPv4.parse(c.network), c.prefix];
}

/** Two aligned blocks overlap exactly when the larger one contains the other's network. */
export function networksOverlap(a: Cidr, b: Cidr): boolean {
  return a.family === b.family && ipaddr.IPv4.parse(a.network).match(ipaddr.IPv4.parse(b.network), Math.min(a.prefix, b.prefix));
}

/** True when every address of `inner` is in `outer`. */
export function networkContains(outer: Cidr, inner: Cidr): boolean {
  return outer.family === inner.family && inner.prefix >= outer.prefix && ipaddr.IPv4.parse(inner.network).match(libNetwork(outer));
}

/** Whether two networks share an address; throws DomainError unless both are valid CIDRs. */
export function cidrsOverlap(a: string, b: string): boolean {
  return networksOverlap(parseCidr(a), parseCidr(b));
}

/** Whether `ip` is in `cidr`; throws DomainError on a malformed value rather than answering "no". */
export function cidrContains(cidr: string, ip: string): boolean {
  const network = libNetwork(parseCidr(cidr));
  return libIpv4(ip).match(network);
}

/** The address `index` places past the network address (0 = the network address itself). */
export function addressInNetwork(c: Cidr, index: number): string {
  const size = 2 ** (32 - c.prefix);
  if (!Number.isInteger(index) || index < 0 || index >= size) {
    throw new DomainError(`${c.text} has no address number ${index} (it has ${size})`);
  }
  return formatIpv4(parseIpv4(c.network) + index);
}

// Address blocks that can never be a tunnel endpoint, with the reason shown to the admin.
// Our own list, not ipaddr.js's range(): its "reserved" also holds the test and
// benchmarking ranges (198.18.0.0/15, 203.0.113.0/24) that labs and docs use as endpoints.
const NON_ENDPOINT_BLOCKS: { cidr: Cidr; reason: string }[] = [
  { cidr: "0.0.0.0/8", reason: "addresses in 0.0.0.0/8 mean “this network” and cannot be a tunnel endpoint" },
  { cidr: "127.0.0.0/8", reason: "127.0.0.0/8 is loopback — use the gateway's public (WAN) address" },
  { cidr: "169.254.0.0/16", reason: "169.254.0.0/16 is link-local: it never crosses a router — use the gateway's public (WAN) address" },
  { cidr: "224.0.0.0/4", reason: "224.0.0.0/4 is multicast — a tunnel endpoint must be a single host" },
  { cidr: "240.0.0.0/4", reason: "240.0.0.0/4 is reserved (and 255.255.255.255 is broadcast) — not a usable endpoint" },
].map((b) => ({ cidr: parseCidr(b.cidr), reason: b.reason }));

/** Why an address cannot be a tunnel endpoint, or null if it can. */
export function endpointIpProblem(ip: string): string | null {
  if (!isIpv4(ip)) return IPV4_MESSAGE;
  const address = libIpv4(ip);
  const block = NON_ENDPOINT_BLOCKS.find((b) => address.match(libNetwork(b.cidr)));
  return block ? `${ip}: ${block.reason}` : null;
}

/** True for a valid IPv4 that can address one host (not 0/8, loopback, multicast or 240/4). */
export function isUnicastHostAddress(ip: string): boolean {
  return endpointIpProblem(ip) === null;
}

// Blocks no site LAN may touch. A tunnel's traffic selector covering one of them would
// capture the router's own loopback, link-local (DHCP-less fallback, cloud metadata),
// multicast or "this network" traffic, on both routers of the tunnel.
const NON_LAN_BLOCKS: { cidr: Cidr; reason: string }[] = [
  { cidr: "0.0.0.0/8", reason: "0.0.0.0/8 means “this network” on every host" },
  { cidr: "127.0.0.0/8", reason: "127.0.0.0/8 is loopback, inside every router" },
  { cidr: "169.254.0.0/16", reason: "169.254.0.0/16 is link-local: routers never forward it" },
  { cidr: "224.0.0.0/4", reason: "224.0.0.0/4 is multicast, not a LAN" },
  { cidr: "240.0.0.0/4", reason: "240.0.0.0/4 is reserved (and holds the broadcast address 255.255.255.255)" },
].map((b) => ({ cidr: parseCidr(b.cidr), reason: b.reason }));

/** Why a network in CIDR form cannot be a site's LAN subnet, or null if it can. */
export function lanSubnetProblem(s: string): string | null {
  const r = inspectCidr(s);
  if (!r.ok) return r.message;
  const block = NON_LAN_BLOCKS.find((b) => networksOverlap(r.cidr, b.cidr));
  if (!block) return null;
  const relation = networkContains(block.cidr, r.cidr) ? "is inside" : "includes";
  return `${r.cidr.text} ${relation} ${block.cidr.text}: ${block.reason}. A LAN subnet must be ordinary unicast space`;
}

/**
 * Why `ip` cannot be a host on the network `cidr`: it is the network's own address or
 * its broadcast address. A /31 (RFC 3021) and a /32 have neither.
 */
export function lanHostAddressProblem(ip: string, cidr: string): string | null {
  const c = parseCidr(cidr);
  if (c.prefix >= 31) return null;
  const address = libIpv4(ip).toString();
  if (address === c.network) return `${ip} is the network address of ${c.text}; give the gateway a host address inside it`;
  if (address === ipaddr.IPv4.broadcastAddressFromCIDR(c.text).toString()) {
    return `${ip} is the broadcast address of ${c.text}; give the gateway a host address inside it`;
  }
  return null;
}

export const ipv4Schema = z.string({ error: IPV4_MESSAGE }).refine(isIpv4, { error: IPV4_MESSAGE });

/** Network in CIDR form; the parsed value is the input string (already canonical when valid). */
export const cidrSchema = z.string({ error: CIDR_MESSAGE }).superRefine((s, ctx) => {
  const r = inspectCidr(s);
  if (!r.ok) ctx.addIssue({ code: "custom", message: r.message });
});

/** A gateway's tunnel endpoint (the DST/SRC of ifcfg-ipsecN, the peer of swanctl). */
export const publicEndpointIpSchema = z.string({ error: IPV4_MESSAGE }).superRefine((s, ctx) => {
  const problem = endpointIpProblem(s);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

/** A site's LAN subnet: a network in CIDR form outside loopback, link-local, multicast, 0/8 and 240/4. */
export const lanSubnetSchema = z.string({ error: CIDR_MESSAGE }).superRefine((s, ctx) => {
  const problem = lanSubnetProblem(s);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

// Where an SSH connection would land on this server itself, or on what only this
// server's own link sees: "Check host key" must not become a scanner of the server's
// ports (or of the cloud metadata service). An admin may allow ranges in configuration.
const SSH_SELF_BLOCKS: { cidr: Cidr; reason: string }[] = [
  { cidr: "0.0.0.0/8", reason: "addresses in 0.0.0.0/8 connect to this server itself" },
  { cidr: "127.0.0.0/8", reason: "127.0.0.0/8 is this server's loopback" },
  { cidr: "169.254.0.0/16", reason: "169.254.0.0/16 is link-local (the server's own link, cloud metadata services)" },
].map((b) => ({ cidr: parseCidr(b.cidr), reason: b.reason }));

const ALLOW_HINT = "Gatewarden does not open SSH connections there unless an admin allows it in GATEWARDEN_ALLOW_SSH_TARGETS";

export type SshTargetPolicy = {
  /** IPv4 networks an admin allowed (GATEWARDEN_ALLOW_SSH_TARGETS): they pass every check. */
  allow: Cidr[];
  /** This server's own addresses, IPv4 and IPv6 as the OS lists them. */
  own: string[];
};

/** Why Gatewarden must not open an SSH connection to `address` (an IPv4 or IPv6 address), or null. */
export function sshTargetAddressProblem(address: string, policy: SshTargetPolicy): string | null {
  if (!ipaddr.isValid(address)) return `${address} is not an IP address`;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === "ipv6" && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  const own = new Set(policy.own.filter((a) => ipaddr.isValid(a)).map((a) => ipaddr.process(a).toNormalizedString()));
  if (parsed.kind() === "ipv4") {
    const v4 = parsed as ipaddr.IPv4;
    if (policy.allow.some((c) => v4.match(libNetwork(c)))) return null;
    const block = SSH_SELF_BLOCKS.find((b) => v4.match(libNetwork(b.cidr)));
    if (block) return `${address}: ${block.reason}. ${ALLOW_HINT}`;
  } else {
    const range = (parsed as ipaddr.IPv6).range();
    if (range === "loopback") return `${address} is this server's loopback. ${ALLOW_HINT}`;
    if (range === "unspecified") return `${address} connects to this server itself. ${ALLOW_HINT}`;
    if (range === "linkLocal") return `${address} is link-local (the server's own link). ${ALLOW_HINT}`;
  }
  if (own.has(parsed.toNormalizedString())) return `${address} is an address of this server. ${ALLOW_HINT}`;
  return null;
}
