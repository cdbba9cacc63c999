// One racoon.conf for a router with several tunnels. racoon has a single
// `sainfo anonymous` block (phase 2) for every peer, so the tunnels of one router must
// agree on it; what differs per tunnel is only the include of ifup's <DST>.conf.
import { RenderError, type TunnelEnd } from "../contract";
import { racoonInclude } from "./render";

export type RacoonConfPart = { end: TunnelEnd; content: string };

const describe = (end: TunnelEnd) => `${end.tunnelId} (${end.interfaceName} → ${end.remote.publicIp}, profile "${end.profile.name}")`;

/** The shared part of a tunnel's racoon.conf: everything but its own include line. */
function withoutInclude(part: RacoonConfPart): string {
  const include = racoonInclude(part.end);
  return part.content
    .split("\n")
    .filter((line) => line !== include)
    .join("\n");
}

/**
 * The racoon.conf carrying the include of every tunnel, in the order given.
 * Throws RenderError naming two tunnels whose phase-2 (sainfo) blocks differ.
 */
export function mergeRacoonConf(parts: RacoonConfPart[]): string {
  const first = parts[0];
  if (!first) throw new Error("mergeRacoonConf needs at least one tunnel");
  const body = withoutInclude(first);
  for (const part of parts.slice(1)) {
    if (withoutInclude(part) !== body) {
      throw new RenderError(
        "unsupported",
        "profile.esp",
        `racoon.conf has one "sainfo anonymous" (phase 2) block for every tunnel of a router, but tunnels ${describe(first.end)} and ${describe(part.end)} need different phase-2 settings (ESP ciphers, integrity, PFS group or lifetime). Give them crypto profiles with the same phase 2, or use the strongswan platform.`,
      );
    }
  }
  const includes = [...new Set(parts.map((p) => racoonInclude(p.end)))];
  // The body ends with a newline where the single include used to be; the includes go there.
  return body + includes.map((line) => `${line}\n`).join("");
}
