// Which addresses Gatewarden may open SSH connections to: not this server's loopback,
// link-local or own addresses (GATEWARDEN_ALLOW_SSH_TARGETS lifts that for chosen
// ranges). A host name is resolved here, every address it resolves to is checked, and
// the connection goes to the checked address, so a name cannot resolve somewhere else
// between the check and the connect (DNS rebinding).
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { networkInterfaces } from "node:os";
import { getEnv } from "@/lib/config/env";
import { sshTargetAddressProblem, type SshTargetPolicy } from "@/lib/domain/ip";
import { sshErrors, type SshTarget } from "./errors";

/** The addresses of this server's interfaces (in its network namespace). */
export function serverAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .flatMap((a) => (a ? [a.address.replace(/%.*$/, "")] : []));
}

export function currentSshTargetPolicy(): SshTargetPolicy {
  return { allow: getEnv().sshTargetAllowance, own: serverAddresses() };
}

// RFC 6761: "localhost" and names under it are loopback whatever a resolver says.
const LOCALHOST_NAME = /^(?:.+\.)?localhost\.?$/i;

export type ResolvedTarget = { ok: true; address: string } | { ok: false; problem: string } | { ok: false; unresolved: string };

/** The address to connect to for `host`, or why not. */
export async function resolveSshTarget(host: string, policy: SshTargetPolicy = currentSshTargetPolicy()): Promise<ResolvedTarget> {
  let addresses: string[];
  if (isIP(host)) addresses = [host];
  else if (LOCALHOST_NAME.test(host)) addresses = ["127.0.0.1", "::1"];
  else {
    try {
      addresses = (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);
    } catch (e) {
      return { ok: false, unresolved: (e as { code?: string }).code ?? "ENOTFOUND" };
    }
  }
  // A name with one good and one refused address is refused: which one a connection
  // gets is the resolver's choice, and it can change between two lookups.
  for (const address of addresses) {
    const problem = sshTargetAddressProblem(address, policy);
    if (problem) return { ok: false, problem: isIP(host) ? problem : `${host} resolves to ${problem}` };
  }
  return { ok: true, address: addresses[0]! };
}

/** For the forms: why this SSH address is refused, or null (a name that does not resolve yet is not refused here). */
export async function sshHostProblem(host: string): Promise<string | null> {
  const r = await resolveSshTarget(host);
  return !r.ok && "problem" in r ? r.problem : null;
}

/** For connections: the address to dial, or an SshError saying why not. */
export async function addressToDial(target: SshTarget): Promise<string> {
  const r = await resolveSshTarget(target.host);
  if (r.ok) return r.address;
  if ("problem" in r) throw sshErrors.targetRefused(target, r.problem);
  throw sshErrors.unreachable(
    target,
    r.unresolved === "EAI_AGAIN" ? "the host name could not be resolved right now" : "the host name does not resolve",
  );
}
