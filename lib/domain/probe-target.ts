// A site's probe target: one host on the site's LAN that health pings through each of the
// site's tunnels, from the other end's router LAN address (lib/health/parse-ping planProbes).
// Empty means none: health then probes router to router only. Pure and strict: the address
// ends up in a ping argv on a router.
import { cidrContains, IPV4_MESSAGE, isIpv4, isUnicastHostAddress, lanHostAddressProblem } from "./ip";

/** Parses the form/API value: null for "none" (empty or blank), else the address, or a problem to show next to the field. */
export function parseProbeTarget(
  raw: string | null | undefined,
  site: { subnets: readonly string[]; lanAddress: string | null },
): { ok: true; value: string | null } | { ok: false; message: string } {
  const text = raw ?? "";
  if (text.trim() === "") return { ok: true, value: null };
  if (!isIpv4(text)) return { ok: false, message: `${IPV4_MESSAGE} on this site's LAN, or leave it empty` };
  if (!isUnicastHostAddress(text)) return { ok: false, message: `${text} cannot be a host on a LAN` };
  const subnet = site.subnets.find((c) => cidrContains(c, text));
  if (!subnet) {
    return {
      ok: false,
      message: `${text} is not inside this site's LAN subnets (${site.subnets.join(", ") || "none"}); the probe target must be a host on the site's LAN`,
    };
  }
  const hostProblem = lanHostAddressProblem(text, subnet);
  if (hostProblem) return { ok: false, message: hostProblem.replace("give the gateway", "choose") };
  if (site.lanAddress === text) {
    return {
      ok: false,
      message: `${text} is the gateway's own LAN address, which health already probes; name a host behind the gateway (a server, a switch, a printer)`,
    };
  }
  return { ok: true, value: text };
}
