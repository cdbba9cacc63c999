// Who is on the other end of a request. The TCP peer is the client unless it is one of
// the reverse proxies named in GATEWARDEN_TRUSTED_PROXIES; only then is X-Forwarded-For
// read, from the right (the hop the proxy itself appended) leftwards past further
// trusted proxies, and the first untrusted hop is the client. Anyone else can write
// anything into that header, so without a trusted proxy it is ignored. Pure: the
// request's values come from lib/auth/request-client.ts.
import ipaddr from "ipaddr.js";
import { isIpv4 } from "@/lib/domain/ip";

export type AddressRange = [ipaddr.IPv4 | ipaddr.IPv6, number];
export type TrustedProxies = readonly AddressRange[];

/** An address in a strict spelling (dotted quad or IPv6), IPv4-mapped IPv6 read as IPv4. */
export function parseAddress(text: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  const s = text.trim();
  if (isIpv4(s)) return ipaddr.IPv4.parse(s);
  if (s.includes(":") && ipaddr.IPv6.isValid(s)) return ipaddr.process(s);
  return null;
}

/** "10.0.0.0/8, 192.0.2.7 ::1" (commas or spaces) into ranges; a bare address is a /32 or /128. */
export function parseTrustedProxies(text: string): { ok: true; proxies: TrustedProxies } | { ok: false; message: string } {
  const proxies: AddressRange[] = [];
  for (const item of text.split(/[\s,]+/).filter((x) => x.length > 0)) {
    const [addressText, prefixText, ...rest] = item.split("/");
    const address = parseAddress(addressText!);
    const max = address?.kind() === "ipv4" ? 32 : 128;
    const prefix = prefixText === undefined ? max : /^[0-9]{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
    if (!address || rest.length > 0 || !(prefix >= 0 && prefix <= max)) {
      return { ok: false, message: `${JSON.stringify(item)} is not an IP address or CIDR range (e.g. 10.0.0.0/8, 192.0.2.7, ::1)` };
    }
    proxies.push([address, prefix]);
  }
  return { ok: true, proxies };
}

export function isTrustedProxy(address: ipaddr.IPv4 | ipaddr.IPv6, proxies: TrustedProxies): boolean {
  return proxies.some(([range, prefix]) => range.kind() === address.kind() && address.match(range, prefix));
}

/** One X-Forwarded-For hop, as proxies write it: an address, maybe with a port or in brackets. */
function parseHop(hop: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  const s = hop.trim();
  const bracketed = /^\[([^\]]+)\](?::[0-9]+)?$/.exec(s);
  if (bracketed) return parseAddress(bracketed[1]!);
  const v4WithPort = /^([0-9.]+):[0-9]+$/.exec(s);
  return parseAddress(v4WithPort ? v4WithPort[1]! : s);
}

export type RequestPeer = {
  /** The socket's remote address, or undefined when the server could not say. */
  peer: string | undefined;
  forwardedFor: string | null;
};

/** The client's address as a canonical string, or "unknown" when the peer is not known. */
export function resolveClientAddress({ peer, forwardedFor }: RequestPeer, proxies: TrustedProxies): string {
  const socket = peer ? parseAddress(peer) : null;
  if (!socket) return "unknown";
  let client = socket;
  if (!isTrustedProxy(client, proxies) || !forwardedFor) return client.toString();
  const hops = forwardedFor.split(",").reverse();
  for (const hop of hops) {
    const address = parseHop(hop);
    // A hop a trusted proxy could not have written: stop at the last hop we believe.
    if (!address) break;
    client = address;
    if (!isTrustedProxy(address, proxies)) break;
  }
  return client.toString();
}

/** True when the request came straight from a trusted proxy, so its other X-Forwarded-* headers may be read. */
export function viaTrustedProxy(peer: string | undefined, proxies: TrustedProxies): boolean {
  const socket = peer ? parseAddress(peer) : null;
  return !!socket && isTrustedProxy(socket, proxies);
}
