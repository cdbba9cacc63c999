// INSTALL.txt of a gateway bundle: what each file is, how to put the files in place and
// the commands that apply them (the platform's applyCommands), and a warning that the
// bundle carries pre-shared keys. Pure.
import type { Command, Platform, RenderedFile, TunnelEnd } from "@/lib/platforms/contract";
import { archivePath } from "./bundle";
import { formatMode } from "./file-mode";

export const INSTALL_FILE = "INSTALL.txt";

export function describeFile(platform: Platform, file: RenderedFile): string {
  return platform.describeFile(file) ?? (file.secret ? "holds a pre-shared key" : "configuration file");
}

/** Every end's apply commands in order, each distinct command once (a router-wide one runs once). */
export function gatewayApplyCommands(platform: Platform, ends: TunnelEnd[]): Command[] {
  const seen = new Set<string>();
  const out: Command[] = [];
  for (const command of ends.flatMap((end) => platform.applyCommands(end))) {
    const key = command.argv.join("\0");
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(command);
  }
  return out;
}

export type InstallTextInput = {
  gatewayName: string;
  platform: Platform;
  ends: TunnelEnd[];
  files: RenderedFile[];
  bundleName: string;
  generatedAt: Date;
};

export function renderInstallText({ gatewayName, platform, ends, files, bundleName, generatedAt }: InstallTextInput): string {
  const width = Math.max(...files.map((f) => archivePath(f.path).length), 4);
  const commands = gatewayApplyCommands(platform, ends);
  const tunnels = ends.map(
    (e) => `  - ${e.interfaceName}: tunnel ${e.tunnelId} to ${e.remote.publicIp} (${e.kind}, profile "${e.profile.name}")`,
  );
  return [
    `Gatewarden configuration bundle for gateway ${gatewayName}`,
    `Platform: ${platform.label}`,
    `Generated: ${generatedAt.toISOString()}`,
    "",
    "WARNING: this bundle contains the pre-shared keys of every tunnel below in clear",
    "text (the files marked SECRET). Anyone holding it can impersonate this gateway.",
    "Copy it only to the router, keep it off shared drives and mail, and delete every",
    "copy once the files are in place. Gatewarden logged this download.",
    "",
    `Tunnels (${ends.length}):`,
    ...(tunnels.length ? tunnels : ["  (none: this gateway has no tunnels yet)"]),
    "",
    "Files (mode, path, what it is):",
    ...files.map(
      (f) => `  ${formatMode(f.mode)}  ${archivePath(f.path).padEnd(width)}  ${f.secret ? "SECRET: " : ""}${describeFile(platform, f)}`,
    ),
    "",
    "1. Put the files in place, as root on the router (keeps the modes above):",
    `     tar -xzpf ${bundleName} -C / --no-same-owner --exclude=${INSTALL_FILE}`,
    "",
    "2. Apply them, as root, in this order:",
    ...commands.flatMap((c) => [
      `     ${c.argv.join(" ")}`,
      `       # ${c.description}${c.allowFailure ? " (an error here is normal when it was not running)" : ""}`,
    ]),
    "",
    ...platform.installNotes(ends),
    "",
    `3. Delete ${bundleName} from the router and from wherever you downloaded it.`,
    "",
  ].join("\n");
}
