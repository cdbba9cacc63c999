// /proc helpers for the lib/ssh integration tests: find processes by what they expose or by
// the TCP connection they serve, so a test can check for leaks or cut one connection.
import { readdirSync, readFileSync, readlinkSync } from "node:fs";

/** Every process whose command line or environment contains `text` (for leak checks). */
export function processesExposing(text: string): number[] {
  const hits: number[] = [];
  for (const pid of numericDirs("/proc")) {
    for (const what of ["cmdline", "environ"]) {
      try {
        if (readFileSync(`/proc/${pid}/${what}`).includes(text)) hits.push(pid);
      } catch {
        // the process exited while we looked
      }
    }
  }
  return hits;
}

const numericDirs = (path: string) =>
  readdirSync(path)
    .filter((n) => /^\d+$/.test(n))
    .map(Number);

export function descendantsOf(root: number): number[] {
  const parentOf = new Map<number, number>();
  for (const pid of numericDirs("/proc")) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      parentOf.set(pid, Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {
      // exited
    }
  }
  const out: number[] = [];
  for (const [pid] of parentOf) {
    for (let p = parentOf.get(pid); p !== undefined && p > 1; p = parentOf.get(p)) {
      if (p === root) {
        out.push(pid);
        break;
      }
    }
  }
  return out;
}

function serverSocketInodes(serverPort: number, clientPort: number): Set<string> {
  const hex = (n: number) => n.toString(16).toUpperCase().padStart(4, "0");
  const inodes = new Set<string>();
  for (const line of readFileSync("/proc/net/tcp", "utf8").split("\n").slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f[1]?.endsWith(":" + hex(serverPort)) && f[2]?.endsWith(":" + hex(clientPort))) inodes.add(f[9]!);
  }
  return inodes;
}

function pidsOfSockets(inodes: Set<string>): number[] {
  const pids: number[] = [];
  for (const pid of numericDirs("/proc")) {
    const link = (fd: string) => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        return ""; // closed meanwhile
      }
    };
    let fds: string[] = [];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      // exited
    }
    if (fds.some((fd) => inodes.has(/^socket:\[(\d+)\]$/.exec(link(fd))?.[1] ?? ""))) pids.push(pid);
  }
  return pids;
}

/** The sshd processes serving the connection from `clientPort` to `serverPort` on loopback. */
export function pidsServingConnection(serverPort: number, clientPort: number): number[] {
  return pidsOfSockets(serverSocketInodes(serverPort, clientPort));
}
