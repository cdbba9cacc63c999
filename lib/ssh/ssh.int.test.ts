// lib/ssh against a real OpenSSH server on 127.0.0.1 (root needed to start sshd).
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createHash, randomBytes } from "node:crypto";
import { chmodSync, chownSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { SshError } from "./errors";
import { SshPool } from "./pool";
import { openSession, probeHostKey, type OpenSessionOptions, type SshSession } from "./session";
import { processesExposing } from "./test-processes";
import { freePort, PASSWORD_UID, startTestSshd, type TestSshd } from "./test-sshd";

// Loopback is no SSH target unless configured (lib/ssh/target-policy.ts); this test's
// sshd lives there, so it allows exactly that address, as an admin would.
vi.hoisted(() => {
  process.env.GATEWARDEN_ALLOW_SSH_TARGETS = "127.0.0.1/32";
});

let sshd: TestSshd;
let root: SshSession;
const OTHER_FP = "SHA256:C9sPZd6q/2FeqNoLGP6p4+YIulYSav3gFNq1VfMSbPM";
const sha256 = (b: string | Buffer) => createHash("sha256").update(b).digest("hex");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const rootOptions = (over: Partial<OpenSessionOptions> = {}): OpenSessionOptions => ({
  host: "127.0.0.1",
  port: sshd.port,
  username: "root",
  credential: { type: "key", privateKey: sshd.clientKey },
  pinnedFingerprint: sshd.hostFingerprint,
  ...over,
});
const failure = (p: Promise<unknown>) =>
  p.then(
    () => expect.unreachable("expected an SshError"),
    (e: unknown) => {
      expect(e).toBeInstanceOf(SshError);
      return e as SshError;
    },
  );
/** What sshd logged since `mark`, once it has noted the connection closing. */
async function settledLog(mark: number) {
  for (let i = 0; i < 40 && !/Connection closed|Disconnected|Received disconnect|Connection reset/.test(sshd.logSince(mark)); i++)
    await sleep(25);
  return sshd.logSince(mark);
}

beforeAll(async () => {
  sshd = await startTestSshd();
  root = await openSession(rootOptions());
});
afterAll(async () => {
  await root?.close();
  await sshd?.stop();
});

describe("sessions", () => {
  it("runs commands on a gateway with a pinned key", async () => {
    expect(await root.exec(["id", "-u"])).toEqual({ exitCode: 0, stdout: "0\n", stderr: "" });
    const routes = await root.exec(["ip", "route", "list", "table", "all"]);
    expect(routes.exitCode).toBe(0);
    expect(routes.stdout).toMatch(/127\.0\.0\.0\/8|local 127\.0\.0\.1/);
    expect(root.isAlive).toBe(true);
    expect(root.lastUsedAt).toBeGreaterThan(Date.now() - 5_000);
  });

  it("runs thirty commands at once over one session: those beyond what sshd's MaxSessions (10) allows wait for a channel instead of failing", async () => {
    // A hub confirming 20 tunnels at once hit "Channel open failure" (the 20-spoke benchmark).
    const results = await Promise.allSettled(Array.from({ length: 30 }, () => root.exec(["sleep", "0.3"])));
    expect(results.filter((r) => r.status === "rejected").map((r) => String((r as PromiseRejectedResult).reason))).toEqual([]);
    expect(results.map((r) => (r as PromiseFulfilledResult<{ exitCode: number }>).value.exitCode)).toEqual(Array(30).fill(0));
    expect(root.isAlive).toBe(true);
  });

  it("reports exit codes, stderr, stdin, timeouts and refuses unsafe argv before sending", async () => {
    const ls = await root.exec(["ls", "/nonexistent-gatewarden"]);
    expect(ls.exitCode).toBe(2);
    expect(ls.stderr).toMatch(/No such file or directory/);
    expect((await root.exec(["false"])).exitCode).toBe(1);
    expect((await root.exec(["sha256sum"], { stdin: "hello" })).stdout).toBe(`${sha256("hello")}  -\n`);
    const started = Date.now();
    expect((await failure(root.exec(["sleep", "10"], { timeoutMs: 300 }))).code).toBe("timeout");
    expect(Date.now() - started).toBeLessThan(2_000);
    const mark = sshd.mark();
    expect((await failure(root.exec(["echo", "x;touch /tmp/gw-pwned"]))).code).toBe("unsafe-argument");
    expect((await failure(root.exec(["echo", "$(id)"]))).code).toBe("unsafe-argument");
    expect((await root.exec(["true"])).exitCode).toBe(0); // the session survived the timeout
    expect(sshd.logSince(mark).match(/Starting session: command/g)).toHaveLength(1); // only `true` went out
  });

  it("refuses a changed host key before authenticating", async () => {
    const mark = sshd.mark();
    const e = await failure(openSession(rootOptions({ pinnedFingerprint: OTHER_FP })));
    expect(e.code).toBe("host-key-changed");
    expect(e.offeredFingerprint).toBe(sshd.hostFingerprint);
    expect(e.pinnedFingerprint).toBe(OTHER_FP);
    expect(e.userMessage).toContain(`offered ${sshd.hostFingerprint} but ${OTHER_FP} is pinned`);
    const log = await settledLog(mark);
    expect(log).toMatch(/Connection from 127\.0\.0\.1/);
    expect(log).not.toMatch(/Accepted|Failed|Postponed|publickey|password/);
  });

  it("refuses an unpinned gateway and reports the key it offered; probeHostKey reads it without auth", async () => {
    const mark = sshd.mark();
    const e = await failure(openSession(rootOptions({ pinnedFingerprint: null })));
    expect(e.code).toBe("host-key-unknown");
    expect(e.offeredFingerprint).toBe(sshd.hostFingerprint);
    expect(e.userMessage).toContain(`offered the ssh-ed25519 host key ${sshd.hostFingerprint}`);
    expect(await probeHostKey({ host: "127.0.0.1", port: sshd.port, timeoutMs: 5_000 })).toBe(sshd.hostFingerprint);
    expect(await settledLog(mark)).not.toMatch(/Accepted|Failed|Postponed|publickey|password/);
  });

  it("maps a wrong key, a wrong password, a closed port and a silent server", async () => {
    expect((await failure(openSession(rootOptions({ credential: { type: "key", privateKey: sshd.strangerKey } })))).code).toBe(
      "auth-failed",
    );
    const garbage = await failure(openSession(rootOptions({ credential: { type: "key", privateKey: "-----BEGIN junk" } })));
    expect(garbage.code).toBe("auth-failed");
    expect(garbage.userMessage).not.toContain("junk");
    const wrong = "not-" + sshd.passwordUser.password;
    const mark = sshd.mark();
    const pw = await failure(openSession(rootOptions({ username: "gwtest", credential: { type: "password", password: wrong } })));
    expect(pw.code).toBe("auth-failed");
    expect(`${pw.message} ${pw.stack} ${JSON.stringify(pw)}`).not.toContain(wrong);
    expect(await settledLog(mark)).not.toContain(wrong);

    const started = Date.now();
    const closed = await failure(openSession(rootOptions({ port: await freePort() })));
    expect(closed.code).toBe("unreachable");
    expect(Date.now() - started).toBeLessThan(1_000);

    const silent: Server = createServer(() => {}).listen(0, "127.0.0.1");
    await new Promise((r) => silent.once("listening", r));
    const port = (silent.address() as { port: number }).port;
    expect((await failure(openSession(rootOptions({ port, connectTimeoutMs: 400 })))).code).toBe("timeout");
    silent.close();
  });

  it("logs in with a password", async () => {
    const { username, password } = sshd.passwordUser;
    const s = await openSession(rootOptions({ username, credential: { type: "password", password } }));
    expect((await s.exec(["id", "-u"])).stdout.trim()).toBe(String(PASSWORD_UID));
    await s.close();
    expect(s.isAlive).toBe(false);
  });
});

describe("files", () => {
  it("uploads a PSK file 0600 and a config 0644 atomically, with the PSK in no command line", async () => {
    const dir = join(sshd.dir, "etc-root");
    await root.ensureDir(dir + "/sysconfig", 0o700);
    expect(await root.statFile(dir + "/sysconfig")).toMatchObject({ mode: 0o700, isDirectory: true });
    const psk = "gw-psk-" + randomBytes(18).toString("base64url");
    // Padding makes the upload last long enough for the /proc scans to overlap it.
    const keys = `IKE_PSK=${psk}\n` + `# ${"x".repeat(78)}\n`.repeat(60_000);
    const upload = root.uploadFile({ path: `${dir}/sysconfig/keys-ipsec0`, content: keys, mode: 0o600 });
    let done = false;
    void upload.finally(() => (done = true)).catch(() => {});
    const seen: number[] = [];
    let scans = 0;
    do {
      seen.push(...processesExposing(psk));
      scans++;
      await sleep(1);
    } while (!done);
    await upload;
    expect(scans).toBeGreaterThan(1);
    expect(seen).toEqual([]);
    await root.uploadFile({ path: `${dir}/ifcfg-ipsec0`, content: "TYPE=IPSEC\n", mode: 0o644 });

    expect(await root.statFile(`${dir}/sysconfig/keys-ipsec0`)).toMatchObject({ mode: 0o600, size: keys.length });
    expect(statSync(`${dir}/sysconfig/keys-ipsec0`).mode & 0o7777).toBe(0o600);
    expect(statSync(`${dir}/ifcfg-ipsec0`).mode & 0o7777).toBe(0o644);
    const sum = await root.exec(["sha256sum", `${dir}/sysconfig/keys-ipsec0`]);
    expect(sum.stdout.split(" ")[0]).toBe(sha256(keys));
    expect(await root.readFile(`${dir}/ifcfg-ipsec0`)).toBe("TYPE=IPSEC\n");
    expect(readdirSync(`${dir}/sysconfig`)).toEqual(["keys-ipsec0"]); // no temp file left
    expect(sshd.logSince(0)).not.toContain(psk);
  });

  it("reads, stats and removes missing files without errors", async () => {
    const missing = join(sshd.dir, "nope", "missing.conf");
    expect(await root.readFile(missing)).toBeNull();
    expect(await root.statFile(missing)).toBeNull();
    await root.removeFile(missing);
    await root.uploadFile({ path: join(sshd.dir, "gone.conf"), content: "x", mode: 0o644 });
    await root.removeFile(join(sshd.dir, "gone.conf"));
    expect(await root.readFile(join(sshd.dir, "gone.conf"))).toBeNull();
  });

  it("leaves the old file in place when the upload cannot finish", async () => {
    const { username, password, home } = sshd.passwordUser;
    const locked = join(home, "locked");
    mkdirSync(locked);
    writeFileSync(join(locked, "swanctl.conf"), "old\n", { mode: 0o644 });
    chownSync(locked, PASSWORD_UID, PASSWORD_UID);
    chmodSync(locked, 0o555); // the (non-root) user cannot create the temp file here
    const user = await openSession(rootOptions({ username, credential: { type: "password", password } }));
    const e = await failure(user.uploadFile({ path: join(locked, "swanctl.conf"), content: "new\n", mode: 0o644 }));
    expect(e.code).toBe("sftp-failed");
    expect(e.userMessage).toMatch(/left unchanged/);
    expect(readFileSync(join(locked, "swanctl.conf"), "utf8")).toBe("old\n");
    await user.close();

    // The rename fails (the target is a directory): the temp file must not be left behind.
    mkdirSync(join(sshd.dir, "blocked", "target"), { recursive: true });
    const r = await failure(root.uploadFile({ path: join(sshd.dir, "blocked", "target"), content: "x", mode: 0o600 }));
    expect(r.code).toBe("sftp-failed");
    expect(readdirSync(join(sshd.dir, "blocked"))).toEqual(["target"]);
  });

  it("keeps the old file when the connection drops mid-upload", async () => {
    const dir = join(sshd.dir, "drop");
    mkdirSync(dir);
    writeFileSync(join(dir, "psk.txt"), "old\n");
    const mark = sshd.mark();
    const s = await openSession(rootOptions());
    const upload = failure(s.uploadFile({ path: join(dir, "psk.txt"), content: randomBytes(48 * 1024 * 1024), mode: 0o600 }));
    for (let i = 0; i < 400 && !readdirSync(dir).some((n) => n.startsWith(".psk.txt.gw-")); i++) await sleep(5);
    expect(sshd.killLastConnection(mark).length).toBeGreaterThan(0);
    const e = await upload;
    expect(["connection-lost", "sftp-failed"]).toContain(e.code);
    expect(readFileSync(join(dir, "psk.txt"), "utf8")).toBe("old\n");
    expect(s.isAlive).toBe(false);
    expect((await failure(s.exec(["true"]))).code).toBe("connection-lost");
    // The dead connection could not remove its temp file; the next upload of that file does.
    expect(readdirSync(dir).filter((n) => n.startsWith(".psk.txt.gw-"))).toHaveLength(1);
    await root.uploadFile({ path: join(dir, "psk.txt"), content: "new\n", mode: 0o600 });
    expect(readdirSync(dir)).toEqual(["psk.txt"]);
  });
});

describe("pool", () => {
  it("reuses one connection per gateway and bounds concurrent work", async () => {
    const pool = new SshPool({ maxConcurrent: 2, idleMs: 30_000 });
    const mark = sshd.mark();
    const target = (key: string) => ({ key, options: rootOptions() });
    expect((await pool.withSession(target("gw1"), (s) => s.exec(["id", "-u"]))).stdout).toBe("0\n");
    expect((await pool.withSession(target("gw1"), (s) => s.exec(["hostname"]))).exitCode).toBe(0);
    expect(sshd.logSince(mark).match(/Accepted publickey/g)).toHaveLength(1);

    let running = 0;
    let peak = 0;
    const work = ["gw1", "gw2", "gw3", "gw2", "gw3"].map((key) =>
      pool.withSession(target(key), async (s) => {
        peak = Math.max(peak, ++running);
        await s.exec(["sleep", "0.2"]);
        running--;
      }),
    );
    expect(pool.stats).toMatchObject({ running: 2, queued: 3 });
    await Promise.all(work);
    expect(peak).toBeLessThanOrEqual(2);
    expect(sshd.logSince(mark).match(/Accepted publickey/g)).toHaveLength(3);
    await pool.closeAll();
  });
});
