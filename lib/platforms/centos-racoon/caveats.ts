// How a CentOS router runs a tunnel end where that differs from what its profile says, or
// what a hand-configured peer must match: told with profile support (facts: FACTS.md).
import type { TunnelEnd } from "../contract";
import { remoteConfPath } from "./render";

export function centosCaveats(end: TunnelEnd): string[] {
  const { exchangeModes, esp } = end.profile;
  if (end.profile.ikeVersion !== 1) return [];
  const caveats = [
    `racoon initiates in ${exchangeModes[0]} mode (the first of \`exchange_mode ${exchangeModes.join(", ")}\`) and answers in ${exchangeModes.length > 1 ? "either" : "that mode only"}. ` +
      `Stock ifup-ipsec has no setting for it: it writes \`exchange_mode aggressive, main\` into ${remoteConfPath(end)} whenever that file is missing or older than ifcfg-${end.interfaceName}. ` +
      `Gatewarden pushes the file with this profile's modes and touches it before ifup, so ifup keeps it; after editing ifcfg-${end.interfaceName} on the router, touch ${remoteConfPath(end)} again, or racoon starts in aggressive mode.`,
    `AH is off (AH_PROTO=none): ifup-ipsec requires AH and ESP unless AH_PROTO=none, so a peer set up by hand from the article (no AH_PROTO) will not interoperate until it sets AH_PROTO=none too.`,
  ];
  if (esp.compression !== null) {
    caveats.push(
      "IPComp is never negotiated on CentOS: ifup-ipsec's policies ask for ESP only, and racoon offers IPComp only where a policy asks for it (racoon.conf names deflate because its grammar requires a compression algorithm).",
    );
  }
  return caveats;
}
