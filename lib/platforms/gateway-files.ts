// The whole file set of one gateway: every tunnel's own files plus the files all its
// tunnels share (scope "gateway": racoon.conf, the sysctl drop-in), merged once.
// Pure: what a bundle, a preview or a deploy of a whole router starts from.
import { RenderError, type Platform, type RenderedFile, type TunnelEnd } from "./contract";

type Contribution = { end: TunnelEnd; file: RenderedFile };

const label = (end: TunnelEnd) => `${end.tunnelId} (${end.interfaceName} → ${end.remote.publicIp})`;

/** A tunnel's RenderError, told in terms of the whole router: which tunnel failed. */
function renderEnd(platform: Platform, end: TunnelEnd): RenderedFile[] {
  try {
    return platform.render(end);
  } catch (e) {
    if (e instanceof RenderError) throw new RenderError(e.code, e.field, `Tunnel ${label(end)}: ${e.message}`);
    throw e;
  }
}

function mergeShared(platform: Platform, path: string, parts: Contribution[]): RenderedFile {
  const first = parts[0]!;
  const merger = Object.hasOwn(platform.sharedFileMergers, path) ? platform.sharedFileMergers[path] : undefined;
  if (merger) return { ...first.file, content: merger(parts.map((p) => ({ end: p.end, content: p.file.content }))) };
  const other = parts.find((p) => p.file.content !== first.file.content);
  if (other) {
    throw new RenderError(
      "unsupported",
      "gateway",
      `${path} is shared by every tunnel of this router, but tunnels ${label(first.end)} and ${label(other.end)} need different contents`,
    );
  }
  return first.file;
}

/**
 * Every file of one gateway, sorted by path. `ends` are this gateway's ends (each with
 * the gateway as "local"). Throws RenderError when a tunnel cannot be rendered or two
 * tunnels need conflicting versions of one file.
 */
export function renderGatewayFiles(platform: Platform, ends: TunnelEnd[]): RenderedFile[] {
  const own = new Map<string, Contribution>();
  const shared = new Map<string, Contribution[]>();
  for (const end of ends) {
    for (const file of renderEnd(platform, end)) {
      if (file.scope === "gateway") {
        shared.set(file.path, [...(shared.get(file.path) ?? []), { end, file }]);
        continue;
      }
      const taken = own.get(file.path);
      if (taken) {
        throw new RenderError(
          "invalid-input",
          "interfaceName",
          `Tunnels ${label(taken.end)} and ${label(end)} would both write ${file.path}`,
        );
      }
      own.set(file.path, { end, file });
    }
  }
  const files = [...[...own.values()].map((c) => c.file), ...[...shared].map(([path, parts]) => mergeShared(platform, path, parts))];
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
