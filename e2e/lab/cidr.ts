// Minimal IPv4 address/CIDR arithmetic for the lab's overlap checks. Pure.
// (lib/domain has the app's address math; the lab keeps its own so it can run
// before and without the app.)

export interface Cidr {
  network: number;
  prefix: number;
}

export function parseIpv4(text: string): number | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text.trim());
  if (!m) return null;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return null;
  return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
}

export function formatIpv4(value: number): string {
  const v = value >>> 0;
  return [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255].join(".");
}

/** Parses "a.b.c.d/n" or a bare address (= /32). The network is masked. */
export function parseCidr(text: string): Cidr {
  const [addr, prefixText] = text.trim().split("/");
  const ip = parseIpv4(addr ?? "");
  const prefix = prefixText === undefined ? 32 : Number(prefixText);
  if (ip === null || !Number.isInteger(prefix) || prefix < 0 || prefix > 32) {
    throw new Error(`not an IPv4 CIDR: ${text}`);
  }
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return { network: (ip & mask) >>> 0, prefix };
}

export function isIpv4Cidr(text: string): boolean {
  try {
    parseCidr(text);
    return true;
  } catch {
    return false;
  }
}

/** Two ranges overlap iff one contains the other's network address. */
export function cidrsOverlap(a: string, b: string): boolean {
  const x = parseCidr(a);
  const y = parseCidr(b);
  const prefix = Math.min(x.prefix, y.prefix);
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return ((x.network & mask) >>> 0) === ((y.network & mask) >>> 0);
}
