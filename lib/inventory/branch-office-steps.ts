// The branch-office wizard's steps and the fields each one asks for. Pure and shared:
// the wizard renders its steps from it, the server's step check answers only for the
// steps the person has reached, and a refused submit opens the first step with an error.

export const WIZARD_STEPS = [
  { title: "Site", fields: ["siteName", "description", "subnets", "probeTarget"] },
  { title: "Gateway", fields: ["gatewayName", "platform", "ipsecStack", "publicIp", "lanAddress", "wanInterface", "lanInterface"] },
  { title: "SSH access", fields: ["sshHost", "sshPort", "sshUser", "sshAuthType", "sshCredentialId", "sshPrivateKey", "sshPassword"] },
  {
    title: "Tunnel",
    fields: ["role", "hubGatewayId", "cryptoProfileId", "acceptWeakProfile", "localInterface", "hubInterface", "pskMode", "pskValue"],
  },
] as const;

export const LAST_STEP = WIZARD_STEPS.length - 1;

/**
 * The errors a person on step `step` should see before going on: those of this step and
 * the ones before it (a rule may tie a field of an earlier step to one of this step, such
 * as a LAN that holds the gateway's public address). Later steps are not filled in yet.
 */
export function errorsUpToStep(errors: Record<string, string>, step: number): Record<string, string> {
  const fields = new Set<string>(WIZARD_STEPS.slice(0, step + 1).flatMap((s) => s.fields));
  return Object.fromEntries(Object.entries(errors).filter(([field]) => fields.has(field) || field === "form"));
}

/** The first step holding one of these errors, or -1. */
export function firstStepWithError(errors: Record<string, string>): number {
  return WIZARD_STEPS.findIndex((s) => s.fields.some((f) => errors[f]));
}
