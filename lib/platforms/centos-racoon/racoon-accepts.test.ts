// racoon's grammar (racoon-grammar.ts) over every racoon file Gatewarden renders, for every
// built-in profile a CentOS router can run: alone, on a hub, and after ifup has done what
// it does to them. Plus golden files for each of those profiles.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { CryptoProfile, RenderedFile, TunnelEnd } from "../contract";
import { BUILT_IN_PROFILES } from "../crypto-profiles";
import { renderGatewayFiles } from "../gateway-files";
import { ARTICLE_NET_TO_NET, ARTICLE_NODE_TO_NODE } from "./article-fixtures";
import { centosRacoonPlatform } from "./platform";
import { centosProfileProblems } from "./profile-problems";
import { checkRacoonConfig } from "./racoon-grammar";
import { previewCentosFiles, RACOON_CONF, racoonInclude, remoteConfPath, renderCentosFiles, renderRemoteConf } from "./render";

const CENTOS_PROFILES = BUILT_IN_PROFILES.filter((p) => centosProfileProblems(p).length === 0);
const slug = (p: CryptoProfile) =>
  p.name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/-$/, "");
const asFiles = (files: RenderedFile[]) => new Map(files.map((f) => [f.path, f.content]));

/** What ifup-ipsec does to racoon.conf (ifup-ipsec:268-271): drop the peer's include, append it. */
function afterIfup(files: Map<string, string>, end: TunnelEnd): Map<string, string> {
  const include = racoonInclude(end);
  const conf = files
    .get(RACOON_CONF)!
    .split("\n")
    .filter((l) => l !== "" && l !== include);
  return new Map([...files, [RACOON_CONF, [...conf, include, ""].join("\n")]]);
}

/** ifup after ifcfg-ipsecN was edited on the router: it rewrites <DST>.conf with `aggressive, main` (ifup-ipsec:214-231). */
function afterStockRewrite(files: Map<string, string>, end: TunnelEnd): Map<string, string> {
  const stock = renderRemoteConf({ ...end, profile: { ...end.profile, exchangeModes: ["aggressive", "main"] } });
  return new Map([...files, [remoteConfPath(end), stock]]);
}

function expectGolden(dir: string, files: RenderedFile[]) {
  for (const f of files) {
    const golden = path.join(import.meta.dirname, "__golden__", "profiles", dir, path.basename(f.path));
    if (process.env.UPDATE_GOLDEN) {
      mkdirSync(path.dirname(golden), { recursive: true });
      writeFileSync(golden, f.content);
    }
    expect(f.content, golden).toBe(readFileSync(golden, "utf8"));
  }
}

describe("racoon accepts every racoon file Gatewarden renders", () => {
  it("covers the built-in profiles a CentOS router can run, and only those", () => {
    expect(CENTOS_PROFILES.map((p) => p.name)).toEqual(["Modern IKEv1 (racoon)", "Article (legacy)"]);
  });

  describe.each(CENTOS_PROFILES.map((p) => [p.name, p] as const))("%s", (_, profile) => {
    const ends = [ARTICLE_NODE_TO_NODE, ARTICLE_NET_TO_NET].map((e) => ({ ...e, profile }));

    it.each(ends.map((e) => [e.kind, e] as const))("%s: matches the golden files", (kind, end) => {
      expectGolden(`${slug(profile)}/${kind}`, [
        ...renderCentosFiles(end),
        ...previewCentosFiles(end).filter((f) => f.path !== RACOON_CONF),
      ]);
    });

    it.each(ends.map((e) => [e.kind, e] as const))(
      "%s: racoon.conf and <DST>.conf as pushed, after ifup, and after a stock rewrite",
      (_kind, end) => {
        const pushed = asFiles(renderCentosFiles(end));
        const check = checkRacoonConfig(pushed);
        expect(check.error).toBeNull();
        expect(check.remotes).toEqual([expect.objectContaining({ address: end.remote.publicIp, exchangeModes: profile.exchangeModes })]);
        expect(checkRacoonConfig(afterIfup(pushed, end)).error).toBeNull();
        expect(checkRacoonConfig(afterStockRewrite(afterIfup(pushed, end), end)).remotes[0]!.exchangeModes).toEqual(["aggressive", "main"]);
      },
    );

    it("the merged racoon.conf of a hub with three tunnels, before any ifup and after each", () => {
      const hub = [0, 1, 2].map((n): TunnelEnd => ({
        ...ARTICLE_NET_TO_NET,
        profile,
        tunnelId: `t${n}`,
        connectionName: `gw-t${n}`,
        interfaceName: `ipsec${n}`,
        remote: { publicIp: `198.18.2.${n + 1}`, lanAddress: `192.168.${20 + n}.254`, subnets: [`192.168.${20 + n}.0/24`] },
      }));
      let files = asFiles(renderGatewayFiles(centosRacoonPlatform, hub));
      expect(checkRacoonConfig(files)).toMatchObject({
        error: null,
        remotes: hub.map((e) => expect.objectContaining({ address: e.remote.publicIp })),
      });
      for (const end of hub) {
        files = afterIfup(files, end);
        expect(checkRacoonConfig(files).error, end.interfaceName).toBeNull();
      }
    });
  });

  it("refuses nothing it renders: a profile racoon cannot run is refused before any file exists", () => {
    for (const profile of BUILT_IN_PROFILES.filter((p) => !CENTOS_PROFILES.includes(p))) {
      expect(() => renderCentosFiles({ ...ARTICLE_NET_TO_NET, profile }), profile.name).toThrow(/IKEv1 only/);
    }
  });
});
