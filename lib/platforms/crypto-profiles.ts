// Crypto profiles: the allow-listed algorithm names, the built-in profiles, and the zod
// schema admin-defined profiles must pass. Only names listed here ever reach a config
// file, so renderers can map them to platform keywords without further escaping.
import { z } from "zod";
import type { CryptoProfile } from "./contract";
import { AGGRESSIVE_PSK_PATH, AGGRESSIVE_PSK_SETTING } from "./strongswan/aggressive-psk";

export const IKE_ENCRYPTIONS = ["3des", "aes128", "aes192", "aes256"] as const;
export const ESP_ENCRYPTIONS = ["3des", "blowfish448", "rijndael", "aes128", "aes192", "aes256"] as const;
export const INTEGRITIES = ["md5", "sha1", "sha256", "sha384", "sha512"] as const;
export const DH_GROUPS = [1, 2, 5, 14, 15, 16, 17, 18, 19, 20, 21] as const;
export const EXCHANGE_MODES = ["main", "aggressive"] as const;

/** Human names for DH groups (RFC 3526 / RFC 5903 sizes). */
export const DH_GROUP_NAMES: Record<(typeof DH_GROUPS)[number], string> = {
  1: "modp768",
  2: "modp1024",
  5: "modp1536",
  14: "modp2048",
  15: "modp3072",
  16: "modp4096",
  17: "modp6144",
  18: "modp8192",
  19: "ecp256",
  20: "ecp384",
  21: "ecp521",
};

const dhGroup = z.literal(DH_GROUPS);
// Bounds keep rekeying sane: below 5 minutes rekeys storm, above 1 day keys live too long.
const lifetime = (min: number, max: number) => z.number().int().min(min).max(max);

export const cryptoProfileSchema = z
  .object({
    name: z
      .string()
      .trim()
      .min(1)
      .max(64)
      .regex(/^[\p{L}\p{N} ()._-]+$/u, "letters, digits, spaces and ()._- only"),
    ikeVersion: z.union([z.literal(1), z.literal(2)]),
    exchangeModes: z.array(z.enum(EXCHANGE_MODES)).max(2),
    ike: z.object({
      encryption: z.enum(IKE_ENCRYPTIONS),
      integrity: z.enum(INTEGRITIES),
      dhGroup,
    }),
    esp: z.object({
      encryption: z.array(z.enum(ESP_ENCRYPTIONS)).min(1).max(6),
      integrity: z.array(z.enum(INTEGRITIES)).min(1).max(5),
      pfsGroup: dhGroup.nullable(),
      compression: z.literal("deflate").nullable(),
    }),
    ikeLifetimeSeconds: lifetime(300, 86_400),
    childLifetimeSeconds: lifetime(300, 86_400),
  })
  .superRefine((p, ctx) => {
    if (p.ikeVersion === 1 && p.exchangeModes.length === 0) {
      ctx.addIssue({ code: "custom", path: ["exchangeModes"], message: "IKEv1 needs at least one exchange mode" });
    }
    if (new Set(p.exchangeModes).size !== p.exchangeModes.length) {
      ctx.addIssue({ code: "custom", path: ["exchangeModes"], message: "exchange modes must not repeat" });
    }
    for (const key of ["encryption", "integrity"] as const) {
      if (new Set(p.esp[key]).size !== p.esp[key].length) {
        ctx.addIssue({ code: "custom", path: ["esp", key], message: "algorithms must not repeat" });
      }
    }
  });

/** The article's proposal (Listings 3/4): kept so existing CentOS routers keep working; lint flags it. */
export const ARTICLE_LEGACY_PROFILE: CryptoProfile = {
  name: "Article (legacy)",
  ikeVersion: 1,
  exchangeModes: ["aggressive", "main"],
  ike: { encryption: "3des", integrity: "sha1", dhGroup: 2 },
  esp: {
    encryption: ["3des", "blowfish448", "rijndael"],
    integrity: ["sha1", "md5"],
    pfsGroup: 2,
    compression: "deflate",
  },
  // racoon's default phase-1 lifetime (8 hours); ifup's remote block sets none.
  ikeLifetimeSeconds: 28_800,
  childLifetimeSeconds: 3_600,
};

/** RFC 8247/8221 "MUST/SHOULD" choices that every strongSwan build here negotiates. */
export const MODERN_PROFILE: CryptoProfile = {
  name: "Modern",
  ikeVersion: 2,
  exchangeModes: [],
  ike: { encryption: "aes256", integrity: "sha256", dhGroup: 19 },
  esp: { encryption: ["aes256"], integrity: ["sha256"], pfsGroup: 19, compression: null },
  ikeLifetimeSeconds: 86_400,
  childLifetimeSeconds: 3_600,
};

/**
 * The strongest proposal racoon-era routers (IKEv1 only, ifcfg-ipsecN) can express:
 * main mode (no aggressive-mode hash exposure), AES-256, SHA-256, DH 14, PFS.
 * IKEv1 itself stays flagged by the lint; it is the default for tunnels with a
 * centos-racoon end because Modern (IKEv2) is not available there.
 */
export const MODERN_IKEV1_PROFILE: CryptoProfile = {
  name: "Modern IKEv1 (racoon)",
  ikeVersion: 1,
  exchangeModes: ["main"],
  ike: { encryption: "aes256", integrity: "sha256", dhGroup: 14 },
  esp: { encryption: ["aes256"], integrity: ["sha256"], pfsGroup: 14, compression: null },
  ikeLifetimeSeconds: 28_800,
  childLifetimeSeconds: 3_600,
};

export const BUILT_IN_PROFILES: readonly CryptoProfile[] = [MODERN_PROFILE, MODERN_IKEV1_PROFILE, ARTICLE_LEGACY_PROFILE];

export interface CryptoLintFinding {
  /** danger: a MUST NOT or a practical attack; warning: deprecated / SHOULD NOT. */
  severity: "warning" | "danger";
  /** Dotted path into the profile, e.g. "esp.integrity". */
  field: string;
  message: string;
  reason: string;
  source: string;
}

const RFC8247 = "RFC 8247 (IKEv2 algorithm requirements)";
const RFC8221 = "RFC 8221 (ESP/AH algorithm requirements)";
const STRONGSWAN = "strongSwan: Security Recommendations";

function dhFindings(group: number | null, field: string): CryptoLintFinding[] {
  if (group === 1) {
    return [
      {
        severity: "danger",
        field,
        message: "DH group 1 (modp768) is broken",
        reason: "768-bit MODP discrete logs are computable today; RFC 8247 says MUST NOT.",
        source: RFC8247,
      },
    ];
  }
  if (group === 2 || group === 5) {
    const bits = group === 2 ? 1024 : 1536;
    return [
      {
        severity: "warning",
        field,
        message: `DH group ${group} (modp${bits}) is too weak`,
        reason: `${bits}-bit MODP is within reach of precomputation attacks (Logjam); RFC 8247 says SHOULD NOT. Use 14+ or ECP 19+.`,
        source: RFC8247,
      },
    ];
  }
  return [];
}

function cipherFindings(names: readonly string[], field: string): CryptoLintFinding[] {
  const out: CryptoLintFinding[] = [];
  if (names.includes("3des")) {
    out.push({
      severity: "warning",
      field,
      message: "3DES is deprecated",
      reason: "Its 64-bit block makes long-lived SAs vulnerable to birthday attacks (Sweet32); RFC 8221 says SHOULD NOT.",
      source: RFC8221,
    });
  }
  if (names.includes("blowfish448")) {
    out.push({
      severity: "warning",
      field,
      message: "Blowfish is not recommended",
      reason: "64-bit block cipher, unlisted in RFC 8221 and flagged by strongSwan; interoperability and Sweet32 risk.",
      source: STRONGSWAN,
    });
  }
  return out;
}

function integrityFindings(names: readonly string[], field: string): CryptoLintFinding[] {
  const out: CryptoLintFinding[] = [];
  if (names.includes("md5")) {
    out.push({
      severity: "danger",
      field,
      message: "MD5 must not be used",
      reason: "MD5 collisions are practical; RFC 8247 and RFC 8221 say MUST NOT for HMAC-MD5-96.",
      source: `${RFC8247}; ${RFC8221}`,
    });
  }
  if (names.includes("sha1")) {
    out.push({
      severity: "warning",
      field,
      message: "SHA-1 is being phased out",
      reason: "SHA-1 is collision-broken; RFC 8247/8221 keep HMAC-SHA1 only as MUST- (on its way out). Prefer sha256.",
      source: `${RFC8247}; ${RFC8221}`,
    });
  }
  return out;
}

/** Every weak choice in a profile, so the UI can show why the article's defaults are flagged. */
export function lintCryptoProfile(profile: CryptoProfile): CryptoLintFinding[] {
  const findings: CryptoLintFinding[] = [];
  if (profile.ikeVersion === 1) {
    findings.push({
      severity: "warning",
      field: "ikeVersion",
      message: "IKEv1 is deprecated",
      reason: "RFC 9395 deprecates IKEv1 and its algorithms; new deployments should use IKEv2.",
      source: "RFC 9395",
    });
    if (profile.exchangeModes.includes("aggressive")) {
      findings.push({
        severity: "danger",
        field: "exchangeModes",
        message: "Aggressive mode with a pre-shared key exposes a crackable hash",
        reason:
          "The responder sends a hash derived from the PSK before authenticating the peer, so anyone can request it and brute-force the PSK offline. " +
          `A stock strongSwan refuses to answer it: on strongSwan routers Gatewarden therefore writes ${AGGRESSIVE_PSK_PATH}, ` +
          `a non-default, router-wide setting (${AGGRESSIVE_PSK_SETTING} = yes) shown in the preview and the bundle's INSTALL note.`,
        source: STRONGSWAN,
      });
    }
  }
  findings.push(...cipherFindings([profile.ike.encryption], "ike.encryption"));
  findings.push(...integrityFindings([profile.ike.integrity], "ike.integrity"));
  findings.push(...dhFindings(profile.ike.dhGroup, "ike.dhGroup"));
  findings.push(...cipherFindings(profile.esp.encryption, "esp.encryption"));
  findings.push(...integrityFindings(profile.esp.integrity, "esp.integrity"));
  if (profile.esp.pfsGroup === null) {
    findings.push({
      severity: "warning",
      field: "esp.pfsGroup",
      message: "No perfect forward secrecy",
      reason: "Without a PFS group, CHILD SA keys derive from the IKE SA keys, so one compromise exposes every rekeyed SA.",
      source: STRONGSWAN,
    });
  } else {
    findings.push(...dhFindings(profile.esp.pfsGroup, "esp.pfsGroup"));
  }
  return findings;
}
