// The "Add branch office" wizard: one form creates a site, its LAN subnets, its
// gateway and (for a branch) the net-to-net tunnel to the hub with a fresh PSK, in
// one transaction, or writes nothing and says which fields are wrong.
import "server-only";
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { cidrContains, ipv4Schema, lanHostAddressProblem, lanSubnetSchema, publicEndpointIpSchema } from "@/lib/domain/ip";
import {
  ifaceNameSchema,
  ipsecIfaceSchema,
  nameLookalike,
  portSchema,
  siteNameSchema,
  sshHostSchema,
  sshUserSchema,
} from "@/lib/domain/names";
import { findSubnetOverlaps } from "@/lib/domain/overlap";
import { encryptSecret } from "@/lib/secrets/envelope";
import { generatePsk, pskSchema } from "@/lib/secrets/psk";
import { getKeyring, secretPurpose } from "@/lib/config/keyring";
import { runInTransaction } from "@/lib/db/client";
import { recordAudit, type AuditActor } from "@/lib/db/audit";
import { credentialExists } from "@/lib/db/ssh-credentials";
import { insertSiteWithGateway, insertTunnel, loadInventorySnapshot } from "@/lib/db/inventory-write";
import { optionalField, splitLines, zodFieldErrors } from "@/lib/inventory/form-state";
import { checkCredential, gatewayFactsFrom, profileFacts } from "@/lib/inventory/gateway-facts";
import { acknowledgedWeakProfile, weakProfileRefusal } from "@/lib/inventory/profile-choice";
import { dangersOf } from "@/lib/inventory/profile-lint";
import { parseProfileSpec } from "@/lib/db/crypto-profiles";
import { planTunnel } from "@/lib/inventory/tunnel-plan";
import { getPlatform, PLATFORM_IDS } from "@/lib/platforms";
import { sshHostProblem } from "@/lib/ssh/target-policy";
import { ValidationError } from "@/lib/errors";

export const branchOfficeSchema = z.object({
  siteName: siteNameSchema,
  description: z.string().trim().max(500, "At most 500 characters").default(""),
  subnets: z.string().default(""),
  gatewayName: siteNameSchema,
  platform: z.enum(PLATFORM_IDS, { error: "Choose the gateway's platform" }),
  /** Empty: the platform's default stack (kernel). */
  ipsecStack: z.enum(["", "kernel", "libipsec"], { error: "Choose where the router does IPsec" }).default(""),
  publicIp: publicEndpointIpSchema,
  sshHost: optionalField(sshHostSchema),
  sshPort: portSchema,
  sshUser: sshUserSchema,
  sshAuthType: z.enum(["credential", "key", "password"], { error: "Choose how Gatewarden signs in" }),
  /** With sshAuthType "credential": the named SSH credential (lib/credentials). */
  sshCredentialId: z.string().default(""),
  sshPrivateKey: z.string().default(""),
  sshPassword: z.string().default(""),
  wanInterface: ifaceNameSchema,
  lanInterface: ifaceNameSchema,
  lanAddress: ipv4Schema,
  role: z.enum(["hub", "branch"], { error: "Choose whether this site is the hub or a branch" }),
  hubGatewayId: z.string().default(""),
  cryptoProfileId: z.string().default(""),
  localInterface: optionalField(ipsecIfaceSchema),
  hubInterface: optionalField(ipsecIfaceSchema),
  pskMode: z.enum(["generate", "custom"]).default("generate"),
  pskValue: z.string().default(""),
  acceptWeakProfile: z.string().default(""),
});

export type BranchOfficeInput = z.infer<typeof branchOfficeSchema>;

function checkSubnets(text: string, errors: Record<string, string>): string[] {
  const lines = splitLines(text);
  if (lines.length === 0) errors.subnets = "Enter at least one LAN subnet, e.g. 192.168.10.0/24";
  if (lines.length > 32) errors.subnets = "At most 32 subnets per site";
  const cidrs: string[] = [];
  for (const line of lines) {
    const r = lanSubnetSchema.safeParse(line);
    if (!r.success) {
      errors.subnets ??= r.error.issues[0]?.message ?? `“${line}” is not a subnet`;
    } else cidrs.push(line);
  }
  return cidrs;
}

function nameTaken(what: "site" | "gateway", name: string, existing: string): string {
  if (name === existing) return `A ${what} named “${name}” already exists`;
  return `“${name}” looks like the existing ${what} “${existing}” (same letters in another case or a look-alike character); choose a name that reads differently`;
}

export async function createBranchOffice(actor: AuditActor, raw: Record<string, string>): Promise<{ siteId: string }> {
  const parsed = branchOfficeSchema.safeParse(raw);
  const errors: Record<string, string> = parsed.success ? {} : zodFieldErrors(parsed.error);
  const subnets = checkSubnets(raw.subnets ?? "", errors);
  if (!parsed.success) throw new ValidationError(errors);
  const input = parsed.data;
  const credential = checkCredential(input, errors);
  const { ipsecStacks } = getPlatform(input.platform).capabilities;
  const ipsecStack = input.ipsecStack || ipsecStacks[0];
  if (!(ipsecStacks as string[]).includes(ipsecStack)) {
    errors.ipsecStack = `${getPlatform(input.platform).shortLabel} routers do IPsec in the kernel only`;
  }
  const lanSubnet = subnets.find((c) => cidrContains(c, input.lanAddress));
  if (subnets.length && !lanSubnet) {
    errors.lanAddress = `${input.lanAddress} is not inside ${subnets.join(", ")}; the gateway's LAN address must be on its LAN`;
  }
  const hostProblem = lanSubnet ? lanHostAddressProblem(input.lanAddress, lanSubnet) : null;
  if (hostProblem) errors.lanAddress = hostProblem;
  const ownEndpointLan = subnets.find((c) => cidrContains(c, input.publicIp));
  if (ownEndpointLan) {
    errors.subnets ??= `${ownEndpointLan} contains ${input.publicIp}, the public address of this gateway: the tunnel would route its own packets into itself`;
  }
  const sshTarget = await sshHostProblem(input.sshHost ?? input.publicIp);
  if (sshTarget) errors.sshHost = sshTarget;
  let psk: string | null = null;
  if (input.role === "branch") {
    if (input.pskMode === "custom") {
      const r = pskSchema.safeParse(input.pskValue);
      if (r.success) psk = input.pskValue;
      else errors.pskValue = r.error.issues[0]?.message ?? "That key is not usable";
    } else psk = generatePsk();
  }
  if (Object.keys(errors).length) throw new ValidationError(errors);

  const keyring = getKeyring();
  const gatewayId = randomUUID();
  const sshSecretEnc =
    input.sshAuthType === "credential" ? "" : encryptSecret(credential!, keyring, secretPurpose.sshCredential(gatewayId));

  return runInTransaction(async (tx) => {
    const snap = await loadInventorySnapshot(tx);
    const siteTwin = nameLookalike(
      input.siteName,
      snap.sites.map((s) => s.name),
    );
    if (siteTwin !== null) errors.siteName = nameTaken("site", input.siteName, siteTwin);
    const gatewayTwin = nameLookalike(
      input.gatewayName,
      snap.gateways.map((g) => g.name),
    );
    if (gatewayTwin !== null) errors.gatewayName = nameTaken("gateway", input.gatewayName, gatewayTwin);
    const ipOwner = snap.gateways.find((g) => g.publicIp === input.publicIp);
    if (ipOwner) errors.publicIp = `${input.publicIp} is already the endpoint of ${ipOwner.name}`;
    const lanHoldingIp = snap.subnets.find((s) => cidrContains(s.cidr, input.publicIp));
    if (lanHoldingIp)
      errors.publicIp ??= `${input.publicIp} is inside ${lanHoldingIp.cidr}, a LAN of ${lanHoldingIp.site.name}; a tunnel endpoint must be outside every site's LAN`;
    // A LAN holding another gateway's endpoint would pull that gateway's tunnel packets
    // (on a hub: every branch's) into this site's tunnel.
    const endpointInLan = snap.gateways.flatMap((g) => subnets.filter((c) => cidrContains(c, g.publicIp)).map((cidr) => ({ cidr, g })))[0];
    if (endpointInLan) {
      const { cidr, g } = endpointInLan;
      errors.subnets ??= `${cidr} contains ${g.publicIp}, the public address of ${g.name} (${g.site.name}); its tunnels' packets would be routed into this site's tunnel`;
    }
    const overlaps = findSubnetOverlaps(
      subnets,
      snap.subnets.map((s) => ({ cidr: s.cidr, label: s.site.name })),
    );
    if (overlaps[0]) {
      const o = overlaps[0];
      errors.subnets = `${o.cidr} overlaps ${o.conflictsWith} (${o.label})`;
    }
    let tunnelPlan: Extract<ReturnType<typeof planTunnel>, { ok: true }> | null = null;
    let profileId = "";
    if (input.role === "branch") {
      const hub = snap.gateways.find((g) => g.id === input.hubGatewayId);
      const profile = snap.profiles.find((p) => p.id === input.cryptoProfileId);
      if (!hub) errors.hubGatewayId = "Choose the hub gateway this branch connects to";
      if (!profile) errors.cryptoProfileId = "Choose a crypto profile";
      const weak = profile
        ? weakProfileRefusal(
            { name: profile.name, dangers: dangersOf(parseProfileSpec(profile.spec)) },
            acknowledgedWeakProfile(input.acceptWeakProfile),
          )
        : null;
      if (weak) errors.cryptoProfileId = weak;
      if (hub && profile) {
        const self = {
          id: "new",
          name: input.gatewayName,
          platform: input.platform,
          publicIp: input.publicIp,
          subnets,
          usedInterfaces: [],
          pairKeys: [],
          phase2: [],
        };
        const plan = planTunnel({
          kind: "net-to-net",
          a: self,
          b: gatewayFactsFrom(hub),
          interfaceA: input.localInterface,
          interfaceB: input.hubInterface,
          profile: profileFacts(profile),
        });
        if (plan.ok) tunnelPlan = plan;
        else {
          const e = plan.errors;
          if (e.peer) errors.hubGatewayId = e.peer;
          if (e.interfaceA) errors.localInterface = e.interfaceA;
          if (e.interfaceB) errors.hubInterface = e.interfaceB;
          if (e.cryptoProfileId) errors.cryptoProfileId = e.cryptoProfileId;
        }
        profileId = profile.id;
      }
    }
    if (input.sshAuthType === "credential" && !(await credentialExists(tx, input.sshCredentialId))) {
      errors.sshCredentialId = "That SSH credential no longer exists; choose another";
    }
    if (Object.keys(errors).length) throw new ValidationError(errors);

    const { siteId } = await insertSiteWithGateway(tx, {
      siteName: input.siteName,
      description: input.description,
      subnets,
      gateway: {
        id: gatewayId,
        name: input.gatewayName,
        platform: input.platform,
        publicIp: input.publicIp,
        sshHost: input.sshHost ?? input.publicIp,
        sshPort: input.sshPort,
        sshUser: input.sshUser,
        sshAuthType: input.sshAuthType,
        sshSecretEnc,
        sshCredentialId: input.sshAuthType === "credential" ? input.sshCredentialId : null,
        wanInterface: input.wanInterface,
        lanInterface: input.lanInterface,
        lanAddress: input.lanAddress,
        ipsecStack,
      },
    });
    const snapshot = {
      site: input.siteName,
      subnets,
      gateway: input.gatewayName,
      platform: input.platform,
      ipsecStack,
      publicIp: input.publicIp,
    };
    await recordAudit(tx, actor, {
      action: "site.create",
      targetType: "site",
      targetId: siteId,
      summary: `Added site ${input.siteName} with gateway ${input.gatewayName}`,
      after: snapshot,
    });
    if (tunnelPlan && psk) {
      const tunnelId = randomUUID();
      const hubId = input.hubGatewayId;
      await insertTunnel(tx, {
        id: tunnelId,
        kind: "net-to-net",
        pairKey: [gatewayId, hubId].sort().join(":"),
        cryptoProfileId: profileId,
        ends: [
          { gatewayId, role: "a", interfaceName: tunnelPlan.interfaceA },
          { gatewayId: hubId, role: "b", interfaceName: tunnelPlan.interfaceB },
        ],
        pskEnc: encryptSecret(psk, keyring, secretPurpose.psk(tunnelId, 1)),
      });
      await recordAudit(tx, actor, {
        action: "tunnel.create",
        targetType: "tunnel",
        targetId: tunnelId,
        summary: `Added net-to-net tunnel ${input.gatewayName} ↔ hub (${tunnelPlan.interfaceA}/${tunnelPlan.interfaceB}) with PSK version 1`,
        after: { kind: "net-to-net", interfaces: [tunnelPlan.interfaceA, tunnelPlan.interfaceB], pskMode: input.pskMode },
      });
    }
    return { siteId };
  });
}
