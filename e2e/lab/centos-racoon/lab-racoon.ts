// Run INSIDE a lab CentOS router (bundled by the lab build into /usr/sbin/gw-lab-racoon.mjs):
// the parts of the CentOS emulation that need a parser.
//
//   check         racoon's configuration check: /etc/racoon/racoon.conf and what it includes,
//                 through Gatewarden's own racoon grammar checker (racoon-grammar.ts, built
//                 from ipsec-tools' cfparse.y/cftoken.l). Prints racoon's first error and exits
//                 1, as racoon would stop ("fatal parse failure"); exits 0 when racoon would start.
//   setkey -D     the SAD in setkey's format (ipsec-tools' pfkey_dump.c layout), from the SAs the
//                 lab's stand-in for racoon (charon, ESP in user space) holds. (On a VM lab
//                 router setkey -D is the kernel's SAD instead: setkey-kernel.awk.)
//   setkey -DP    the SPD entries ifup installed, in setkey's format.
//
// THIS IS LAB CODE. A real CentOS router runs racoon and setkey; see ifupdown-ipsec.sh for
// what the emulation does and where it differs.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { checkRacoonConfig } from "../../../lib/platforms/centos-racoon/racoon-grammar";
import { parseListSasRaw } from "../../../lib/platforms/strongswan/parse-list-sas-raw";

const RACOON_DIR = "/etc/racoon";
/** One file per SPD entry pair ifup installed: "SPD_SRC SPD_DST MODE SRC DST AH ESP". */
export const SPD_DIR = "/run/gw-lab-spd";

function filesUnder(dir: string, out: Map<string, string>): Map<string, string> {
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    const st = statSync(p, { throwIfNoEntry: false });
    if (!st) continue;
    if (st.isDirectory()) filesUnder(p, out);
    else if (st.isFile() && st.size < 1_000_000) out.set(p, readFileSync(p, "utf8"));
  }
  return out;
}

function check(): number {
  const result = checkRacoonConfig(filesUnder(RACOON_DIR, new Map()), path.join(RACOON_DIR, "racoon.conf"));
  if (result.error) {
    process.stdout.write(`ERROR: ${result.error}\nERROR: fatal parse failure (1 errors)\n`);
    return 1;
  }
  for (const r of result.remotes) process.stdout.write(`remote ${r.address} exchange_mode ${r.exchangeModes.join(",")}\n`);
  return 0;
}

export interface SpdEntry {
  spdSrc: string;
  spdDst: string;
  mode: "tunnel" | "transport";
  src: string;
  dst: string;
  ah: boolean;
  esp: boolean;
}

export function readSpd(dir = SPD_DIR): SpdEntry[] {
  let names: string[] = [];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return [];
  }
  return names.flatMap((n) => {
    const f = readFileSync(path.join(dir, n), "utf8").trim().split(/\s+/);
    if (f.length < 7) return [];
    return [
      {
        spdSrc: f[0]!,
        spdDst: f[1]!,
        mode: f[2] === "tunnel" ? "tunnel" : "transport",
        src: f[3]!,
        dst: f[4]!,
        ah: f[5] === "yes",
        esp: f[6] === "yes",
      },
    ];
  });
}

// strongSwan's names → setkey's (pfkey_dump.c's str_alg_enc / str_alg_auth).
const ENC: Record<string, string> = { "3DES_CBC": "3des-cbc", AES_CBC: "aes-cbc", BLOWFISH_CBC: "blowfish-cbc", CAST_CBC: "cast128-cbc" };
const AUTH: Record<string, string> = {
  HMAC_MD5_96: "hmac-md5",
  HMAC_SHA1_96: "hmac-sha1",
  HMAC_SHA2_256_128: "hmac-sha256",
  HMAC_SHA2_384_192: "hmac-sha384",
  HMAC_SHA2_512_256: "hmac-sha512",
};

/** setkey's date: ctime without the weekday (pfkey_dump.c str_time). */
function setkeyTime(d: Date): string {
  const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  const p = (n: number) => String(n).padStart(2, "0");
  return `${months[d.getMonth()]} ${String(d.getDate()).padStart(2, " ")} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())} ${d.getFullYear()}`;
}

const hex8 = (n: number) => n.toString(16).padStart(8, "0");

function dumpSad(): number {
  let raw: string;
  try {
    raw = execFileSync("/usr/sbin/gw-lab-swanctl", ["--list-sas", "--raw"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
      timeout: 10_000,
    });
  } catch {
    // No IKE daemon answering: the lab's kernel SAD is charon's, so it is empty.
    raw = "";
  }
  const spd = readSpd();
  const now = new Date();
  const lines: string[] = [];
  let seq = 0;
  for (const ike of parseListSasRaw(raw)) {
    const local = ike.local.address;
    const remote = ike.remote.address;
    // The mode the kernel would hold: ifup's policy for this peer decides it (libipsec carries
    // host-to-host as tunnel mode with /32 selectors; a real kernel SA is in transport mode).
    const policy = spd.find((e) => e.dst === remote);
    for (const child of ike.children) {
      if (child.state !== "INSTALLED" && child.state !== "REKEYED") continue;
      const [encName, authName] = child.algorithms.split("/");
      const enc = ENC[(encName ?? "").replace(/-\d+$/, "")] ?? (encName ?? "").toLowerCase();
      const auth = AUTH[authName ?? ""] ?? (authName ?? "").toLowerCase();
      const age = child.installedSecondsAgo ?? 0;
      const created = new Date(now.getTime() - age * 1000);
      const mode = policy?.mode ?? child.mode.toLowerCase();
      for (const [src, dst, t] of [
        [remote, local, child.inbound],
        [local, remote, child.outbound],
      ] as const) {
        if (!t) continue;
        const spi = parseInt(t.spi, 16);
        lines.push(
          `${src} ${dst} `,
          `\tesp mode=${mode} spi=${spi}(0x${hex8(spi)}) reqid=${child.reqid ?? 0}(0x${hex8(child.reqid ?? 0)})`,
          // charon does not list keys; a real setkey prints them in hex after the name.
          `\tE: ${enc}  `,
          `\tA: ${auth}  `,
          `\tseq=0x00000000 replay=4 flags=0x00000000 state=${child.state === "REKEYED" ? "dying" : "mature"} `,
          `\tcreated: ${setkeyTime(created)}\tcurrent: ${setkeyTime(now)}`,
          `\tdiff: ${age}(s)\thard: ${child.expiresInSeconds !== null ? child.expiresInSeconds + age : 0}(s)\tsoft: ${child.rekeyInSeconds !== null ? child.rekeyInSeconds + age : 0}(s)`,
          `\tlast: ${t.lastPacketSecondsAgo !== null ? setkeyTime(new Date(now.getTime() - t.lastPacketSecondsAgo * 1000)) : "                    "}\thard: 0(s)\tsoft: 0(s)`,
          `\tcurrent: ${t.bytes}(bytes)\thard: 0(bytes)\tsoft: 0(bytes)`,
          `\tallocated: ${t.packets}\thard: 0\tsoft: 0`,
          `\tsadb_seq=${seq++} pid=${process.pid} refcnt=0`,
        );
      }
    }
  }
  process.stdout.write(lines.length ? lines.join("\n") + "\n" : "No SAD entries.\n");
  return 0;
}

function dumpSpd(): number {
  const lines: string[] = [];
  let seq = 0;
  for (const e of readSpd()) {
    for (const [dir, from, to, tsrc, tdst] of [
      ["out", e.spdSrc, e.spdDst, e.src, e.dst],
      ["in", e.spdDst, e.spdSrc, e.dst, e.src],
    ] as const) {
      const ends = e.mode === "tunnel" ? `${tsrc}-${tdst}` : "";
      lines.push(`${from}[any] ${to}[any] 255`, `\t${dir} prio def ipsec`);
      if (e.esp) lines.push(`\tesp/${e.mode}/${ends}/require`);
      if (e.ah) lines.push(`\tah/${e.mode}/${ends}/require`);
      lines.push(`\tspid=${seq * 8 + (dir === "out" ? 1 : 0)} seq=${seq++} pid=${process.pid}`, `\trefcnt=1`);
    }
  }
  process.stdout.write(lines.length ? lines.join("\n") + "\n" : "No SPD entries.\n");
  return 0;
}

function main(argv: string[]): number {
  const [cmd, ...rest] = argv;
  if (cmd === "check") return check();
  if (cmd === "setkey") {
    const flags = rest.join(" ");
    if (flags === "-D") return dumpSad();
    if (flags === "-DP" || flags === "-D -P") return dumpSpd();
    process.stderr.write(`setkey: the lab router emulates only -D and -DP (got: ${flags || "no option"})\n`);
    return 1;
  }
  process.stderr.write("usage: gw-lab-racoon check | setkey -D | setkey -DP\n");
  return 2;
}

process.exitCode = main(process.argv.slice(2));
