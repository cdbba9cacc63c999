// `npm run lab -- up` on a host without strongSwan: the CLI must name the missing
// package and the install command, and leave nothing behind. The package is "removed"
// for the CLI alone by an empty tmpfs over /usr/lib/ipsec in a private mount namespace.
import { execFileSync, spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";

const LAB = "gwtest-preflight";

describe("lab preflight", () => {
  it("refuses to start without strongSwan, names the package and the install command, and creates no namespace", () => {
    const cli = `mount -t tmpfs none /usr/lib/ipsec && exec node_modules/.bin/tsx --conditions=react-server e2e/lab/cli.ts up --lab ${LAB} --sites 2`;
    const r = spawnSync("unshare", ["--mount", "--propagation", "private", "sh", "-c", cli], { encoding: "utf8", timeout: 60_000 });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("the router lab needs Debian packages this machine lacks: strongswan-charon, libcharon-extra-plugins");
    expect(r.stderr).toContain("bash scripts/install-system-deps.sh");
    expect(r.stderr).not.toMatch(/mount point does not exist/);
    const namespaces = execFileSync("ip", ["netns", "list"], { encoding: "utf8" });
    expect(namespaces).not.toContain(LAB);
  });
});
