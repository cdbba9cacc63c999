// The first-run setup code: whoever reaches /setup first must also have read the
// server's console or log, where a one-time code is printed when the server starts
// without an admin. 16 characters of Crockford base32 (80 bits) in groups of four;
// typing is forgiving (case, spaces, dashes, O for 0, I or L for 1).
import "server-only";
import { createHash, randomInt } from "node:crypto";
import { createSetupCode } from "@/lib/db/setup-codes";
import { logger } from "@/lib/log/logger";

const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

export function normalizeSetupCode(text: string): string {
  return text.toUpperCase().replace(/[\s-]/g, "").replace(/O/g, "0").replace(/[IL]/g, "1");
}

export const hashSetupCode = (text: string) => createHash("sha256").update(normalizeSetupCode(text)).digest("hex");

/** A new code, stored (as its hash) until the first admin is created. */
export async function issueSetupCode(): Promise<string> {
  const chars = Array.from({ length: 16 }, () => ALPHABET[randomInt(ALPHABET.length)]).join("");
  const code = chars.match(/.{4}/g)!.join("-");
  await createSetupCode(hashSetupCode(code));
  return code;
}

/** At start-up without an admin: a new code on the console and in the log. */
export async function announceSetupCode(): Promise<void> {
  const code = await issueSetupCode();
  // On stderr, beside the log: it must catch the eye of whoever starts the server.
  console.warn(`\ngatewarden: no admin account exists yet. Open /setup and enter this one-time setup code: ${code}\n`);
  logger.warn({ setupCode: code }, "no admin account exists yet: open /setup and enter the one-time setup code");
}
