// What a deploy writes to one router: each deploying tunnel's own files, and the files
// the router's tunnels share (racoon.conf, the swanctl secrets include), rendered for
// every tunnel that stays on the router — the deployed ones the database knows plus
// those of this deploy that have not dropped out. With none left, the shared files go
// back to the router's own copy ("restore").
import "server-only";
import { getPlatform } from "@/lib/platforms";
import { renderGatewayFiles } from "@/lib/platforms/gateway-files";
import type { RenderedFile } from "@/lib/platforms/contract";
import { loadGatewayEnds } from "@/lib/rendering/load-ends";
import type { RenderableEnd } from "@/lib/rendering/tunnel-ends";
import type { JobContext } from "@/lib/jobs/types";

export type FilesToPush = {
  own: Map<string, RenderedFile[]>;
  shared: RenderedFile[] | "restore";
  /** A renamed tunnel's own files under the name the router holds, where they differ from the new ones: to remove. */
  retired: Map<string, RenderedFile[]>;
};

export async function filesToPush(
  ctx: JobContext<unknown>,
  gatewayId: string,
  ends: RenderableEnd[],
  dropped: ReadonlySet<string>,
): Promise<FilesToPush> {
  const platform = getPlatform(ends[0]!.platform);
  const inDb = (await loadGatewayEnds(gatewayId, { onlyDeployed: true })).map((e) => e.end);
  for (const e of inDb) ctx.addSecret(e.psk);
  const deploying = new Set(ends.map((e) => e.end.tunnelId));
  const kept = ends.filter((e) => !dropped.has(e.end.tunnelId));
  const staying = [...inDb.filter((e) => !deploying.has(e.tunnelId)), ...kept.map((e) => e.end)];
  const own = new Map(kept.map((e) => [e.end.tunnelId, platform.render(e.end).filter((f) => f.scope === "tunnel")]));
  const shared = staying.length ? renderGatewayFiles(platform, staying).filter((f) => f.scope === "gateway") : "restore";
  const retired = new Map<string, RenderedFile[]>();
  for (const e of kept) {
    if (!e.previous) continue;
    const paths = new Set(own.get(e.end.tunnelId)!.map((f) => f.path));
    const old = platform.render(e.previous).filter((f) => f.scope === "tunnel" && !paths.has(f.path));
    if (old.length) retired.set(e.end.tunnelId, old);
  }
  return { own, shared, retired };
}
