// A real OpenSSH server on 127.0.0.1 for the lib/ssh integration tests (never used at run
// time). It runs in a private mount namespace so it can see its own /run/sshd and a
// passwd/shadow pair with a password-only test user, without touching the machine's users.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { parseSshKeygenFingerprints } from "./host-key";
import { generateEd25519KeyPair } from "./keys";
import { descendantsOf, pidsServingConnection } from "./test-processes";

export const PASSWORD_UID = 4242;

export type TestSshd = {
  dir: string;
  port: number;
  pid: number;
  hostFingerprint: string; // as `ssh-keygen -lf` prints it for the host key
  clientKey: string; // authorized for root
  strangerKey: string; // not authorized anywhere
  passwordUser: { username: string; password: string; home: string };
  /** Log bytes written so far; pass to logSince to see only what followed. */
  mark(): number;
  logSince(mark: number): string;
  /** Kills the sshd processes serving the most recent connection after `mark` (a dropped link). */
  killLastConnection(mark: number): number[];
  stop(): Promise<void>;
};

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer().listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
    srv.on("error", reject);
  });
}

const keyPair = () => generateEd25519KeyPair({ comment: "gatewarden-test" });

export async function startTestSshd(): Promise<TestSshd> {
  const dir = mkdtempSync("/tmp/gw-sshd-");
  chmodSync(dir, 0o755); // the password user must reach its home inside
  const file = (name: string, content: string, mode = 0o600) => {
    writeFileSync(join(dir, name), content, { mode });
    return join(dir, name);
  };
  const host = keyPair();
  const client = keyPair();
  file("host_key", host.privateKey);
  const hostPub = file("host_key.pub", host.publicKey + "\n", 0o644);
  file("authorized_keys", client.publicKey + "\n", 0o644);
  const hostFingerprint = parseSshKeygenFingerprints(execFileSync("ssh-keygen", ["-lf", hostPub], { encoding: "utf8" }))[0]!.fingerprint;

  const username = "gwtest";
  const password = randomBytes(12).toString("base64url");
  const home = join(dir, "home");
  mkdirSync(home, { mode: 0o755 });
  chownSync(home, PASSWORD_UID, PASSWORD_UID);
  // The hash is made from stdin so the password never appears in a command line.
  const hash = execFileSync("openssl", ["passwd", "-6", "-stdin"], { input: password, encoding: "utf8" }).trim();
  file("passwd", readFileSync("/etc/passwd", "utf8") + `${username}:x:${PASSWORD_UID}:${PASSWORD_UID}::${home}:/bin/sh\n`, 0o644);
  file("shadow", `root:*:19000:0:99999:7:::\n${username}:${hash}:19000:0:99999:7:::\n`, 0o600);

  const port = await freePort();
  const logPath = join(dir, "sshd.log");
  const config = file(
    "sshd_config",
    [
      "ListenAddress 127.0.0.1",
      `Port ${port}`,
      `HostKey ${dir}/host_key`,
      `AuthorizedKeysFile ${dir}/authorized_keys`,
      "PermitRootLogin prohibit-password",
      "PubkeyAuthentication yes",
      "PasswordAuthentication yes",
      "KbdInteractiveAuthentication no",
      "UsePAM no",
      `PidFile ${dir}/sshd.pid`,
      "Subsystem sftp internal-sftp",
      "StrictModes no",
      "LogLevel VERBOSE",
      "",
    ].join("\n"),
    0o644,
  );
  const script =
    // Root's home is empty here: this host's dotfiles (a pyenv init in .bashrc) must not run in every command's shell.
    "mount -t tmpfs -o mode=0755 gw-sshd-run /run && mkdir -m 0755 /run/sshd && mount -t tmpfs -o mode=0700 gw-sshd-root /root && " +
    'mount --bind "$1" /etc/passwd && mount --bind "$2" /etc/shadow && exec /usr/sbin/sshd -D -f "$3" -E "$4"';
  const child: ChildProcess = spawn(
    "unshare",
    ["--mount", "--propagation", "private", "--", "/bin/sh", "-c", script, "sh", join(dir, "passwd"), join(dir, "shadow"), config, logPath],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let stderr = "";
  child.stderr!.on("data", (d) => (stderr += d));
  const log = () => {
    try {
      return readFileSync(logPath, "utf8");
    } catch {
      return "";
    }
  };
  for (let waited = 0; !log().includes(`Server listening on 127.0.0.1 port ${port}`); waited += 25) {
    if (child.exitCode !== null || waited > 5_000) {
      child.kill("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`test sshd did not start: ${stderr} ${log()}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }

  const pid = child.pid!;
  return {
    dir,
    port,
    pid,
    hostFingerprint,
    clientKey: client.privateKey,
    strangerKey: keyPair().privateKey,
    passwordUser: { username, password, home },
    mark: () => Buffer.byteLength(log()),
    logSince: (mark) => Buffer.from(log()).subarray(mark).toString("utf8"),
    killLastConnection(mark) {
      const ports = [
        ...Buffer.from(log())
          .subarray(mark)
          .toString()
          .matchAll(/Connection from 127\.0\.0\.1 port (\d+)/g),
      ];
      const clientPort = Number(ports.at(-1)?.[1]);
      const pids = pidsServingConnection(port, clientPort);
      for (const p of pids) process.kill(p, "SIGKILL");
      return pids;
    },
    async stop() {
      const all = [...descendantsOf(pid), pid];
      for (const p of all) tryKill(p, "SIGTERM");
      const deadline = Date.now() + 3_000;
      while (child.exitCode === null && child.signalCode === null && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 25));
      }
      for (const p of all) tryKill(p, "SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function tryKill(pid: number, signal: NodeJS.Signals) {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}
