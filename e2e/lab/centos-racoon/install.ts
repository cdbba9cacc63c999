// The lab's CentOS emulation as files for a router's /usr/sbin (both backends): ifup and
// ifdown (ifupdown-ipsec.sh), the emulated racoon (racoon.sh), its grammar check and setkey
// (lab-racoon.ts, bundled; setkey-kernel.awk on a VM router), the swanctl copy only the emulation uses, and an overlay
// whiteout that hides the stock swanctl (a CentOS router has none).
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { runChecked } from "../exec";

import { KERNEL_IPSEC_MARK } from "./kernel-mark";

export { KERNEL_IPSEC_MARK };

const HERE = import.meta.dirname;
const ESBUILD = path.join(HERE, "..", "..", "..", "node_modules", ".bin", "esbuild");

const SETKEY = `#!/bin/sh
if [ "$*" = -D ] && [ -e ${KERNEL_IPSEC_MARK} ]; then
  ip -s xfrm state list nokeys | awk -f /usr/sbin/gw-lab-setkey-kernel.awk
  exit
fi
exec /usr/bin/node /usr/sbin/gw-lab-racoon.mjs setkey "$@"
`;

const bundles = new Map<string, Promise<string>>();
/** lab-racoon.ts as one plain .mjs file: node starts it in ~0.1 s inside a router. */
function bundleRacoonTool(dir: string): Promise<string> {
  const out = path.join(dir, "gw-lab-racoon.mjs");
  if (!bundles.has(out))
    bundles.set(
      out,
      runChecked([
        ESBUILD,
        path.join(HERE, "lab-racoon.ts"),
        "--bundle",
        "--platform=node",
        "--format=esm",
        "--log-level=warning",
        `--outfile=${out}`,
      ]).then(() => out),
    );
  return bundles.get(out)!;
}

/** Writes the emulation into `sbin` (an overlay layer over the router's /usr/sbin); `bundleDir` caches the bundle. */
export async function installCentosEmulation(sbin: string, bundleDir: string): Promise<void> {
  mkdirSync(sbin, { recursive: true, mode: 0o755 });
  for (const name of ["ifup", "ifdown"]) {
    cpSync(path.join(HERE, "ifupdown-ipsec.sh"), path.join(sbin, name));
    chmodSync(path.join(sbin, name), 0o755);
  }
  cpSync(path.join(HERE, "racoon.sh"), path.join(sbin, "racoon"));
  chmodSync(path.join(sbin, "racoon"), 0o755);
  copyFileSync(await bundleRacoonTool(bundleDir), path.join(sbin, "gw-lab-racoon.mjs"));
  // A CentOS router has no swanctl: an overlay whiteout hides /usr/sbin's, and the emulation
  // (racoon.sh, lab-racoon.ts) drives charon through a copy of its own.
  copyFileSync("/usr/sbin/swanctl", path.join(sbin, "gw-lab-swanctl"));
  chmodSync(path.join(sbin, "gw-lab-swanctl"), 0o755);
  if (!existsSync(path.join(sbin, "swanctl"))) await runChecked(["mknod", path.join(sbin, "swanctl"), "c", "0", "0"]);
  // ipsec-tools' setkey, answering -D and -DP from the emulation (see lab-racoon.ts); on a VM
  // router -D is the kernel's SAD as XFRM lists it.
  writeFileSync(path.join(sbin, "setkey"), SETKEY, { mode: 0o755 });
  copyFileSync(path.join(HERE, "setkey-kernel.awk"), path.join(sbin, "gw-lab-setkey-kernel.awk"));
}
