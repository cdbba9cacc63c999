// Gatewarden must not be usable as a port scanner of its own machine: an SSH address on
// loopback, link-local or one of the server's own addresses is refused by the forms, and
// "Check host key" (and every other connection) refuses it too — even when the row was
// written before these checks, or a host name resolves there — without opening a socket.
// Real SQLite database; a TCP listener on 127.0.0.1 counts what reaches it.
import { createServer, type Server } from "node:net";
import { networkInterfaces } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdmin, freshAppDatabase } from "@/e2e/support/app-db";
import { generateEd25519KeyPair } from "@/lib/ssh/keys";

let actor: { id: string; username: string };
let listener: Server;
let port = 0;
let connections = 0;
let gatewayId = "";
const sshPrivateKey = generateEd25519KeyPair().privateKey;
/** A non-loopback IPv4 address of this machine (eth0's, or a lab veth's). */
const ownAddress = Object.values(networkInterfaces())
  .flat()
  .find((a) => a && a.family === "IPv4" && !a.internal)?.address;

const SITE = {
  siteName: "Target HQ",
  subnets: "10.81.0.0/24",
  gatewayName: "target-hq-gw",
  platform: "strongswan",
  publicIp: "198.18.81.10",
  sshPort: "22",
  sshUser: "root",
  sshAuthType: "key",
  sshPrivateKey,
  wanInterface: "eth0",
  lanInterface: "eth1",
  lanAddress: "10.81.0.254",
  role: "hub",
};

async function refusal(p: Promise<unknown>): Promise<Record<string, string>> {
  const { ValidationError } = await import("@/lib/errors");
  const e = await p.then(
    () => expect.unreachable("expected a refusal"),
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ValidationError);
  return (e as InstanceType<typeof ValidationError>).fieldErrors;
}

beforeAll(async () => {
  delete process.env.GATEWARDEN_ALLOW_SSH_TARGETS;
  delete process.env.DATABASE_URL;
  await freshAppDatabase();
  actor = await createAdmin();
  listener = createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => listener.listen(0, "127.0.0.1", resolve));
  port = (listener.address() as { port: number }).port;
  const { createBranchOffice } = await import("@/lib/inventory/branch-office");
  await createBranchOffice(actor, SITE);
  const { getDb } = await import("@/lib/db/client");
  gatewayId = (await getDb().gateway.findUniqueOrThrow({ where: { name: SITE.gatewayName } })).id;
});

afterAll(async () => {
  await new Promise((resolve) => listener.close(resolve));
});

const targets = (): [string, string, RegExp][] => [
  ["the loopback address", "127.0.0.1", /loopback/],
  ["another loopback address", "127.0.0.53", /loopback/],
  ["localhost", "localhost", /loopback/],
  ["a name under .localhost", "gw.localhost", /loopback/],
  ["0.0.0.0, which reaches this server", "0.0.0.0", /this server/],
  ["the cloud metadata address", "169.254.169.254", /link-local/],
  ...(ownAddress ? [["one of this server's own addresses", ownAddress, /an address of this server/] as [string, string, RegExp]] : []),
];

describe("the forms refuse an SSH address on this server, writing nothing", () => {
  it.each(targets())("the SSH access form: %s", async (_label, host, message) => {
    const { updateGatewaySshAccess } = await import("@/lib/inventory/edit-inventory");
    const { getDb } = await import("@/lib/db/client");
    const before = await getDb().gateway.findUniqueOrThrow({ where: { id: gatewayId } });
    const errors = await refusal(
      updateGatewaySshAccess(actor, gatewayId, { sshHost: host, sshPort: String(port), sshUser: "root", sshAuthType: "key" }),
    );
    expect(errors.sshHost).toMatch(message);
    expect(await getDb().gateway.findUniqueOrThrow({ where: { id: gatewayId } })).toEqual(before);
  });

  it.each(targets())("the wizard: %s", async (_label, host, message) => {
    const { createBranchOffice } = await import("@/lib/inventory/branch-office");
    const { getDb } = await import("@/lib/db/client");
    const before = await getDb().gateway.count();
    const errors = await refusal(
      createBranchOffice(actor, {
        ...SITE,
        siteName: "Target branch",
        gatewayName: "target-b-gw",
        publicIp: "198.18.81.11",
        subnets: "10.81.1.0/24",
        lanAddress: "10.81.1.254",
        sshHost: host,
      }),
    );
    expect(errors.sshHost).toMatch(message);
    expect(await getDb().gateway.count()).toBe(before);
  });

  it("the wizard: a public address that is one of this server's, used as the SSH address", async () => {
    if (!ownAddress) return;
    const { createBranchOffice } = await import("@/lib/inventory/branch-office");
    const errors = await refusal(
      createBranchOffice(actor, {
        ...SITE,
        siteName: "Target branch",
        gatewayName: "target-b-gw",
        publicIp: ownAddress,
        subnets: "10.81.1.0/24",
        lanAddress: "10.81.1.254",
      }),
    );
    expect(errors.sshHost ?? errors.publicIp).toMatch(/an address of this server/);
  });
});

describe("connections refuse them too, before opening a socket", () => {
  it.each(targets())("Check host key on a stored row (written before these checks): %s", async (_label, host, message) => {
    const { getDb } = await import("@/lib/db/client");
    const { checkHostKey } = await import("@/lib/inventory/host-key");
    await getDb().gateway.update({ where: { id: gatewayId }, data: { sshHost: host, sshPort: port } });
    const seen = connections;
    const e = await checkHostKey(gatewayId).then(
      () => expect.unreachable("expected a refusal"),
      (err: unknown) => err as { code?: string; userMessage?: string },
    );
    expect(e.code).toBe("target-refused");
    expect(e.userMessage).toMatch(message);
    expect(e.userMessage).toMatch(/GATEWARDEN_ALLOW_SSH_TARGETS/);
    expect(connections).toBe(seen);
    expect(await getDb().gateway.findUniqueOrThrow({ where: { id: gatewayId }, select: { reachability: true } })).toEqual({
      reachability: "unreachable",
    });
  });

  it("a session for a deploy or health check (openSession) is refused the same way", async () => {
    const { openSession } = await import("@/lib/ssh/session");
    const seen = connections;
    const e = await openSession({
      host: "127.0.0.1",
      port,
      username: "root",
      credential: { type: "key", privateKey: sshPrivateKey },
      pinnedFingerprint: null,
    }).then(
      () => expect.unreachable("expected a refusal"),
      (err: unknown) => err as { code?: string },
    );
    expect(e.code).toBe("target-refused");
    expect(connections).toBe(seen);
  });
});
