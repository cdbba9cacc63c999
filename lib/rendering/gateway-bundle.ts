// The downloadable bundle of one gateway: its whole file set with the real PSKs plus
// INSTALL.txt, as a .tar.gz. It carries keys, so callers check canRevealPsk first and
// every download is written to the audit log before the archive leaves the server.
import "server-only";
import { recordAuditEvent, type AuditActor } from "@/lib/db/audit";
import { getGateway } from "@/lib/db/inventory";
import { AppError } from "@/lib/errors";
import { getPlatform, isPlatformId } from "@/lib/platforms";
import { RenderError } from "@/lib/platforms/contract";
import { renderGatewayFiles } from "@/lib/platforms/gateway-files";
import { buildBundle, bundleFileName } from "@/lib/rendering/bundle";
import { INSTALL_FILE, renderInstallText } from "@/lib/rendering/install-text";
import { loadGatewayEnds } from "@/lib/rendering/load-ends";

export async function downloadGatewayBundle(
  actor: AuditActor,
  gatewayId: string,
  now = new Date(),
): Promise<{ fileName: string; body: Buffer }> {
  const gateway = await getGateway(gatewayId);
  if (!gateway) throw new AppError("not_found", "No such gateway.");
  if (!isPlatformId(gateway.platform)) throw new Error(`gateway ${gateway.name} has unknown platform ${gateway.platform}`);
  const platform = getPlatform(gateway.platform);
  const ends = (await loadGatewayEnds(gatewayId)).map((r) => r.end);
  let files;
  try {
    files = renderGatewayFiles(platform, ends);
  } catch (e) {
    // The message names tunnels and settings, never a key.
    if (e instanceof RenderError)
      throw new AppError("unrenderable", `The configuration of ${gateway.name} cannot be rendered: ${e.message}`);
    throw e;
  }
  const fileName = bundleFileName(gateway.name, now);
  const install = renderInstallText({ gatewayName: gateway.name, platform, ends, files, bundleName: fileName, generatedAt: now });
  const body = await buildBundle([...files, { path: INSTALL_FILE, content: install, mode: 0o644 }], now);
  await recordAuditEvent(actor, {
    action: "bundle.download",
    targetType: "gateway",
    targetId: gateway.id,
    summary: `Downloaded the configuration bundle of ${gateway.name} (${files.length} files, pre-shared keys of ${ends.length} tunnel${ends.length === 1 ? "" : "s"})`,
    after: { fileName, files: files.map((f) => f.path) },
  });
  return { fileName, body };
}
