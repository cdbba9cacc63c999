// Loads tunnels from the database and decrypts the PSK version to render, giving
// the RenderableEnd values that previews, bundles and deploys feed to the platforms.
import "server-only";
import { decryptSecret } from "@/lib/secrets/envelope";
import { getKeyring, secretPurpose } from "@/lib/config/keyring";
import { getGatewayTunnelsForRender, getTunnelForRender, type TunnelForRender } from "@/lib/db/render-queries";
import { tunnelEndsFor, type NameChoice, type RenderableEnd } from "@/lib/rendering/tunnel-ends";

/** "active" renders what should be on the routers; a version number renders that key. */
export type PskChoice = "active" | number;

function pskOf(t: TunnelForRender, choice: PskChoice): { psk: string; version: number } {
  const key = choice === "active" ? t.keys.find((k) => k.status === "active") : t.keys.find((k) => k.version === choice);
  if (!key) throw new Error(`tunnel ${t.id} has no ${choice === "active" ? "active" : `version ${choice}`} pre-shared key`);
  return { psk: decryptSecret(key.secretEnc, getKeyring(), secretPurpose.psk(t.id, key.version)), version: key.version };
}

/** `names`: "router" (default) names each end as its router holds it; "desired" as a deploy writes it. */
export async function loadTunnelEnds(tunnelId: string, choice: PskChoice = "active", names: NameChoice = "router") {
  const t = await getTunnelForRender(tunnelId);
  if (!t) return null;
  const { psk, version } = pskOf(t, choice);
  return { tunnel: t, pskVersion: version, ends: tunnelEndsFor(t, psk, names) };
}

/**
 * This gateway's end of every tunnel it has, with each tunnel's active key.
 * `onlyDeployed`: just the tunnels that are on the router now — what a push must keep
 * in shared files (racoon.conf must not include a tunnel the router does not have).
 */
export async function loadGatewayEnds(
  gatewayId: string,
  opts: { onlyDeployed?: boolean; names?: NameChoice } = {},
): Promise<RenderableEnd[]> {
  const tunnels = (await getGatewayTunnelsForRender(gatewayId)).filter((t) => !opts.onlyDeployed || t.deployState === "deployed");
  return tunnels.flatMap((t) => tunnelEndsFor(t, pskOf(t, "active").psk, opts.names).filter((e) => e.gatewayId === gatewayId));
}
