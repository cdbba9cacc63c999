// IPv4 address and CIDR parsing, formatting and containment math.
// Strict on purpose: these strings end up in ifcfg files, racoon/swanctl configs and
// `ip route` commands, where a lenient parse ("010.1.1.1", " 10.0.0.1") means
// something different to each tool, or nothing at all.
import { z } from "zod";
import { DomainError } from "./errors";

export const IPV4_MESSAGE = "Enter an IPv4 address like 198.18.0.10";
export const CIDR_MESSAGE = "Enter a subnet in CIDR form like 192.168.1.0/24";

// One octet 0–255 without leading zeros: inet_aton reads "010" as octal 8.
const OCTET = "(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])";
const IPV4_RE = new RegExp(`^${OCTET}(?:\\.${OCTET}){3}$`);
const CIDR_SHAPE_RE = /^([^/]*)\/([^/]*)$/;
const PREFIX_RE = /^(?:[12]?[0-9]|3[0-2])$/;

export function isIpv4(s: string): boolean {
  return IPV4_RE.test(s);
}

/** Dotted quad → unsigned 32-bit number. */
export function parseIpv4(s: string): number {
  if (!isIpv4(s)) throw new DomainError(IPV4_MESSAGE);
  // Multiplication rather than << keeps the result unsigned.
  return s.split(".").reduce((n, octet) => n * 256 + Number(octet), 0);
}

export function formatIpv4(n: number): string {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) {
    throw new DomainError(`${n} is not a 32-bit IPv4 address`);
  }
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
}

/** Netmask of a prefix length as an unsigned number (prefix 0 → 0, because x << 32 is x in JS). */
export function prefixMask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

export type Cidr = { network: number; prefix: number; text: string };

type CidrParse =
  | { ok: true; cidr: Cidr }
  | { ok: false; message: string };

function inspectCidr(s: string): CidrParse {
  const m = CIDR_SHAPE_RE.exec(s);
  if (!m || !isIpv4(m[1]!)) return { ok: false, message: CIDR_MESSAGE };
  const prefixText = m[2]!;
  if (!PREFIX_RE.test(prefixText)) {
    return { ok: false, message: `The prefix length after "/" must be a number from 0 to 32 (got ${JSON.stringify(prefixText)})` };
  }
  const prefix = Number(prefixText);
  const address = parseIpv4(m[1]!);
  const network = (address & prefixMask(prefix)) >>> 0;
  const text = `${formatIpv4(network)}/${prefix}`;
  if (network !== address) {
    // Routers either refuse this or silently mask it; ask instead of guessing.
    return { ok: false, message: `${s} has host bits set — did you mean ${text}?` };
  }
  return { ok: true, cidr: { network, prefix, text } };
}

/** Parses a network in CIDR form; throws DomainError if malformed or host bits are set. */
export function parseCidr(s: string): Cidr {
  const r = inspectCidr(s);
  if (!r.ok) throw new DomainError(r.message);
  return r.cidr;
}

export function cidrsOverlap(a: string, b: string): boolean {
  const x = parseCidr(a);
  const y = parseCidr(b);
  // Two aligned blocks overlap exactly when the larger one contains the other's network.
  const mask = prefixMask(Math.min(x.prefix, y.prefix));
  return ((x.network & mask) >>> 0) === ((y.network & mask) >>> 0);
}

export function cidrContains(cidr: string, ip: string): boolean {
  const c = parseCidr(cidr);
  return ((parseIpv4(ip) & prefixMask(c.prefix)) >>> 0) === c.network;
}

// Address blocks that can never be a tunnel endpoint, with the reason shown to the admin.
const NON_ENDPOINT_BLOCKS: { cidr: string; reason: string }[] = [
  { cidr: "0.0.0.0/8", reason: "addresses in 0.0.0.0/8 mean “this network” and cannot be a tunnel endpoint" },
  { cidr: "127.0.0.0/8", reason: "127.0.0.0/8 is loopback — use the gateway's public (WAN) address" },
  { cidr: "224.0.0.0/4", reason: "224.0.0.0/4 is multicast — a tunnel endpoint must be a single host" },
  { cidr: "240.0.0.0/4", reason: "240.0.0.0/4 is reserved (and 255.255.255.255 is broadcast) — not a usable endpoint" },
];

/** Why an address cannot be a tunnel endpoint, or null if it can. Expects a valid IPv4. */
export function endpointIpProblem(ip: string): string | null {
  if (!isIpv4(ip)) return IPV4_MESSAGE;
  const block = NON_ENDPOINT_BLOCKS.find((b) => cidrContains(b.cidr, ip));
  return block ? `${ip}: ${block.reason}` : null;
}

/** True for a valid IPv4 that can address one host (not 0/8, loopback, multicast or 240/4). */
export function isUnicastHostAddress(ip: string): boolean {
  return endpointIpProblem(ip) === null;
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
