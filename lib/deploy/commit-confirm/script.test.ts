import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import {
  detachedTimerArgv,
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
