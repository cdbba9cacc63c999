import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { RenderError, type TunnelEnd } from "../contract";
import { ARTICLE_LEGACY_PROFILE, MODERN_PROFILE } from "../crypto-profiles";
import { ARTICLE_NET_TO_NET, ARTICLE_NODE_TO_NODE } from "../centos-racoon/article-fixtures";
import { parseSwanctlConf, section } from "./parse-swanctl-conf";
import { renderStrongswanFiles, swanctlSecretValue } from "./render";

/** Both routers on strongSwan's userspace ESP (the namespace lab's routers). */
const LIBIPSEC_H2H: TunnelEnd = {
  ...ARTICLE_NODE_TO_NODE,
  local: { ...ARTICLE_NODE_TO_NODE.local, ipsecStack: "libipsec" },
  remote: { ...ARTICLE_NODE_TO_NODE.remote, ipsecStack: "libipsec" },
};
const MODERN_NET: TunnelEnd = {
  ...ARTICLE_NET_TO_NET,
  tunnelId: "modern-net",
  connectionName: "gw-modern-net",
  profile: MODERN_PROFILE,
  psk: "Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MDEyMzQ1Njc4OTA",
};

function expectGolden(name: string, content: string) {
  const golden = path.join(import.meta.dirname, "__golden__", name);
  if (process.env.UPDATE_GOLDEN) {
    mkdirSync(path.dirname(golden), { recursive: true });
    writeFileSync(golden, content);
  }
  expect(content, golden).toBe(readFileSync(golden, "utf8"));
}

describe("strongswan render", () => {
  it("matches the golden files for IKEv2 net-to-net and IKEv1 host-to-host (article profile) on kernel and libipsec routers", () => {
    for (const [end, dir] of [
      [MODERN_NET, "modern-net-to-net"],
      [ARTICLE_NODE_TO_NODE, "article-host-to-host"],
      [LIBIPSEC_H2H, "article-host-to-host-libipsec"],
    ] as const) {
      for (const f of renderStrongswanFiles(end)) expectGolden(`${dir}/${path.basename(f.path)}`, f.content);
    }
  });

  it("brings the non-default aggressive-mode PSK setting as a strongswan.d drop-in only where the profile allows aggressive mode", () => {
    const files = renderStrongswanFiles(ARTICLE_NET_TO_NET);
    const dropIn = files.find((f) => f.path === "/etc/strongswan.d/gatewarden-aggressive-psk.conf");
    expect(dropIn).toMatchObject({ mode: 0o644, secret: false, scope: "gateway" });
    expect(dropIn!.content).toMatch(/^charon \{\n  i_dont_care_about_security_and_use_aggressive_mode_psk = yes\n\}$/m);
    expect(dropIn!.note).toContain("non-default strongSwan setting charon.i_dont_care_about_security_and_use_aggressive_mode_psk = yes");
    const mainOnly = { ...ARTICLE_NET_TO_NET, profile: { ...ARTICLE_LEGACY_PROFILE, exchangeModes: ["main" as const] } };
    for (const end of [MODERN_NET, mainOnly]) expect(renderStrongswanFiles(end).map((f) => path.basename(f.path))).toHaveLength(2);
  });

  it("the answering end (a hub) initiates nothing: no start on load, none after DPD; the initiating end starts and restarts", () => {
    const child = (end: TunnelEnd) =>
      section(parseSwanctlConf(renderStrongswanFiles(end)[0]!.content), "connections", end.connectionName, "children", end.connectionName);
    expect(child({ ...MODERN_NET, initiates: false })).toMatchObject({ start_action: "none", dpd_action: "clear" });
    expect(child({ ...MODERN_NET, initiates: true })).toMatchObject({ start_action: "start", dpd_action: "restart" });
  });

  it("writes the connection and a 0600 secrets file into conf.d, which swanctl.conf includes", () => {
    const [conn, secrets] = renderStrongswanFiles(MODERN_NET);
    expect(conn).toMatchObject({ path: "/etc/swanctl/conf.d/gw-modern-net.conf", mode: 0o644, secret: false });
    expect(secrets).toMatchObject({ path: "/etc/swanctl/conf.d/gw-modern-net.secrets.conf", mode: 0o600, secret: true });
  });

  it("renders an IKEv2 connection with PFS and subnet selectors", () => {
    const conf = parseSwanctlConf(renderStrongswanFiles(MODERN_NET)[0]!.content);
    const conn = section(conf, "connections", "gw-modern-net");
    expect(conn).toMatchObject({
      version: "2",
      local_addrs: "198.18.1.1",
      remote_addrs: "198.18.2.1",
      proposals: "aes256-sha256-ecp256",
      rekey_time: "86400s",
    });
    expect(conn).not.toHaveProperty("aggressive");
    expect(section(conn, "local")).toEqual({ auth: "psk", id: "198.18.1.1" });
    expect(section(conn, "children", "gw-modern-net")).toMatchObject({
      local_ts: "192.168.1.0/24",
      remote_ts: "192.168.2.0/24",
      esp_proposals: "aes256-sha256-ecp256",
      mode: "tunnel",
      start_action: "start",
    });
  });

  it("maps the article's profile to IKEv1 aggressive; between kernel routers host-to-host is transport mode with IPComp, as the article's tunnel", () => {
    const text = renderStrongswanFiles(ARTICLE_NODE_TO_NODE)[0]!.content;
    const conn = section(parseSwanctlConf(text), "connections", "gw-article-n2n");
    expect(conn).toMatchObject({ version: "1", aggressive: "yes", proposals: "3des-sha1-modp1024", reauth_time: "28800s" });
    expect(section(conn, "children", "gw-article-n2n")).toMatchObject({
      esp_proposals: "3des-aes128-sha1-md5-modp1024",
      local_ts: "198.18.0.1/32",
      remote_ts: "198.18.0.2/32",
      mode: "transport",
      ipcomp: "yes",
    });
    expect(text).toContain("# Not offered (no strongSwan keyword): blowfish448.");
  });

  it("where either router is libipsec: tunnel mode between the two hosts and no IPComp, each said in a comment", () => {
    for (const end of [
      LIBIPSEC_H2H,
      { ...ARTICLE_NODE_TO_NODE, remote: { ...ARTICLE_NODE_TO_NODE.remote, ipsecStack: "libipsec" as const } },
    ]) {
      const text = renderStrongswanFiles(end)[0]!.content;
      const child = section(section(parseSwanctlConf(text), "connections", "gw-article-n2n"), "children", "gw-article-n2n");
      expect(child.mode).toBe("tunnel");
      expect(child).not.toHaveProperty("ipcomp");
      expect(text).toContain("# IPComp (deflate) not offered: kernel-libipsec does not implement it.");
      expect(text).toContain("# Tunnel mode between the two hosts: kernel-libipsec has no transport mode.");
    }
  });

  it("renders main mode when the profile prefers it, and several subnets per side", () => {
    const end: TunnelEnd = {
      ...ARTICLE_NET_TO_NET,
      profile: { ...ARTICLE_LEGACY_PROFILE, exchangeModes: ["main", "aggressive"] },
      local: { ...ARTICLE_NET_TO_NET.local, subnets: ["192.168.1.0/24", "10.1.0.0/16"] },
    };
    const conn = section(parseSwanctlConf(renderStrongswanFiles(end)[0]!.content), "connections", "gw-article-net");
    expect(conn.aggressive).toBe("no");
    expect(section(conn, "children", "gw-article-net").local_ts).toBe("192.168.1.0/24,10.1.0.0/16");
  });

  it("hex-encodes a PSK that swanctl would otherwise decode as hex or base64", () => {
    expect(swanctlSecretValue("plain-key")).toBe('"plain-key"');
    expect(swanctlSecretValue("0xab")).toBe("0x30786162");
    expect(swanctlSecretValue("0sQUJD")).toBe("0x307351554a44");
  });

  it("refuses a profile whose only cipher strongSwan cannot express", () => {
    const end: TunnelEnd = {
      ...ARTICLE_NET_TO_NET,
      profile: { ...ARTICLE_LEGACY_PROFILE, esp: { ...ARTICLE_LEGACY_PROFILE.esp, encryption: ["blowfish448"] } },
    };
    expect(() => renderStrongswanFiles(end)).toThrow(RenderError);
  });
});
