// Router-side connection names: what an engineer reads on a router console
// (`swanctl --list-sas`, `ipsec status`, the files in /etc/swanctl/conf.d and
// /etc/ipsec.d). Readable and unique: `gw-<site a>--<site b>-<8 hex of the tunnel id>`.
// Stable: derived once and stored on the tunnel (a later site rename does not change
// it); each tunnel end also stores the name its router holds, so a deploy can retire
// an old name (the bare-id names of before, `gw-<tunnel id>`) cleanly. Pure.
import { createHash } from "node:crypto";
import { CONNECTION_NAME, CONNECTION_NAME_MAX } from "@/lib/platforms/contract";

export { CONNECTION_NAME_MAX };

const PREFIX = "gw-";
const SEPARATOR = "--";
const SHORT_ID_LENGTH = 8;
/** Each site's share of the name: "gw-" + 24 + "--" + 24 + "-" + 8 = 61 ≤ 63. */
export const SLUG_MAX = Math.floor((CONNECTION_NAME_MAX - PREFIX.length - SEPARATOR.length - 1 - SHORT_ID_LENGTH) / 2);

/** Does every platform accept this as a connection name (strongSwan, Libreswan, file names)? */
export const isConnectionName = (name: string): boolean => CONNECTION_NAME.test(name);

/** Latin letters that Unicode does not decompose into a base letter and an accent. */
const LETTERS: Record<string, string> = { æ: "ae", ø: "o", œ: "oe", ß: "ss", đ: "d", ł: "l", þ: "th", ð: "d", ı: "i" };

/**
 * A site name as lower-case ASCII letters, digits and single hyphens: accents dropped
 * ("Zürich" → "zurich"), every other run of characters one hyphen, at most `max`
 * characters, no hyphen at either end (so "--" only ever separates the two sites).
 * A name with nothing left ("東京") becomes "site".
 */
export function siteSlug(siteName: string, max = SLUG_MAX): string {
  const ascii = siteName
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[æøœßđłþðı]/g, (c) => LETTERS[c] ?? c);
  const slug = ascii
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, max)
    .replace(/-+$/, "");
  return slug || "site";
}

/** Eight hex characters of the tunnel id's SHA-256: ids share prefixes (cuids start with the time), hashes do not. */
export function shortTunnelId(tunnelId: string): string {
  return createHash("sha256").update(tunnelId).digest("hex").slice(0, SHORT_ID_LENGTH);
}

/** The readable name of a new tunnel between two sites (side "a" first). */
export function readableConnectionName(tunnelId: string, siteA: string, siteB: string): string {
  const name = `${PREFIX}${siteSlug(siteA)}${SEPARATOR}${siteSlug(siteB)}-${shortTunnelId(tunnelId)}`;
  if (!isConnectionName(name)) throw new Error(`derived connection name ${name} is not valid`);
  return name;
}

/** The name tunnels were deployed under before readable names: the bare tunnel id. */
export function legacyConnectionName(tunnelId: string): string {
  return `${PREFIX}${tunnelId.toLowerCase()}`;
}
