// What the tunnel and gateway pages show of the configuration: every rendered file and
// what ifup will generate from it, with each PSK masked here — the only place previews
// are built — so no page can hand a key to the browser. Render refusals become messages.
import "server-only";
import { getPlatform } from "@/lib/platforms";
import {
  RenderError,
  type Command,
  type CryptoProfile,
  type PlatformId,
  type RenderedFile,
  type TunnelEnd,
} from "@/lib/platforms/contract";
import { lintCryptoProfile, type CryptoLintFinding } from "@/lib/platforms/crypto-profiles";
import { renderGatewayFiles } from "@/lib/platforms/gateway-files";
import { loadGatewayEnds, loadTunnelEnds } from "@/lib/rendering/load-ends";
import { gatewayApplyCommands } from "@/lib/rendering/install-text";
import { maskSecrets, maskText } from "@/lib/rendering/mask";

export type EndPreview = {
  role: "a" | "b";
  gatewayId: string;
  gatewayName: string;
  platform: PlatformId;
  interfaceName: string;
  /** Files Gatewarden pushes, masked; empty when `error` is set. */
  files: RenderedFile[];
  /** Files the router generates from them (ifup's <DST>.conf, psk.txt), masked. */
  generated: RenderedFile[];
  applyCommands: Command[];
  /** Why this end cannot be rendered (a RenderError), in the user's terms. */
  error: string | null;
};

export type ProfileLint = { name: string; findings: CryptoLintFinding[] };

function renderEnd(platformId: PlatformId, end: TunnelEnd) {
  const platform = getPlatform(platformId);
  try {
    return { files: platform.render(end), generated: platform.preview(end), applyCommands: platform.applyCommands(end), error: null };
  } catch (e) {
    if (e instanceof RenderError) return { files: [], generated: [], applyCommands: [], error: e.message };
    throw e;
  }
}

export function lintProfile(profile: CryptoProfile): ProfileLint {
  return { name: profile.name, findings: lintCryptoProfile(profile) };
}

/** Both ends of one tunnel, masked; null when the tunnel does not exist. */
export async function previewTunnelConfig(tunnelId: string): Promise<{ profile: ProfileLint; ends: EndPreview[] } | null> {
  // What the next deploy writes: under the tunnel's readable name.
  const loaded = await loadTunnelEnds(tunnelId, "active", "desired");
  if (!loaded) return null;
  const ends = loaded.ends.map((r): EndPreview => {
    const psks = [r.end.psk];
    const out = renderEnd(r.platform, r.end);
    return {
      role: r.role,
      gatewayId: r.gatewayId,
      gatewayName: r.gatewayName,
      platform: r.platform,
      interfaceName: r.end.interfaceName,
      files: maskSecrets(out.files, psks),
      generated: maskSecrets(out.generated, psks),
      applyCommands: out.applyCommands,
      error: out.error === null ? null : maskText(out.error, psks),
    };
  });
  return { profile: lintProfile(loaded.ends[0].end.profile), ends };
}

export type GatewayPreview = {
  files: RenderedFile[];
  applyCommands: Command[];
  error: string | null;
  /** Each distinct profile used by the gateway's tunnels, with the interfaces using it. */
  profiles: (ProfileLint & { interfaces: string[] })[];
};

/** The whole file set of one gateway (every tunnel merged), masked. */
export async function previewGatewayConfig(gatewayId: string, platformId: PlatformId): Promise<GatewayPreview> {
  const ends = (await loadGatewayEnds(gatewayId, { names: "desired" })).map((r) => r.end);
  const psks = ends.map((e) => e.psk);
  const platform = getPlatform(platformId);
  const profiles = new Map<string, GatewayPreview["profiles"][number]>();
  for (const end of ends) {
    const entry = profiles.get(end.profile.name) ?? { ...lintProfile(end.profile), interfaces: [] };
    entry.interfaces.push(end.interfaceName);
    profiles.set(end.profile.name, entry);
  }
  try {
    const files = maskSecrets(renderGatewayFiles(platform, ends), psks);
    return { files, applyCommands: gatewayApplyCommands(platform, ends), error: null, profiles: [...profiles.values()] };
  } catch (e) {
    if (!(e instanceof RenderError)) throw e;
    return { files: [], applyCommands: [], error: maskText(e.message, psks), profiles: [...profiles.values()] };
  }
}
