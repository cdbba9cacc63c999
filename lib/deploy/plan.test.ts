import { describe, expect, it } from "vitest";
import { backupPathFor, describeChanges, hashFiles, planFileChanges } from "./plan";

const file = (path: string, content: string, secret = false) => ({
  path,
  content,
  mode: secret ? 0o600 : 0o644,
  secret,
  scope: "tunnel" as const,
});

describe("planFileChanges", () => {
  it("keeps the old content of changed files and skips identical ones", () => {
    const plan = planFileChanges(
      [file("/etc/a", "new"), file("/etc/b", "same"), file("/etc/c", "fresh")],
      new Map([
        ["/etc/a", "old"],
        ["/etc/b", "same"],
        ["/etc/c", null],
      ]),
    );
    expect(plan.unchanged).toEqual(["/etc/b"]);
    expect(plan.changes.map((c) => [c.path, c.before, c.after])).toEqual([
      ["/etc/a", "old", "new"],
      ["/etc/c", null, "fresh"],
    ]);
  });
});

describe("planFileChanges with retired files (a tunnel renamed on the router)", () => {
  it("removes the old name's files the router has, withholds a removed secret, and never removes a path it writes", () => {
    const plan = planFileChanges(
      [file("/etc/new.conf", "conf"), file("/etc/new.secrets", "key", true), file("/etc/same", "x")],
      new Map([
        ["/etc/new.conf", null],
        ["/etc/new.secrets", null],
        ["/etc/same", "old x"],
        ["/etc/old.conf", "old conf"],
        ["/etc/old.secrets", "old key value"],
        ["/etc/gone", null],
      ]),
      [file("/etc/old.conf", ""), file("/etc/old.secrets", "", true), file("/etc/gone", ""), file("/etc/same", "")],
    );
    expect(plan.changes.map((c) => [c.path, c.before, c.after])).toEqual([
      ["/etc/new.conf", null, "conf"],
      ["/etc/new.secrets", null, "key"],
      ["/etc/same", "old x", "x"],
      ["/etc/old.conf", "old conf", null],
      ["/etc/old.secrets", "old key value", null],
    ]);
    const text = describeChanges(plan, []);
    expect(text).toContain("--- /etc/old.secrets (secret file removed");
    expect(text).not.toContain("old key value");
    expect(text).toMatch(/--- \/etc\/old\.conf\s+on the router\n\+\+\+ \/dev\/null\s+removed/);
  });
});

describe("describeChanges", () => {
  it("never diffs a secret file, even one holding a key Gatewarden does not know", () => {
    const plan = planFileChanges(
      [file("/etc/keys-ipsec0", "IKE_PSK=topsecretvalue\n", true), file("/etc/keys-ipsec1", "IKE_PSK=brandnewvalue\n", true)],
      new Map([
        ["/etc/keys-ipsec0", "IKE_PSK=handEditedForeignKey\n"],
        ["/etc/keys-ipsec1", null],
      ]),
    );
    const text = describeChanges(plan, []);
    expect(text).toMatch(
      /\/etc\/keys-ipsec0: secret file differs \(content withheld; on the router sha256 [0-9a-f]{8}…, rendered sha256 [0-9a-f]{8}…\)/,
    );
    expect(text).toMatch(/\/etc\/keys-ipsec1 \(new secret file, mode 0600: content withheld/);
    for (const secret of ["topsecretvalue", "handEditedForeignKey", "brandnewvalue", "IKE_PSK"]) expect(text).not.toContain(secret);
  });
  it("diffs other files, masking any known secret", () => {
    const plan = planFileChanges([file("/etc/ifcfg-ipsec0", "DST=1.2.3.4\nX=known\n")], new Map([["/etc/ifcfg-ipsec0", "DST=1.2.3.5\n"]]));
    const text = describeChanges(plan, ["known"]);
    expect(text).toContain("+DST=1.2.3.4");
    expect(text).not.toContain("known");
  });
  it("says when nothing changes", () => {
    expect(describeChanges({ changes: [], unchanged: ["/x"] }, [])).toMatch(/no changes/);
  });
});

describe("backupPathFor", () => {
  it("keeps backups per job under one root", () => {
    expect(backupPathFor("job123", "/etc/swanctl/conf.d/gw-1.conf")).toBe(
      "/var/lib/gatewarden/backups/job123/etc/swanctl/conf.d/gw-1.conf",
    );
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
