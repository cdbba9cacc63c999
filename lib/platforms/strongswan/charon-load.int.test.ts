// Integration: rendered swanctl files must load into a REAL charon without a parse or load
// error, and rendered CentOS files must mean, to a real bash `source`, what we rendered.
// charon runs in a network namespace and a private mount namespace this test creates
// (tmpfs over /run for its pid file; vici socket and configs in a temp dir), so nothing on
// the host is touched. Needs root, which CI has.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RenderedFile, TunnelEnd } from "../contract";
import { ARTICLE_LEGACY_PROFILE, MODERN_PROFILE } from "../crypto-profiles";
import { ARTICLE_NET_TO_NET, ARTICLE_NODE_TO_NODE } from "../centos-racoon/article-fixtures";
import { parseIfcfg } from "../centos-racoon/parse";
import { renderCentosFiles } from "../centos-racoon/render";
import { renderStrongswanFiles } from "./render";

const PSK = "Tq3_vW8-xYz0aBcDeFgHiJkLmNoPqRsTuVwXyZ01234";
const ENDS: TunnelEnd[] = [
  {
    ...ARTICLE_NET_TO_NET,
    tunnelId: "v2-net",
    connectionName: "gw-v2-net",
    psk: PSK,
    profile: MODERN_PROFILE,
    local: { ...ARTICLE_NET_TO_NET.local, subnets: ["192.168.1.0/24", "10.10.0.0/16"] },
  },
  { ...ARTICLE_NODE_TO_NODE, tunnelId: "v2-h2h", connectionName: "gw-v2-h2h", psk: PSK, profile: MODERN_PROFILE },
  {
    ...ARTICLE_NET_TO_NET,
    tunnelId: "v1-net",
    connectionName: "gw-v1-net",
    psk: "0xNotHex-but-text-1234",
    profile: ARTICLE_LEGACY_PROFILE,
  },
  {
    ...ARTICLE_NODE_TO_NODE,
    tunnelId: "v1-h2h",
    connectionName: "gw-v1-h2h",
    psk: PSK,
    profile: { ...ARTICLE_LEGACY_PROFILE, exchangeModes: ["main"], ike: { encryption: "aes256", integrity: "sha256", dhGroup: 14 } },
  },
];

const run = (argv: string[], env?: Record<string, string>) => {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: "utf8", env: { ...process.env, ...env }, timeout: 30_000 });
  return { code: r.status, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
};

function writeFiles(root: string, files: RenderedFile[], dir: (f: RenderedFile) => string) {
  for (const f of files) {
    const target = path.join(root, dir(f), path.basename(f.path));
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, f.content, { mode: f.mode });
    chmodSync(target, f.mode);
  }
}

describe("rendered swanctl files in a real charon", () => {
  const tmp = mkdtempSync(path.join(tmpdir(), "gw-charon-"));
  const netns = `gwtest-${randomBytes(4).toString("hex")}`;
  const socket = path.join(tmp, "charon.vici");
  const uri = `unix://${socket}`;
  const env = { STRONGSWAN_CONF: path.join(tmp, "strongswan.conf") };
  let charon: ChildProcess | undefined;

  beforeAll(async () => {
    expect(process.getuid?.(), "this test needs root (network namespaces)").toBe(0);
    writeFileSync(
      env.STRONGSWAN_CONF,
      [
        "charon {",
        "  load = random nonce openssl pem pkcs1 x509 pubkey aes sha1 sha2 md5 hmac kdf gmp curve25519 kernel-libipsec kernel-netlink socket-default vici",
        "  i_dont_care_about_security_and_use_aggressive_mode_psk = yes",
        `  filelog { test { path = ${path.join(tmp, "charon.log")}\n default = 1 } }`,
        `  plugins { vici { socket = ${uri} } }`,
        "}",
        "",
      ].join("\n"),
    );
    const swanctlDir = path.join(tmp, "swanctl");
    // swanctl --load-all scans these credential folders; empty ones keep its stderr clean.
    for (const d of [
      "conf.d",
      "x509",
      "x509ca",
      "x509ocsp",
      "x509aa",
      "x509ac",
      "x509crl",
      "pubkey",
      "private",
      "rsa",
      "ecdsa",
      "bliss",
      "pkcs8",
      "pkcs12",
    ]) {
      mkdirSync(path.join(swanctlDir, d), { recursive: true });
    }
    writeFileSync(path.join(swanctlDir, "swanctl.conf"), "include conf.d/*.conf\n");
    for (const end of ENDS) writeFiles(swanctlDir, renderStrongswanFiles(end), () => "conf.d");

    expect(run(["ip", "netns", "add", netns]).code).toBe(0);
    run(["ip", "netns", "exec", netns, "ip", "link", "set", "lo", "up"]);
    charon = spawn(
      "ip",
      [
        "netns",
        "exec",
        netns,
        "unshare",
        "--mount",
        "--propagation",
        "private",
        "sh",
        "-c",
        "mount -t tmpfs tmpfs /run && exec /usr/lib/ipsec/charon",
      ],
      { env: { ...process.env, ...env }, stdio: "ignore" },
    );
    for (let i = 0; i < 100 && !existsSync(socket); i++) await new Promise((r) => setTimeout(r, 100));
    expect(existsSync(socket), "charon did not open its vici socket").toBe(true);
  });

  afterAll(async () => {
    if (charon && charon.exitCode === null) {
      const exited = new Promise((r) => charon!.once("exit", r));
      charon.kill("SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (charon.exitCode === null && charon.signalCode === null) charon.kill("SIGKILL");
    }
    run(["ip", "netns", "del", netns]);
    rmSync(tmp, { recursive: true, force: true });
  });

  it("loads every connection and secret without an error", () => {
    const r = run(["swanctl", "--load-all", "--file", path.join(tmp, "swanctl", "swanctl.conf"), "--uri", uri], env);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`successfully loaded ${ENDS.length} connections, 0 unloaded`);
    for (const end of ENDS) {
      expect(r.stdout).toContain(`loaded ike secret 'ike-${end.connectionName}'`);
      expect(r.stdout).toContain(`loaded connection '${end.connectionName}'`);
    }
  });

  it("shows the connections with their versions and traffic selectors in --list-conns", () => {
    const r = run(["swanctl", "--list-conns", "--uri", uri], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^gw-v2-net: IKEv2,/m);
    expect(r.stdout).toMatch(/^gw-v1-net: IKEv1,/m);
    expect(r.stdout).toMatch(/^gw-v1-h2h: IKEv1,/m);
    expect(r.stdout).toMatch(/gw-v2-net: TUNNEL.*\n\s+local:\s+192\.168\.1\.0\/24 10\.10\.0\.0\/16\n\s+remote:\s+192\.168\.2\.0\/24/);
    // Host-to-host between kernel-IPsec routers (the default) is transport mode.
    expect(r.stdout).toMatch(/gw-v2-h2h: TRANSPORT.*\n\s+local:\s+198\.18\.0\.1\/32\n\s+remote:\s+198\.18\.0\.2\/32/);
  });
});

describe("rendered CentOS files under a real bash `source`", () => {
  const VARS = [
    "TYPE",
    "ONBOOT",
    "IKE_METHOD",
    "SRC",
    "DST",
    "SRCGW",
    "DSTGW",
    "SRCNET",
    "DSTNET",
    "IKE_ENC",
    "IKE_AUTH",
    "IKE_DHGROUP",
    "AH_PROTO",
    "IKE_PSK",
  ];
  // Typed PSKs may hold characters bash treats specially outside quotes.
  const PSKS = ["my_key", "a&b|c>d<e", "~root:~x", "p*?[a]{b,c}", "(x)!y", "%^+=@,./-_"];
  // DH 14: racoon has no ECP group, so CentOS files are not rendered for 19–21.
  const modern: TunnelEnd["profile"] = {
    ...ARTICLE_LEGACY_PROFILE,
    exchangeModes: ["main"],
    ike: { encryption: "aes256", integrity: "sha384", dhGroup: 14 },
  };

  it.each([...PSKS.map((psk) => ({ ...ARTICLE_NODE_TO_NODE, psk })), { ...ARTICLE_NET_TO_NET, profile: modern }])(
    "sources ifcfg + keys of $interfaceName with psk $psk to exactly the rendered values",
    (end) => {
      const dir = mkdtempSync(path.join(tmpdir(), "gw-ifcfg-"));
      try {
        const files = renderCentosFiles(end);
        writeFiles(
          dir,
          files.filter((f) => f.path.includes("network-scripts")),
          () => ".",
        );
        const before = readdirSync(dir).sort();
        const script = `cd "$1" && . ./ifcfg-${end.interfaceName} && . ./keys-${end.interfaceName} && for v in ${VARS.join(" ")}; do printf '%s=%s\\0' "$v" "\${!v-}"; done`;
        const r = run(["bash", "--norc", "--noprofile", "-c", script, "bash", dir], { HOME: "/nonexistent" });
        expect(r.stderr).toBe("");
        expect(r.code).toBe(0);
        const sourced = Object.fromEntries(
          r.stdout
            .split("\0")
            .filter(Boolean)
            .map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]),
        );
        const rendered = { ...parseIfcfg(files[0]!.content), ...parseIfcfg(files[1]!.content) };
        const expected = Object.fromEntries(VARS.map((v) => [v, rendered[v] ?? ""]));
        expect(sourced).toEqual(expected);
        expect(sourced.IKE_PSK).toBe(end.psk);
        expect(readdirSync(dir).sort(), "sourcing must not create files").toEqual(before);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
