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
import { parseProbeTarget } from "@/lib/domain/probe-target";
import { encryptSecret } from "@/lib/secrets/envelope";
import { generatePsk, pskSchema } from "@/lib/secrets/psk";
import { getKeyring, secretPurpose } from "@/lib/config/keyring";
import { runInTransaction } from "@/lib/db/client";
import { recordAudit, type AuditActor } from "@/lib/db/audit";
import { insertSiteWithGateway, insertTunnel, loadInventorySnapshot, readInventorySnapshot } from "@/lib/db/inventory-write";
import { optionalField, splitLines } from "@/lib/inventory/form-state";
import { errorsUpToStep } from "@/lib/inventory/branch-office-steps";
import { credentialExists } from "@/lib/db/ssh-credentials";
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
  /** A host on the site's LAN that health pings through the site's tunnels; empty: none (router to router only). */
  probeTarget: z.string().default(""),
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

type Fields = Partial<BranchOfficeInput>;
type Snapshot = Awaited<ReturnType<typeof loadInventorySnapshot>>;
type TunnelPlanOk = Extract<ReturnType<typeof planTunnel>, { ok: true }>;

/**
 * The rules that need no database, all in one round: each field is parsed on its own
 * (so one bad field does not hide the others' errors), and a rule that ties fields
 * together runs when those fields are valid.
 */
async function checkOfficeFields(raw: Record<string, string>, errors: Record<string, string>) {
  const v: Fields = {};
  const shape = branchOfficeSchema.shape;
  for (const key of Object.keys(shape) as (keyof typeof shape)[]) {
    const r = shape[key].safeParse(raw[key]);
    if (r.success) (v as Record<string, unknown>)[key] = r.data;
    else errors[key] ??= r.error.issues[0]?.message ?? "This value is not valid";
  }
  const subnets = checkSubnets(raw.subnets ?? "", errors);
  const credential = v.sshAuthType
    ? checkCredential(
        {
          sshAuthType: v.sshAuthType,
          sshPrivateKey: v.sshPrivateKey ?? "",
          sshPassword: v.sshPassword ?? "",
          sshCredentialId: v.sshCredentialId ?? "",
        },
        errors,
      )
    : null;
  let ipsecStack: string | undefined;
  if (v.platform && v.ipsecStack !== undefined) {
    const { ipsecStacks } = getPlatform(v.platform).capabilities;
    ipsecStack = v.ipsecStack || ipsecStacks[0];
    if (!(ipsecStacks as string[]).includes(ipsecStack)) {
      errors.ipsecStack = `${getPlatform(v.platform).shortLabel} routers do IPsec in the kernel only`;
    }
  }
  if (v.lanAddress) {
    const lanSubnet = subnets.find((c) => cidrContains(c, v.lanAddress!));
    if (subnets.length && !lanSubnet) {
      errors.lanAddress = `${v.lanAddress} is not inside ${subnets.join(", ")}; the gateway's LAN address must be on its LAN`;
    }
    const hostProblem = lanSubnet ? lanHostAddressProblem(v.lanAddress, lanSubnet) : null;
    if (hostProblem) errors.lanAddress = hostProblem;
  }
  const probe = parseProbeTarget(v.probeTarget ?? "", { subnets, lanAddress: v.lanAddress ?? null });
  if (!probe.ok) errors.probeTarget = probe.message;
  const probeTarget = probe.ok ? probe.value : null;
  const ownEndpointLan = v.publicIp ? subnets.find((c) => cidrContains(c, v.publicIp!)) : undefined;
  if (ownEndpointLan) {
    errors.subnets ??= `${ownEndpointLan} contains ${v.publicIp}, the public address of this gateway: the tunnel would route its own packets into itself`;
  }
  const sshHost = v.sshHost ?? v.publicIp;
  if (sshHost && !errors.sshHost) {
    const sshTarget = await sshHostProblem(sshHost);
    if (sshTarget) errors.sshHost = sshTarget;
  }
  let psk: string | null = null;
  if (v.role === "branch") {
    if (v.pskMode === "custom") {
      const r = pskSchema.safeParse(v.pskValue ?? "");
      if (r.success) psk = v.pskValue!;
      else errors.pskValue = r.error.issues[0]?.message ?? "That key is not usable";
    } else if (v.pskMode === "generate") psk = generatePsk();
  }
  return { v, subnets, credential, ipsecStack, psk, probeTarget };
}

/** The rules against the stored inventory (names, addresses, LANs, the tunnel to the hub). */
function checkOfficeAgainstInventory(snap: Snapshot, v: Fields, subnets: string[], errors: Record<string, string>) {
  const siteTwin = v.siteName
    ? nameLookalike(
        v.siteName,
        snap.sites.map((s) => s.name),
      )
    : null;
  if (siteTwin !== null) errors.siteName = nameTaken("site", v.siteName!, siteTwin);
  const gatewayTwin = v.gatewayName
    ? nameLookalike(
        v.gatewayName,
        snap.gateways.map((g) => g.name),
      )
    : null;
  if (gatewayTwin !== null) errors.gatewayName = nameTaken("gateway", v.gatewayName!, gatewayTwin);
  if (v.publicIp) {
    const ipOwner = snap.gateways.find((g) => g.publicIp === v.publicIp);
    if (ipOwner) errors.publicIp = `${v.publicIp} is already the endpoint of ${ipOwner.name}`;
    const lanHoldingIp = snap.subnets.find((s) => cidrContains(s.cidr, v.publicIp!));
    if (lanHoldingIp)
      errors.publicIp ??= `${v.publicIp} is inside ${lanHoldingIp.cidr}, a LAN of ${lanHoldingIp.site.name}; a tunnel endpoint must be outside every site's LAN`;
  }
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
  let tunnelPlan: TunnelPlanOk | null = null;
  let profileId = "";
  if (v.role === "branch") {
    const hub = snap.gateways.find((g) => g.id === v.hubGatewayId);
    const profile = snap.profiles.find((p) => p.id === v.cryptoProfileId);
    if (!hub) errors.hubGatewayId = "Choose the hub gateway this branch connects to";
    if (!profile) errors.cryptoProfileId = "Choose a crypto profile";
    const weak = profile
      ? weakProfileRefusal(
          { name: profile.name, dangers: dangersOf(parseProfileSpec(profile.spec)) },
          acknowledgedWeakProfile(v.acceptWeakProfile ?? ""),
        )
      : null;
    if (weak) errors.cryptoProfileId = weak;
    // The plan needs this gateway's own facts, asked for on the earlier steps.
    if (hub && profile && v.gatewayName && v.platform && v.publicIp) {
      const self = {
        id: "new",
        name: v.gatewayName,
        platform: v.platform,
        publicIp: v.publicIp,
        subnets,
        usedInterfaces: [],
        pairKeys: [],
        phase2: [],
      };
      const plan = planTunnel({
        kind: "net-to-net",
        a: self,
        b: gatewayFactsFrom(hub),
        interfaceA: v.localInterface,
        interfaceB: v.hubInterface,
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
  return { tunnelPlan, profileId };
}

/**
 * The wizard's Next: every rule of the final submit, run without writing, answering for
 * the steps up to `step` (lib/inventory/branch-office-steps). Empty when the person may go on.
 */
export async function checkBranchOfficeStep(raw: Record<string, string>, step: number): Promise<Record<string, string>> {
  const errors: Record<string, string> = {};
  const { v, subnets } = await checkOfficeFields(raw, errors);
  checkOfficeAgainstInventory(await readInventorySnapshot(), v, subnets, errors);
  return errorsUpToStep(errors, step);
}

export async function createBranchOffice(actor: AuditActor, raw: Record<string, string>): Promise<{ siteId: string }> {
  const errors: Record<string, string> = {};
  const fields = await checkOfficeFields(raw, errors);
  const { v, subnets, credential, psk } = fields;

  // Encrypted before the transaction (as little as possible runs while it holds SQLite's
  // write lock), and only for an office the field rules let through.
  const gatewayId = randomUUID();
  const sshSecretEnc =
    credential && Object.keys(errors).length === 0 ? encryptSecret(credential, getKeyring(), secretPurpose.sshCredential(gatewayId)) : "";

  return runInTransaction(async (tx) => {
    const { tunnelPlan, profileId } = checkOfficeAgainstInventory(await loadInventorySnapshot(tx), v, subnets, errors);
    if (v.sshAuthType === "credential" && v.sshCredentialId && !(await credentialExists(tx, v.sshCredentialId))) {
      errors.sshCredentialId = "That SSH credential no longer exists; choose another";
    }
    if (Object.keys(errors).length) throw new ValidationError(errors);
    // No field error: every field parsed, so the office is whole.
    const input = v as BranchOfficeInput;
    const ipsecStack = fields.ipsecStack!;

    const { siteId } = await insertSiteWithGateway(tx, {
      siteName: input.siteName,
      description: input.description,
      subnets,
      probeTarget: fields.probeTarget,
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
      probeTarget: fields.probeTarget,
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
        pskEnc: encryptSecret(psk, getKeyring(), secretPurpose.psk(tunnelId, 1)),
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
