import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { assertSafeArgv } from "@/lib/ssh/argv";
import { BACKUP_ROOT } from "./plan";
import { LIST_BACKUPS_ARGV, backupsToPrune, parseBackupListing, pruneCommands, type BackupEntry } from "./backup-retention";

// Recorded with GNU find 4.9.0 (Debian 12, as on the lab routers) over a backup folder
// holding two backups, a symlink, a file, and directories named with ".", a space and a newline.
const fixture = readFileSync(path.join(import.meta.dirname, "__fixtures__", "find-backups.txt"), "utf8");

const dir = (name: string, mtime: number): BackupEntry => ({ name, type: "d", mtime });

describe("LIST_BACKUPS_ARGV", () => {
  it("passes the argv check that every command to a router passes", () => {
    expect(() => assertSafeArgv([...LIST_BACKUPS_ARGV])).not.toThrow();
  });
});

describe("parseBackupListing", () => {
  it("reads find's records, whatever the names hold", () => {
    expect(parseBackupListing(fixture)).toEqual([
      { name: "cmwybbbb0001", type: "d", mtime: 1577923200.5 },
      { name: "manual.copy", type: "d", mtime: 1500000000 },
      { name: "with space", type: "d", mtime: 1500000000 },
      { name: "linked", type: "l", mtime: 1500000000 },
      { name: "notes.txt", type: "f", mtime: 1500000000 },
      { name: "cmwyaaaa0000", type: "d", mtime: 1577836800 },
      { name: "new\nline", type: "d", mtime: 1500000000 },
    ]);
  });

  it("an empty folder lists nothing", () => {
    expect(parseBackupListing("")).toEqual([]);
  });

  it("refuses output it cannot read rather than guess (nothing is deleted then)", () => {
    for (const bad of ["garbage", "1/d/a", "1/d/a/2/d/", "x/d/a/", "1/dd/a/", "1//a/", "1/d//", "find: warning\n1/d/a/"]) {
      expect(() => parseBackupListing(bad), JSON.stringify(bad)).toThrow(/unexpected output/);
    }
  });

  it("reads back any listing of valid records", () => {
    const entry = fc.record({
      name: fc.string({ minLength: 1 }).filter((s) => !s.includes("/")),
      type: fc.constantFrom("d", "f", "l", "p", "s"),
      mtime: fc.integer({ min: 0, max: 4_000_000_000 }),
    });
    fc.assert(
      fc.property(fc.array(entry), (entries) => {
        const out = entries.map((e) => `${e.mtime}.0000000000/${e.type}/${e.name}/`).join("");
        expect(parseBackupListing(out)).toEqual(entries);
      }),
    );
  });
});

describe("backupsToPrune", () => {
  const old = Array.from({ length: 12 }, (_, i) => dir(`cjob${String(i).padStart(2, "0")}`, 1_600_000_000 + i * 86_400));

  it("keeps the newest ten by mtime, the one just made among them", () => {
    const current = dir("cjobnow", 1_700_000_000);
    const doomed = backupsToPrune([...old, current], { keep: 10, current: "cjobnow" });
    expect(doomed.sort()).toEqual(["cjob00", "cjob01", "cjob02"]);
  });

  it("nothing to delete while there are at most `keep`", () => {
    expect(backupsToPrune(old.slice(0, 10), { keep: 10, current: "cjob09" })).toEqual([]);
    expect(backupsToPrune([], { keep: 1, current: "cjobnow" })).toEqual([]);
  });

  it("keeps the one just made even when the router's clock makes it look oldest", () => {
    const doomed = backupsToPrune([...old, dir("cjobnow", 1_000)], { keep: 3, current: "cjobnow" });
    expect(doomed).not.toContain("cjobnow");
    expect(doomed).toHaveLength(10);
    expect(backupsToPrune([dir("cjobnow", 1_000), dir("a", 2_000)], { keep: 1, current: "cjobnow" })).toEqual(["a"]);
  });

  it("orders by mtime, not by name, and by name only between equal mtimes", () => {
    const entries = [dir("zzz", 100), dir("aaa", 300), dir("mmm", 200), dir("b", 200)];
    expect(backupsToPrune(entries, { keep: 2, current: "aaa" }).sort()).toEqual(["b", "zzz"]);
  });

  it("leaves alone, and does not count, what is not a directory named like a job id", () => {
    const foreign: BackupEntry[] = [
      { name: "cjoblink", type: "l", mtime: 1 },
      { name: "cjobfile", type: "f", mtime: 1 },
      dir("manual.copy", 1),
      dir("with space", 1),
      dir("..", 1),
      dir("new\nline", 1),
    ];
    expect(backupsToPrune([...foreign, dir("cjobnow", 10), dir("cjobold", 5)], { keep: 2, current: "cjobnow" })).toEqual([]);
    expect(backupsToPrune([...foreign, dir("cjobnow", 10), dir("cjobold", 5)], { keep: 1, current: "cjobnow" })).toEqual(["cjobold"]);
  });

  it("refuses to keep fewer than one", () => {
    expect(() => backupsToPrune(old, { keep: 0, current: "cjob00" })).toThrow();
    expect(() => backupsToPrune(old, { keep: 1.5, current: "cjob00" })).toThrow();
  });

  it("for any folder: keeps min(keep, ours) backups, the current one and the newest others, deletes only ours", () => {
    const anyEntry = fc.record({
      name: fc.oneof(fc.stringMatching(/^[a-z0-9]{1,6}$/), fc.string({ minLength: 1, maxLength: 6 })),
      type: fc.constantFrom("d", "d", "f", "l"),
      mtime: fc.integer({ min: 0, max: 50 }),
    });
    fc.assert(
      fc.property(fc.uniqueArray(anyEntry, { selector: (e) => e.name }), fc.integer({ min: 1, max: 8 }), (entries, keep) => {
        const ours = entries.filter((e) => e.type === "d" && /^[A-Za-z0-9_-]{1,64}$/.test(e.name));
        const current = ours[0]?.name ?? "cjobnow";
        const doomed = backupsToPrune(entries, { keep, current });
        expect(doomed).not.toContain(current);
        expect(doomed.every((n) => ours.some((e) => e.name === n))).toBe(true);
        const kept = ours.filter((e) => !doomed.includes(e.name));
        expect(kept).toHaveLength(Math.min(keep, ours.length));
        const keptOthers = kept.filter((e) => e.name !== current);
        for (const d of ours.filter((e) => doomed.includes(e.name))) {
          for (const k of keptOthers) expect(k.mtime).toBeGreaterThanOrEqual(d.mtime);
        }
      }),
    );
  });
});

describe("pruneCommands", () => {
  it("rm -r of direct children of the backup folder, argv only, in batches of 100", () => {
    expect(pruneCommands([])).toEqual([]);
    expect(pruneCommands(["cjob01", "cjob02"])).toEqual([
      ["rm", "-r", "-f", "--one-file-system", "--", `${BACKUP_ROOT}/cjob01`, `${BACKUP_ROOT}/cjob02`],
    ]);
    const many = pruneCommands(Array.from({ length: 250 }, (_, i) => `cjob${i}`));
    expect(many.map((c) => c.length - 5)).toEqual([100, 100, 50]);
    for (const argv of many) expect(() => assertSafeArgv(argv)).not.toThrow();
  });

  it("refuses any name that could leave the backup folder or is not a job id", () => {
    for (const bad of ["", ".", "..", "../etc", "a/b", "/etc", "a b", "a\nb", "x".repeat(65), "-rf /"]) {
      expect(() => pruneCommands(["cjob01", bad]), JSON.stringify(bad)).toThrow(/not a job id/);
    }
  });

  it("every path it builds is BACKUP_ROOT/<the name>, one per name", () => {
    fc.assert(
      fc.property(fc.array(fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/), { maxLength: 250 }), (names) => {
        const paths = pruneCommands(names).flatMap((c) => c.slice(5));
        expect(paths).toEqual(names.map((n) => `/var/lib/gatewarden/backups/${n}`));
      }),
    );
  });
});
