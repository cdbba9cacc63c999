// What an admin types to create a named SSH credential, checked before anything is stored,
// and the pure helpers that turn it into what reaches a router.
import { posix } from "node:path";
import { z } from "zod";

export const credentialNameSchema = z
  .string({ error: "Enter a name" })
  .trim()
  .min(1, { error: "Enter a name, e.g. “fleet-admin”" })
  .max(64, { error: "At most 64 characters" })
  .regex(/^[A-Za-z0-9][A-Za-z0-9 ._-]*$/, { error: "Letters, digits, spaces and . _ - only, starting with a letter or digit" });

/**
 * Where the routers' sshd reads this user's keys: relative to the SSH user's home
 * (OpenSSH's default .ssh/authorized_keys) or absolute (an AuthorizedKeysFile elsewhere).
 */
export const authorizedKeysPathSchema = z
  .string()
  .trim()
  .max(200, { error: "At most 200 characters" })
  .transform((s) => s || ".ssh/authorized_keys")
  .refine((s) => /^[A-Za-z0-9._/-]+$/.test(s), { error: "Letters, digits and . _ - / only (no ~, spaces or %-tokens)" })
  .refine((s) => posix.normalize(s) === s && !s.endsWith("/") && !s.split("/").includes(".."), {
    error: "A plain file path: no .., // or trailing /",
  });

export const createCredentialSchema = z.object({
  name: credentialNameSchema,
  mode: z.enum(["generate", "paste"], { error: "Choose: generate a key, or paste one" }),
  privateKey: z.string().default(""),
  authorizedKeysPath: authorizedKeysPathSchema,
});

/** The comment after Gatewarden's public keys: names the credential and key version on a router's console. */
export function credentialComment(name: string, version: number): string {
  return `gatewarden:${name.replace(/[^A-Za-z0-9._-]+/g, "-")}:v${version}`;
}

/** The absolute path of the authorized_keys file, given the SSH user's home on that router. */
export function resolveAuthorizedKeysPath(home: string, path: string): string {
  const full = path.startsWith("/") ? path : posix.join(home, path);
  if (!full.startsWith("/") || posix.normalize(full) !== full) throw new Error(`${full} is not a plain absolute path`);
  return full;
}
