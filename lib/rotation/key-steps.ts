// The router-side primitives of a key switch, for applyKeyVersion's phases: write one
// tunnel end's secret files, list a router's SAs once for all its tunnels, and describe
// an end for planKeySwitch. Only the platform knows file names, commands and output.
import "server-only";
import { getPlatform } from "@/lib/platforms";
import type { IkeSa, TunnelEnd } from "@/lib/platforms/contract";
import type { RenderableEnd } from "@/lib/rendering/tunnel-ends";
import type { RouterIO } from "@/lib/deploy/router-io";
import type { SwitchEnd } from "@/lib/rotation/key-switch";
import { SshError } from "@/lib/ssh/errors";

/**
 * Uploads the end's secret files (the key it is rendered with) as 0600; returns their
 * paths. `changed` is called once some file on the router may hold the new content: not
 * when an upload failed before replacing its target (a full disk, a refused write).
 */
/** This end's platform keeps the key in a file the router's other tunnels write too (racoon's psk.txt). */
export function sharesSecretFile(end: RenderableEnd): boolean {
  return getPlatform(end.platform)
    .render(end.end)
    .some((f) => f.secret && f.scope === "gateway");
}

export async function writeSecretFiles(io: RouterIO, end: RenderableEnd, changed: () => void = () => {}): Promise<string[]> {
  const files = getPlatform(end.platform)
    .render(end.end)
    .filter((f) => f.secret);
  if (!files.length) throw new Error(`${end.platform} renders no secret file`);
  for (const f of files) {
    try {
      await io.uploadFile({ path: f.path, content: f.content, mode: 0o600 });
    } catch (e) {
      if (!(e instanceof SshError && e.fileUnchanged)) changed();
      throw e;
    }
    changed();
  }
  return files.map((f) => f.path);
}

/** One listing of a router's SAs (its platform's SA commands, run once), read per tunnel. */
export type SaListing = {
  /** This tunnel's IKE SAs, or null when the router cannot list SAs (or the listing failed). */
  sasOf(end: TunnelEnd): IkeSa[] | null;
};

export async function listRouterSas(io: RouterIO, end: RenderableEnd, timeoutMs = 15_000): Promise<SaListing> {
  const platform = getPlatform(end.platform);
  const commands = platform.saListCommands(end.end);
  if (!commands.length) return { sasOf: () => null };
  const run = (argv: string[]) => io.exec(argv, { timeoutMs }).then((r) => ({ stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode }));
  const results = await Promise.all(commands.map((c) => run(c.argv)));
  return { sasOf: (e) => platform.parseSaList(e, results) };
}

export const switchEndOf = (e: RenderableEnd): SwitchEnd => ({ role: e.role, platform: getPlatform(e.platform), end: e.end });
