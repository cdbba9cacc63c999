import { describe, expect, it } from "vitest";
import { backupPathFor, describeChanges, hashFiles, planFileChanges } from "./plan";

const file = (path: string, content: string, secret = false) => ({ path, content, mode: secret ? 0o600 : 0o644, secret, scope: "tunnel" as const });

describe("planFileChanges", () => {
  it("keeps the old content of changed files and skips identical ones", () => {
    const plan = planFileChanges(
      [file("/etc/a", "new"), file("/etc/b", "same"), file("/etc/c", "fresh")],
      new Map([["/etc/a", "old"], ["/etc/b", "same"], ["/etc/c", null]]),
    );
    expect(plan.unchanged).toEqual(["/etc/b"]);
    expect(plan.changes.map((c) => [c.path, c.before, c.after])).toEqual([["/etc/a", "old", "new"], ["/etc/c", null, "fresh"]]);
  });
});

describe("describeChanges", () => {
  it("shows a unified diff with the PSK masked", () => {
    const plan = planFileChanges([file("/etc/keys-ipsec0", "IKE_PSK=topsecretvalue\n", true)], new Map([["/etc/keys-ipsec0", "IKE_PSK=oldsecretvalue\n"]]));
    const text = describeChanges(plan, ["topsecretvalue", "oldsecretvalue"]);
    expect(text).toContain("--- /etc/keys-ipsec0");
    expect(text).toContain("+IKE_PSK=");
    expect(text).not.toContain("topsecretvalue");
    expect(text).not.toContain("oldsecretvalue");
  });
  it("says when nothing changes", () => {
    expect(describeChanges({ changes: [], unchanged: ["/x"] }, [])).toMatch(/no changes/);
  });
});

describe("backupPathFor", () => {
  it("keeps backups per job under one root", () => {
    expect(backupPathFor("job123", "/etc/swanctl/conf.d/gw-1.conf")).toBe("/var/lib/gatewarden/backups/job123/etc/swanctl/conf.d/gw-1.conf");
    expect(() => backupPathFor("../x", "/etc/a")).toThrow();
  });
});

describe("hashFiles", () => {
  it("does not depend on order but on path, mode and content", () => {
    const a = [file("/a", "1"), file("/b", "2")];
    expect(hashFiles(a)).toBe(hashFiles([...a].reverse()));
    expect(hashFiles(a)).not.toBe(hashFiles([file("/a", "1"), file("/b", "2", true)]));
  });
});
