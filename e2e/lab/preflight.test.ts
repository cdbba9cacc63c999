import { describe, expect, it } from "vitest";
import { assertLabHostReady, LAB_HOST_REQUIREMENTS, missingLabPackages } from "./preflight";

describe("lab preflight", () => {
  it("names each missing package once, and the command that installs it", () => {
    const absent = new Set(["/usr/sbin/swanctl", "/etc/swanctl", "/usr/sbin/sshd"]);
    const exists = (p: string) => !absent.has(p);
    expect(missingLabPackages(exists)).toEqual(["strongswan-swanctl", "openssh-server"]);
    expect(() => assertLabHostReady(exists)).toThrow(
      /needs Debian packages this machine lacks: strongswan-swanctl, openssh-server\. Install them as root with `bash scripts\/install-system-deps\.sh` \(or `apt-get install strongswan-swanctl openssh-server`\)/,
    );
  });

  it("passes when every file is there", () => {
    expect(missingLabPackages(() => true)).toEqual([]);
    expect(() => assertLabHostReady(() => true)).not.toThrow();
  });

  it("asks only for packages the install script installs", async () => {
    const { readFileSync } = await import("node:fs");
    const script = readFileSync("scripts/install-system-deps.sh", "utf8");
    for (const { pkg } of LAB_HOST_REQUIREMENTS) expect(script).toMatch(new RegExp(`\\b${pkg}\\b`));
  });
});
