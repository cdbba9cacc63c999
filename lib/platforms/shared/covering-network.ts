// What a site with several LAN subnets can do on a platform that carries one subnet per
// side and one tunnel per gateway pair: one covering network, or another platform.
import { formatIpv4, parseCidr, parseIpv4 } from "@/lib/domain/ip";

/** The smallest aligned network that holds every given network. */
export function coveringNetwork(cidrs: readonly string[]): string {
  const ranges = cidrs.map((c) => {
    const { network, prefix } = parseCidr(c);
    const start = parseIpv4(network);
    return [start, start + 2 ** (32 - prefix) - 1] as const;
  });
  const low = Math.min(...ranges.map(([a]) => a));
  const high = Math.max(...ranges.map(([, b]) => b));
  let prefix = 32;
  while (prefix > 0 && Math.floor(low / 2 ** (32 - prefix)) !== Math.floor(high / 2 ** (32 - prefix))) prefix--;
  const size = 2 ** (32 - prefix);
  return `${formatIpv4(Math.floor(low / size) * size)}/${prefix}`;
}

const size = (cidr: string) => 2 ** (32 - parseCidr(cidr).prefix);

/**
 * Advice for a side with several subnets where a tunnel carries one. A covering network
 * more than four times the subnets' own size is not offered: it would take in too much.
 */
export function oneSubnetAdvice(subnets: readonly string[]): string {
  const platform = "put this gateway on the strongswan platform, which carries several subnets in one tunnel.";
  const list = `${subnets.slice(0, -1).join(", ")} and ${subnets[subnets.length - 1]}`;
  const cover = coveringNetwork(subnets);
  if (size(cover) > 4 * subnets.reduce((n, c) => n + size(c), 0)) return `No small network holds ${list}: ${platform}`;
  return `Give the site one network instead: ${cover} is the smallest network holding ${list} (only if nothing else uses its other addresses), or ${platform}`;
}
