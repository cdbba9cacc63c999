// Schemas for names that reach routers (interfaces, SSH user/host, ports) or the UI
// (site names, dashboard users). Allow-lists, never deny-lists: a name that passes can be
// written into a config file or an argv without quoting surprises.
import unhomoglyph from "unhomoglyph";
import { z } from "zod";
import { isIpv4, IPV4_MESSAGE } from "./ip";

/** Shows a character so the admin can find it, even when it is invisible. */
export function describeChar(ch: string): string {
  const code = ch.codePointAt(0) ?? 0;
  const hex = `U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
  if (ch === " ") return "a space";
  if (/[\p{L}\p{N}\p{P}\p{S}]/u.test(ch)) return `“${ch}”`;
  return `the invisible character ${hex}`;
}

function firstBadChar(s: string, allowed: RegExp): string | undefined {
  return Array.from(s).find((ch) => !allowed.test(ch));
}

// Letters in any script (a branch in Zürich or Łódź), digits, and punctuation that
// appears in real office names. Site names only label things; they are never put in argv.
const SITE_CHAR = /^[\p{L}\p{M}\p{Nd} \-_.'&()]$/u;

export const siteNameSchema = z
  .string({ error: "Enter a site name" })
  // One spelling per name: fullwidth letters, ligatures and decomposed accents become
  // the ordinary characters they stand for (what the list pages then show).
  .overwrite((s) => s.normalize("NFKC"))
  .trim()
  .min(1, { error: "Enter a site name" })
  .max(64, { error: "Site names are at most 64 characters" })
  .superRefine((s, ctx) => {
    const bad = firstBadChar(s, SITE_CHAR);
    if (bad !== undefined) {
      ctx.addIssue({
        code: "custom",
        message: `Site names can't contain ${describeChar(bad)}; use letters, digits, spaces and - _ . ' & ( )`,
      });
    } else if (!/^[\p{L}\p{Nd}]/u.test(s)) {
      ctx.addIssue({ code: "custom", message: "Site names must start with a letter or digit" });
    }
  });

// Full case folding, near enough: upper-casing first turns "ß" into "SS" and final
// sigma into sigma before everything is lowered.
const foldCase = (s: string) => s.toUpperCase().toLowerCase();

/**
 * The forms under which a name is compared with others: NFKC, case-folded, and mapped
 * through Unicode's confusables table (UTS #39 skeletons, via unhomoglyph) before and
 * after folding — Cyrillic "Н" looks like "H" only in upper case.
 */
function lookalikeKeys(name: string): string[] {
  let keys = keyCache.get(name);
  if (!keys) {
    const nfkc = name.normalize("NFKC").trim();
    keys = [unhomoglyph(foldCase(nfkc)), foldCase(unhomoglyph(nfkc)), unhomoglyph(foldCase(unhomoglyph(nfkc)))];
    if (keyCache.size >= 20_000) keyCache.clear();
    keyCache.set(name, keys);
  }
  return keys;
}
// Every new name is compared with every existing one; a fleet's names are few enough to keep.
const keyCache = new Map<string, string[]>();

/**
 * The first of `existing` that a person could not tell from `name` (same letters in
 * another case, look-alike characters from another script, "0" for "O"…), or null.
 * Names that differ only like that would make two sites, gateways or audit entries
 * look like one.
 */
export function nameLookalike(name: string, existing: Iterable<string>): string | null {
  const keys = new Set(lookalikeKeys(name));
  for (const other of existing) {
    if (lookalikeKeys(other).some((k) => keys.has(k))) return other;
  }
  return null;
}

const IFACE_CHAR = /^[A-Za-z0-9_.-]$/;

/** A Linux interface name (IFNAMSIZ 16 incl. NUL), e.g. eth0, ens3, br-lan, vlan.10. */
export const ifaceNameSchema = z
  .string({ error: "Enter an interface name like eth0" })
  .min(1, { error: "Enter an interface name like eth0" })
  .max(15, { error: "Linux interface names are at most 15 characters" })
  .superRefine((s, ctx) => {
    const bad = firstBadChar(s, IFACE_CHAR);
    if (bad !== undefined) {
      ctx.addIssue({
        code: "custom",
        message: `Interface names can't contain ${describeChar(bad)}; use letters, digits, _ . -`,
      });
    } else if (s === "." || s === "..") {
      ctx.addIssue({ code: "custom", message: `“${s}” is not a valid interface name` });
    } else if (s.startsWith("-")) {
      // `ip link show -x` would read the name as an option.
      ctx.addIssue({ code: "custom", message: "Interface names can't start with “-”" });
    }
  });

export const IPSEC_IFACE_RE = /^ipsec(0|[1-9][0-9]{0,2})$/;

/** ifcfg-ipsecN device names: ipsec0 … ipsec999, no leading zeros (ipsec01 ≠ ipsec1). */
export const ipsecIfaceSchema = z
  .string({ error: "Enter a tunnel interface like ipsec0" })
  .regex(IPSEC_IFACE_RE, { error: "Enter a tunnel interface like ipsec0 (ipsec followed by 0–999)" });

export const sshUserSchema = z.string({ error: "Enter the SSH user, e.g. root" }).regex(/^[a-z_][a-z0-9_-]{0,31}$/, {
  error: "SSH users are 1–32 characters: lowercase letters, digits, _ and -, starting with a letter or _",
});

const HOST_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const SSH_HOST_MESSAGE = "Enter an IPv4 address or a host name like gw1.example.net";

/** An IPv4 address or an RFC 1123 host name; no leading "-", so it can't become an ssh option. */
export function isSshHost(s: string): boolean {
  if (isIpv4(s)) return true;
  if (s.length === 0 || s.length > 253) return false;
  const labels = s.split(".");
  if (!labels.every((l) => HOST_LABEL.test(l))) return false;
  // An all-numeric last label means the admin meant an IP (e.g. 010.0.0.1 or 10.0.0.256):
  // resolvers would read it as one, so it has to be a valid IPv4 — which it was not.
  return !/^[0-9]+$/.test(labels[labels.length - 1]!);
}

export const sshHostSchema = z.string({ error: SSH_HOST_MESSAGE }).superRefine((s, ctx) => {
  if (isSshHost(s)) return;
  const looksLikeIp = /^[0-9.]+$/.test(s);
  ctx.addIssue({ code: "custom", message: looksLikeIp ? IPV4_MESSAGE : SSH_HOST_MESSAGE });
});

const PORT_MESSAGE = "Enter a port number from 1 to 65535";

/** Port from a form field ("22") or a number. Only plain decimal digits: Number() would accept "0x16", "1e3", "". */
export const portSchema = z.preprocess(
  (v) => (typeof v === "string" && /^\s*[0-9]{1,5}\s*$/.test(v) ? Number(v.trim()) : v),
  z.number({ error: PORT_MESSAGE }).int({ error: PORT_MESSAGE }).min(1, { error: PORT_MESSAGE }).max(65535, { error: PORT_MESSAGE }),
);

/** Dashboard login names; lowercased so "Admin" and "admin" are one account. */
export const usernameSchema = z
  .string({ error: "Enter a user name" })
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9._-]{3,32}$/, {
    error: "User names are 3–32 characters: lowercase letters, digits, . _ and -",
  });
