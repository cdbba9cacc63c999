import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  confirmDir,
  detachedTimerArgv,
  findPendingKeyTimers,
  pendingTimerIds,
  renderKeyRestoreScript,
  type KeyRestorePlan,
  parseRevertedRecord,
  renderRestoreScript,
  revertedJobIds,
  systemdTimerArgv,
  UnsafeRestoreValue,
  type RestorePlan,
} from "./script";

const TOKEN = "0123456789abcdef0123456789abcdef";
const plan: RestorePlan = {
  jobId: "cmjob123",
  token: TOKEN,
  seconds: 120,
  tunnelIds: ["tun1", "tun2"],
  stop: [{ argv: ["swanctl", "--terminate", "--ike", "gw-tun1"], description: "stop" }],
  reapply: [{ argv: ["swanctl", "--load-all"], description: "load", scope: "router" }],
  files: [
    {
      path: "/etc/swanctl/conf.d/gw-tun1.conf",
      backup: "/var/lib/gatewarden/backups/cmjob123/etc/swanctl/conf.d/gw-tun1.conf",
      mode: 0o644,
    },
    {
      path: "/etc/swanctl/conf.d/gw-tun1.secrets.conf",
      backup: "/var/lib/gatewarden/confirm/cmjob123/keep/etc/swanctl/conf.d/gw-tun1.secrets.conf",
      mode: 0o600,
    },
    { path: "/etc/swanctl/conf.d/gw-tun2.conf", backup: null, mode: 0o644 },
  ],
};

describe("commit-confirm timer argv", () => {
  it("systemd: a transient timer unit named after the job that fires the script with the token", () => {
    expect(systemdTimerArgv(plan)).toEqual([
      "systemd-run",
      "--unit=gatewarden-confirm-cmjob123",
      "--on-active=120s",
      "--timer-property=AccuracySec=1s",
      "--description=Gatewarden commit-confirm of job cmjob123",
      "/bin/sh",
      "/var/lib/gatewarden/confirm/cmjob123/restore.sh",
      "fire",
      TOKEN,
    ]);
  });

  it("without systemd: a detached process in its own session", () => {
    expect(detachedTimerArgv(plan)).toEqual(["setsid", "-f", "/bin/sh", "/var/lib/gatewarden/confirm/cmjob123/restore.sh", "wait", TOKEN]);
  });

  it("refuses values that could escape the script: job ids, tokens, timeouts", () => {
    expect(() => systemdTimerArgv({ ...plan, jobId: "x;reboot" })).toThrow(UnsafeRestoreValue);
    expect(() => systemdTimerArgv({ ...plan, token: "abc" })).toThrow(UnsafeRestoreValue);
    expect(() => systemdTimerArgv({ ...plan, seconds: 0 })).toThrow(UnsafeRestoreValue);
    expect(() => systemdTimerArgv({ ...plan, seconds: 1.5 })).toThrow(UnsafeRestoreValue);
    expect(() => detachedTimerArgv({ ...plan, token: `${TOKEN}'` })).toThrow(UnsafeRestoreValue);
  });
});

describe("the restore script", () => {
  const script = renderRestoreScript(plan);

  it("is valid sh", () => {
    expect(() => execFileSync("sh", ["-n"], { input: script })).not.toThrow();
  });

  it("stops the new tunnel, puts back each file (or removes a new one), re-applies, and records the revert", () => {
    const body = script.slice(script.indexOf('mv "$D/armed" "$D/reverting"'));
    const order = [
      "run 'swanctl' '--terminate' '--ike' 'gw-tun1'",
      "cp '/var/lib/gatewarden/backups/cmjob123/etc/swanctl/conf.d/gw-tun1.conf' '/etc/swanctl/conf.d/gw-tun1.conf.gatewarden-restore' && chmod 644",
      "chmod 600 '/etc/swanctl/conf.d/gw-tun1.secrets.conf.gatewarden-restore'",
      "rm -f '/etc/swanctl/conf.d/gw-tun2.conf'",
      "run 'swanctl' '--load-all'",
      "'tunnels tun1 tun2'",
    ].map((s) => body.indexOf(s));
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it("holds no secret and no unquoted value", () => {
    expect(script).not.toMatch(/secret\s*=/);
    expect(script).toContain(`T='${TOKEN}'`);
  });

  it("refuses paths and command words that are not plain", () => {
    expect(() => renderRestoreScript({ ...plan, files: [{ path: "/etc/../shadow", backup: null, mode: 0o644 }] })).toThrow(
      UnsafeRestoreValue,
    );
    expect(() => renderRestoreScript({ ...plan, files: [{ path: "/etc/a b", backup: null, mode: 0o644 }] })).toThrow(UnsafeRestoreValue);
    expect(() => renderRestoreScript({ ...plan, reapply: [{ argv: ["sh", "-c", "echo $(id)"], description: "x" }] })).toThrow(
      UnsafeRestoreValue,
    );
    expect(() => renderRestoreScript({ ...plan, stop: [{ argv: ["x'; reboot; '"], description: "x" }] })).toThrow(UnsafeRestoreValue);
    expect(() => renderRestoreScript({ ...plan, tunnelIds: ["a b"] })).toThrow(UnsafeRestoreValue);
  });
});

describe("reading back a router's reverts", () => {
  it("takes only well-formed reverted paths and records", () => {
    expect(
      revertedJobIds(
        "/var/lib/gatewarden/confirm/job1/reverted\n/var/lib/gatewarden/confirm/job2/reverted.noted\n/tmp/x/reverted\n/var/lib/gatewarden/confirm/a;b/reverted\n",
      ),
    ).toEqual(["job1"]);
    expect(parseRevertedRecord("2026-12-06T23:01:02Z\ntunnels tun1 tun2\n")).toEqual({
      at: "2026-12-06T23:01:02Z",
      tunnelIds: ["tun1", "tun2"],
    });
    expect(parseRevertedRecord("garbage")).toBeNull();
    expect(parseRevertedRecord("2026-12-06T23:01:02Z\ntunnels a;b\n")).toBeNull();
  });
});

describe("a key rotation's restore script, run for real in a scratch directory", () => {
  const base = mkdtempSync(join(tmpdir(), "gw-keytimer-"));
  const jobId = "rotjob1";
  const tun = (t: string) => ({
    tunnelId: t,
    files: [{ path: `${base}/etc/${t}.secrets`, backup: `${base}/keep/${t}.secrets`, mode: 0o600 }],
    commands: [{ argv: ["touch", `${base}/ran-${t}`], description: "start" }],
  });
  const keyPlan: KeyRestorePlan = {
    jobId,
    token: TOKEN,
    seconds: 60,
    tunnels: [tun("tunA"), tun("tunB")],
    routerCommands: [{ argv: ["touch", `${base}/loaded`], description: "load", scope: "router" }],
  };
  // The script's directory is the router's; here it points into the scratch directory.
  const script = renderKeyRestoreScript(keyPlan).replace(`D='${confirmDir(jobId)}'`, `D='${base}/d'`);
  const path = join(base, "restore.sh");
  const sh = (...args: string[]) => spawnSync("sh", [path, ...args], { encoding: "utf8" });

  it("init marks each tunnel pending; a confirmed tunnel is skipped when the timer fires, the others get their old key back", () => {
    mkdirSync(`${base}/d`, { recursive: true });
    mkdirSync(`${base}/etc`);
    mkdirSync(`${base}/keep`);
    writeFileSync(path, script);
    for (const t of ["tunA", "tunB"]) {
      writeFileSync(`${base}/etc/${t}.secrets`, `new ${t}`);
      writeFileSync(`${base}/keep/${t}.secrets`, `old ${t}`);
    }
    expect(execFileSync("sh", ["-n"], { input: script }).toString()).toBe("");
    expect(sh("init", TOKEN).status).toBe(0);
    writeFileSync(`${base}/d/armed`, TOKEN);
    expect(sh("confirm", "0".repeat(32), "tunA").status).toBe(2);
    expect(sh("confirm", TOKEN, "tunA;x").status).toBe(2);
    expect(sh("confirm", TOKEN, "tunA").stdout.trim()).toBe("confirmed");
    // Confirming twice is still "confirmed" (an answer lost on the way is asked again).
    expect(sh("confirm", TOKEN, "tunA").stdout.trim()).toBe("confirmed");
    expect(sh("fire", TOKEN).status).toBe(0);
    expect(readFileSync(`${base}/etc/tunA.secrets`, "utf8")).toBe("new tunA");
    expect(readFileSync(`${base}/etc/tunB.secrets`, "utf8")).toBe("old tunB");
    expect(statSync(`${base}/etc/tunB.secrets`).mode & 0o777).toBe(0o600);
    expect(existsSync(`${base}/ran-tunA`)).toBe(false);
    expect(existsSync(`${base}/ran-tunB`)).toBe(true);
    expect(existsSync(`${base}/loaded`)).toBe(true);
    expect(readFileSync(`${base}/d/reverted`, "utf8")).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\ntunnels tunB\n$/);
    expect(parseRevertedRecord(readFileSync(`${base}/d/reverted`, "utf8"))?.tunnelIds).toEqual(["tunB"]);
    // The timer took tunB: a late confirm says so, and firing again changes nothing.
    expect(sh("confirm", TOKEN, "tunB")).toMatchObject({ status: 3, stdout: "reverted\n" });
    expect(sh("fire", TOKEN).status).toBe(0);
  });

  it("the last tunnel confirmed disarms the whole timer: firing then restores nothing and records no revert", () => {
    rmSync(`${base}/d`, { recursive: true });
    mkdirSync(`${base}/d`);
    expect(sh("init", TOKEN).status).toBe(0);
    writeFileSync(`${base}/d/armed`, TOKEN);
    expect(sh("confirm", TOKEN, "tunA").stdout.trim()).toBe("confirmed");
    expect(sh("confirm", TOKEN, "tunB").stdout.trim()).toBe("disarmed");
    expect(existsSync(`${base}/d/confirmed`)).toBe(true);
    rmSync(`${base}/loaded`);
    expect(sh("fire", TOKEN).status).toBe(0);
    expect(existsSync(`${base}/loaded`)).toBe(false);
    expect(existsSync(`${base}/d/reverted`)).toBe(false);
  });

  it("finds a tunnel's pending timers in find's output, nothing else", () => {
    expect(findPendingKeyTimers("tunA")).toEqual([
      "find",
      "/var/lib/gatewarden/confirm",
      "-mindepth",
      "3",
      "-maxdepth",
      "3",
      "-name",
      "tunA",
    ]);
    expect(() => findPendingKeyTimers("tun*")).toThrow(UnsafeRestoreValue);
    expect(
      pendingTimerIds(
        [
          "/var/lib/gatewarden/confirm/job1/pending/tunA",
          "/var/lib/gatewarden/confirm/job2-2/pending/tunA",
          "/var/lib/gatewarden/confirm/job3/done/tunA",
          "/var/lib/gatewarden/confirm/job4/keep/tunA",
          "/var/lib/gatewarden/confirm/job5/pending/tunAB",
        ].join("\n"),
        "tunA",
      ),
    ).toEqual(["job1", "job2-2"]);
  });
});
