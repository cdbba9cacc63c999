// Small adapters from stored rows and form input to what the pure checks need.
import { checkPrivateKey } from "@/lib/ssh/private-key";
import type { InventorySnapshot } from "@/lib/db/inventory-write";
import { cryptoProfileSchema } from "@/lib/platforms/crypto-profiles";
import { profileSupport } from "@/lib/platforms/profile-support";
import type { GatewayFacts } from "@/lib/inventory/tunnel-plan";

export function gatewayFactsFrom(g: InventorySnapshot["gateways"][number]): GatewayFacts {
  return {
    id: g.id,
    name: g.name,
    platform: g.platform,
    publicIp: g.publicIp,
    subnets: g.site.subnets.map((s) => s.cidr),
    usedInterfaces: g.tunnelEnds.map((e) => e.interfaceName),
    pairKeys: g.tunnelEnds.map((e) => e.tunnel.pairKey),
    phase2: g.tunnelEnds.map((e) => ({
      profileName: e.tunnel.cryptoProfile.name,
      signature: profileFacts(e.tunnel.cryptoProfile).phase2Signature,
    })),
  };
}

/** What the tunnel checks need of a stored profile; phase2Signature is equal iff the sainfo blocks are. */
export function profileFacts(p: { name: string; spec: string }): {
  name: string;
  ikeVersion: number;
  phase2Signature: string;
  support: { platform: string; reason: string | null }[];
} {
  const spec = JSON.parse(p.spec) as { ikeVersion?: number; esp?: unknown; childLifetimeSeconds?: number };
  const parsed = cryptoProfileSchema.safeParse(spec);
  return {
    name: p.name,
    ikeVersion: spec.ikeVersion ?? 2,
    phase2Signature: JSON.stringify([spec.esp ?? null, spec.childLifetimeSeconds ?? null]),
    // What each platform makes of the profile (a trial render): the plan refuses what a deploy would.
    support: parsed.success ? profileSupport(parsed.data).map((s) => ({ platform: s.platform, reason: s.reason })) : [],
  };
}

/**
 * The SSH credential to store, or null with a field error: a private key that ssh2
 * can parse, or a non-empty password (null without error for a named credential).
 */
export function checkCredential(
  input: { sshAuthType: "key" | "password" | "credential"; sshPrivateKey: string; sshPassword: string; sshCredentialId?: string },
  errors: Record<string, string>,
): string | null {
  // A named credential (lib/credentials): nothing of the gateway's own to store; the caller checks it exists.
  if (input.sshAuthType === "credential") {
    if (!input.sshCredentialId) errors.sshCredentialId = "Choose the SSH credential this gateway signs in with";
    return null;
  }
  if (input.sshAuthType === "key") {
    const check = checkPrivateKey(input.sshPrivateKey);
    if (!check.ok) {
      errors.sshPrivateKey = check.message;
      return null;
    }
    return input.sshPrivateKey.trim() + "\n";
  }
  if (!input.sshPassword) {
    errors.sshPassword = "Enter the SSH password for this user";
    return null;
  }
  if (input.sshPassword.length > 1024) {
    errors.sshPassword = "At most 1024 characters";
    return null;
  }
  return input.sshPassword;
}
