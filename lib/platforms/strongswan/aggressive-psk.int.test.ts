// Issue 16 item 8 on lab routers whose charon is as stock as a real one: no aggressive-mode
// PSK override. A tunnel with the article's profile (IKEv1, aggressive mode first, PSK)
// is deployed through the app's job; the router answers only because the deploy pushed
// the product's own drop-in and reloaded the settings. Without that file the same router
// refuses, as a stock strongSwan does ("Aggressive Mode PSK disabled for security reasons").
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execInRouter, pingFromHost, type LabState } from "@/e2e/lab/lab";
import { runJobToEnd, startLabApp, stopLabApp } from "@/e2e/support/lab-jobs";
import { ARTICLE_LEGACY_PROFILE } from "../crypto-profiles";
import { AGGRESSIVE_PSK_PATH } from "./aggressive-psk";

const LAB = "h-demo-aggr";
let lab: LabState;
let admin: { id: string; username: string };
let gatewayIds: Map<string, string>;
let tunnelId: string;
let connection: string;

const sh = (router: string, script: string) => execInRouter(lab, router, ["bash", "-c", script]);
const lanPings = async (from: string, to: string) =>
  (await pingFromHost(lab, from, lab.routers.find((r) => r.name === to)!.lanHost.ip, { count: 3 })).received;

beforeAll(async () => {
  ({ lab, admin, gatewayIds } = await startLabApp({ name: LAB, sites: 2, platforms: ["strongswan"] }));
}, 120_000);

afterAll(async () => {
  await stopLabApp(LAB);
});

describe("aggressive-mode PSK on stock strongSwan routers", () => {
  it("the lab's strongSwan routers are stock: no aggressive-mode PSK override in their charon settings", async () => {
    for (const r of lab.routers) {
      const own = readFileSync(r.charonConf, "utf8");
      expect(own).toContain("include /etc/strongswan.d/*.conf");
      const included = (await sh(r.name, "cat /etc/strongswan.d/*.conf")).stdout;
      // Debian's charon.conf names it only in a comment, with its default (no).
      expect(own + included).not.toMatch(/^\s*i_dont_care_about_security_and_use_aggressive_mode_psk\s*=\s*yes/m);
    }
  });

  it("a deploy of the article's profile pushes the setting as a drop-in, reloads it, and the tunnel carries traffic", async () => {
    const { createTunnel } = await import("@/lib/inventory/host-tunnel");
    const { listCryptoProfiles } = await import("@/lib/db/inventory");
    const profile = (await listCryptoProfiles()).find((p) => p.name === ARTICLE_LEGACY_PROFILE.name)!;
    ({ tunnelId } = await createTunnel(admin, {
      kind: "net-to-net",
      gatewayAId: gatewayIds.get("hq")!,
      gatewayBId: gatewayIds.get("branch1")!,
      cryptoProfileId: profile.id,
      acceptWeakProfile: "on",
    }));
    const job = await runJobToEnd(admin, "deploy", { tunnelId });
    expect(job.error).toBeNull();
    expect(job.status).toBe("succeeded");
    const log = job.logs.map((l) => l.message).join("\n");
    expect(log).toContain("swanctl --reload-settings  → ok");
    for (const r of ["hq", "branch1"]) {
      const dropIn = await sh(r, `stat -c %a ${AGGRESSIVE_PSK_PATH} && cat ${AGGRESSIVE_PSK_PATH}`);
      expect(dropIn.stdout).toMatch(/^644\n/);
      expect(dropIn.stdout).toContain("i_dont_care_about_security_and_use_aggressive_mode_psk = yes");
    }
    const ike = (await sh("hq", "cat /run/charon.log")).stdout + (await sh("branch1", "cat /run/charon.log")).stdout;
    expect(ike).toMatch(/initiating Aggressive Mode IKE_SA/);
    expect(ike).not.toMatch(/Aggressive Mode PSK disabled/);
    expect(await lanPings("branch1", "hq")).toBe(3);
    connection = (await sh("hq", "swanctl --list-conns")).stdout.match(/^(gw-[^:]+):/m)![1]!;
  });

  it("without the product's drop-in the same stock responder refuses aggressive-mode PSK", async () => {
    for (const r of ["hq", "branch1"]) {
      const gone = await sh(
        r,
        `rm ${AGGRESSIVE_PSK_PATH} && swanctl --reload-settings && swanctl --terminate --ike ${connection} --timeout 10; true`,
      );
      expect(gone.code).toBe(0);
    }
    await sh("hq", ": > /run/charon.log");
    const initiate = await sh("branch1", `swanctl --initiate --child ${connection} --timeout 10`);
    expect(initiate.code).not.toBe(0);
    expect((await sh("hq", "cat /run/charon.log")).stdout).toContain("Aggressive Mode PSK disabled for security reasons");
    expect(await lanPings("branch1", "hq")).toBe(0);
  });
});
