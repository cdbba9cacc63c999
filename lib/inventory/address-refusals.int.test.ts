// Addresses and names that must never reach a router's configuration, refused by the
// wizard's and the tunnel form's use cases with a field error and nothing written —
// on a real SQLite database, with every inventory table counted before and after.
import { beforeAll, describe, expect, it } from "vitest";
import { createAdmin, freshAppDatabase } from "@/e2e/support/app-db";
import { generateEd25519KeyPair } from "@/lib/ssh/keys";

let actor: { id: string; username: string };
let hubGatewayId = "";
let profileId = "";
const sshPrivateKey = generateEd25519KeyPair().privateKey;

const gatewayFields = {
  platform: "strongswan",
  sshPort: "22",
  sshUser: "root",
  sshAuthType: "key",
  sshPrivateKey,
  wanInterface: "eth0",
  lanInterface: "eth1",
};
const HUB = { siteName: "HQ", subnets: "10.1.0.0/24", gatewayName: "hq-gw", publicIp: "198.18.250.10", lanAddress: "10.1.0.254" };
const OSLO = { siteName: "Oslo", subnets: "10.2.0.0/24", gatewayName: "oslo-gw", publicIp: "198.18.250.20", lanAddress: "10.2.0.254" };
/** A valid new branch: each case changes one thing. */
const BERGEN = {
  siteName: "Bergen",
  subnets: "10.3.0.0/24",
  gatewayName: "bergen-gw",
  publicIp: "198.18.250.30",
  lanAddress: "10.3.0.254",
};

async function rowCounts() {
  const { getDb } = await import("@/lib/db/client");
  const db = getDb();
  const [sites, subnets, gateways, tunnels, tunnelEnds, keys, profiles, audit] = await Promise.all([
    db.site.count(),
    db.subnet.count(),
    db.gateway.count(),
    db.tunnel.count(),
    db.tunnelEnd.count(),
    db.presharedKey.count(),
    db.cryptoProfile.count(),
    db.auditEvent.count(),
  ]);
  return { sites, subnets, gateways, tunnels, tunnelEnds, keys, profiles, audit };
}

async function branch(fields: Record<string, string>) {
  const { createBranchOffice } = await import("@/lib/inventory/branch-office");
  return createBranchOffice(actor, { ...gatewayFields, role: "branch", hubGatewayId, cryptoProfileId: profileId, ...fields });
}

/** The use case's refusal: a ValidationError whose field errors are returned. */
async function refusal(p: Promise<unknown>): Promise<Record<string, string>> {
  const { ValidationError } = await import("@/lib/errors");
  const error = await p.then(
    () => expect.unreachable("expected a refusal"),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ValidationError);
  return (error as InstanceType<typeof ValidationError>).fieldErrors;
}

beforeAll(async () => {
  delete process.env.DATABASE_URL;
  await freshAppDatabase();
  actor = await createAdmin();
  const { createBranchOffice } = await import("@/lib/inventory/branch-office");
  const { getDb } = await import("@/lib/db/client");
  const db = getDb();
  profileId = (await db.cryptoProfile.findFirstOrThrow({ where: { name: "Modern" } })).id;
  await createBranchOffice(actor, { ...gatewayFields, ...HUB, role: "hub" });
  hubGatewayId = (await db.gateway.findUniqueOrThrow({ where: { name: HUB.gatewayName } })).id;
  await branch(OSLO);
});

describe("the branch-office wizard refuses, writing nothing", () => {
  const cases: [string, Record<string, string>, string, RegExp][] = [
    [
      "a LAN containing the hub's public address",
      { subnets: "198.18.250.0/24", lanAddress: "198.18.250.254", publicIp: "198.18.251.30" },
      "subnets",
      /198\.18\.250\.0\/24 contains 198\.18\.250\.10, the public address of hq-gw \(HQ\)/,
    ],
    [
      "a LAN containing another branch's public address",
      { subnets: "198.18.250.16/29", lanAddress: "198.18.250.17" },
      "subnets",
      /contains 198\.18\.250\.20, the public address of oslo-gw \(Oslo\)/,
    ],
    [
      "a LAN containing the new gateway's own public address",
      { subnets: "10.3.0.0/24", publicIp: "10.3.0.1" },
      "subnets",
      /contains 10\.3\.0\.1, the public address of this gateway/,
    ],
    ["a loopback LAN", { subnets: "127.0.0.0/8", lanAddress: "127.0.0.254" }, "subnets", /loopback/],
    ["a multicast LAN", { subnets: "224.1.1.0/24", lanAddress: "224.1.1.254" }, "subnets", /multicast/],
    ["a link-local LAN", { subnets: "169.254.10.0/24", lanAddress: "169.254.10.254" }, "subnets", /link-local/],
    ["a LAN in 0.0.0.0/8", { subnets: "0.1.0.0/16", lanAddress: "0.1.0.254" }, "subnets", /this network/],
    ["a LAN of everything", { subnets: "0.0.0.0/0", lanAddress: "10.3.0.254" }, "subnets", /0\.0\.0\.0\/0 includes 0\.0\.0\.0\/8/],
    ["a LAN address that is the subnet's network address", { lanAddress: "10.3.0.0" }, "lanAddress", /network address of 10\.3\.0\.0\/24/],
    [
      "a LAN address that is the subnet's broadcast address",
      { lanAddress: "10.3.0.255" },
      "lanAddress",
      /broadcast address of 10\.3\.0\.0\/24/,
    ],
    ["a link-local public address", { publicIp: "169.254.1.1" }, "publicIp", /link-local/],
    [
      "a public address inside another site's LAN",
      { publicIp: "10.2.0.5" },
      "publicIp",
      /10\.2\.0\.5 is inside 10\.2\.0\.0\/24, a LAN of Oslo/,
    ],
    ["a site name that differs only in case", { siteName: "hq" }, "siteName", /“hq” looks like the existing site “HQ”/],
    ["a site name with a Cyrillic look-alike letter", { siteName: "\u041dQ" }, "siteName", /looks like the existing site “HQ”/],
    ["a fullwidth site name", { siteName: "ＨＱ" }, "siteName", /already exists/],
    [
      "a gateway name that differs only in case",
      { gatewayName: "HQ-GW" },
      "gatewayName",
      /“HQ-GW” looks like the existing gateway “hq-gw”/,
    ],
    ["a gateway name with a look-alike digit", { gatewayName: "0slo-gw" }, "gatewayName", /looks like the existing gateway “oslo-gw”/],
    [
      "a probe target outside the site's LAN",
      { probeTarget: "10.2.0.10" },
      "probeTarget",
      /10\.2\.0\.10 is not inside this site's LAN subnets \(10\.3\.0\.0\/24\)/,
    ],
    ["a probe target that is the gateway's own LAN address", { probeTarget: "10.3.0.254" }, "probeTarget", /the gateway's own LAN address/],
    ["a probe target that is not one address", { probeTarget: "10.3.0.10 -f" }, "probeTarget", /Enter an IPv4 address/],
  ];

  it.each(cases)("%s", async (_label, change, field, message) => {
    const before = await rowCounts();
    const errors = await refusal(branch({ ...BERGEN, ...change }));
    expect(errors[field]).toMatch(message);
    expect(await rowCounts()).toEqual(before);
  });

  it("still adds the valid branch those cases were made from", async () => {
    const before = await rowCounts();
    const { siteId } = await branch({ ...BERGEN, probeTarget: "10.3.0.10" });
    expect((await rowCounts()).sites).toBe(before.sites + 1);
    const { getSite } = await import("@/lib/db/inventory");
    expect((await getSite(siteId))!.probeTarget).toBe("10.3.0.10");
  });
});

describe("the tunnel form refuses, writing nothing", () => {
  it("a net-to-net tunnel whose LAN on one side holds the other side's public address (data from before these checks)", async () => {
    const { getDb } = await import("@/lib/db/client");
    const { createTunnel } = await import("@/lib/inventory/host-tunnel");
    const db = getDb();
    // A site whose LAN was accepted before the wizard refused it: written directly.
    const bergen = await db.gateway.findUniqueOrThrow({ where: { name: BERGEN.gatewayName }, select: { id: true, siteId: true } });
    const oslo = await db.gateway.findUniqueOrThrow({ where: { name: OSLO.gatewayName }, select: { id: true } });
    await db.subnet.updateMany({ where: { siteId: bergen.siteId }, data: { cidr: "198.18.250.16/29" } });
    const before = await rowCounts();
    const errors = await refusal(
      createTunnel(actor, { kind: "net-to-net", gatewayAId: bergen.id, gatewayBId: oslo.id, cryptoProfileId: profileId }),
    );
    expect(errors.gatewayBId).toMatch(/bergen-gw's LAN 198\.18\.250\.16\/29 contains 198\.18\.250\.20, the public address of oslo-gw/);
    expect(await rowCounts()).toEqual(before);
    await db.subnet.updateMany({ where: { siteId: bergen.siteId }, data: { cidr: BERGEN.subnets } });
  });
});

describe("crypto profiles refuse lifetimes written other than in digits, writing nothing", () => {
  it.each(["1e3", "0x12C"])("%s", async (lifetime) => {
    const { addCryptoProfile } = await import("@/lib/inventory/crypto-profiles");
    const fd = new FormData();
    const fields: Record<string, string> = {
      name: `Lifetime ${lifetime}`,
      ikeVersion: "2",
      "ike.encryption": "aes256",
      "ike.integrity": "sha256",
      "ike.dhGroup": "14",
      "esp.encryption": "aes256",
      "esp.integrity": "sha256",
      "esp.pfsGroup": "14",
      ikeLifetimeSeconds: lifetime,
      childLifetimeSeconds: "3600",
    };
    for (const [k, v] of Object.entries(fields)) fd.append(k, v);
    const before = await rowCounts();
    const errors = await refusal(addCryptoProfile(actor, fd));
    expect(errors.ikeLifetimeSeconds).toMatch(/Whole seconds from 300/);
    expect(await rowCounts()).toEqual(before);
  });
});
