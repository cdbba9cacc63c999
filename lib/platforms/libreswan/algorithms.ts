// What a Libreswan 4.x router can negotiate, and the `ike=` / `esp=` lines for a crypto
// profile. Facts and their sources: FACTS.md (section Algorithms).
import type { CryptoProfile, DhGroup, EspEncryption, IkeEncryption, Integrity } from "../contract";
import { DH_GROUP_NAMES } from "../crypto-profiles";

/** modp768 was removed and modp1024 is not compiled in by default (Debian's 4.10 has neither). */
export const LIBRESWAN_DH_GROUPS: readonly DhGroup[] = [5, 14, 15, 16, 17, 18, 19, 20, 21];

const MISSING_DH: Partial<Record<DhGroup, string>> = {
  1: "modp768 was removed from Libreswan",
  2: "modp1024 is not compiled into Libreswan 4.x (USE_DH2 is off by default, and off in Debian's and the upstream builds)",
};

const IKE_ENC: Record<IkeEncryption, string> = { "3des": "3des", aes128: "aes128", aes192: "aes192", aes256: "aes256" };
// Libreswan has no Blowfish at all; rijndael is AES-128 under racoon's name.
const ESP_ENC: Record<EspEncryption, string | null> = {
  "3des": "3des",
  blowfish448: null,
  rijndael: "aes128",
  aes128: "aes128",
  aes192: "aes192",
  aes256: "aes256",
};
const INTEG: Record<Integrity, string> = { md5: "md5", sha1: "sha1", sha256: "sha2_256", sha384: "sha2_384", sha512: "sha2_512" };

const unique = (values: string[]) => [...new Set(values)];

export interface LibreswanProfileProblem {
  /** Dotted path as RenderError reports it, e.g. "profile.ike.dhGroup". */
  field: string;
  message: string;
}

const RUNS = "A Libreswan router runs profiles whose DH groups are 5 or 14–21 (modp1536–modp8192, ecp256/384/521)";

function dhProblem(group: DhGroup | null, field: string, use: string): LibreswanProfileProblem[] {
  if (group === null || LIBRESWAN_DH_GROUPS.includes(group)) return [];
  return [
    {
      field,
      message: `Libreswan cannot use DH group ${group} (${DH_GROUP_NAMES[group]}) for ${use}: ${MISSING_DH[group] ?? "not available"}. ${RUNS}.`,
    },
  ];
}

/** 4.x has no IKEv1 IDs for the ECP groups in Quick Mode (main has). */
const ECP: readonly DhGroup[] = [19, 20, 21];

/** Why a Libreswan router cannot run this profile; [] when it can. */
export function libreswanProfileProblems(profile: CryptoProfile): LibreswanProfileProblem[] {
  const problems = [
    ...dhProblem(profile.ike.dhGroup, "profile.ike.dhGroup", "IKE"),
    ...dhProblem(profile.esp.pfsGroup, "profile.esp.pfsGroup", "PFS"),
  ];
  const pfs = profile.esp.pfsGroup;
  if (profile.ikeVersion === 1 && pfs !== null && ECP.includes(pfs)) {
    problems.push({
      field: "profile.esp.pfsGroup",
      message: `Libreswan 4.x cannot use DH group ${pfs} (${DH_GROUP_NAMES[pfs]}) for IKEv1 PFS: it has no IKEv1 Quick Mode ID for the ECP groups. Use a MODP group (5, 14–18) for PFS with IKEv1, or IKEv2`,
    });
  }
  if (profile.esp.encryption.every((e) => ESP_ENC[e] === null)) {
    problems.push({
      field: "profile.esp.encryption",
      message: "Libreswan has no Blowfish: the profile needs another ESP cipher (AES or 3DES)",
    });
  }
  return problems;
}

/** ESP ciphers of the profile that Libreswan does not offer (dropped with a comment). */
export function droppedEspCiphers(profile: CryptoProfile): EspEncryption[] {
  return profile.esp.encryption.filter((e) => ESP_ENC[e] === null);
}

/** `ike=`: one proposal, `cipher-integ;dh` (IKEv1 aggressive mode allows only one DH group). */
export function ikeProposal(profile: CryptoProfile): string {
  const { ike } = profile;
  return `${IKE_ENC[ike.encryption]}-${INTEG[ike.integrity]};${DH_GROUP_NAMES[ike.dhGroup]}`;
}

/**
 * `esp=`: IKEv2 combines every cipher and integrity into one proposal with `+`; IKEv1
 * has no `+`, so each cipher/integrity pair is its own proposal. The PFS group (one
 * for all proposals) follows `;`; without PFS there is none and `pfs=no` is rendered.
 */
export function espProposal(profile: CryptoProfile): string {
  const { esp } = profile;
  const ciphers = unique(esp.encryption.map((e) => ESP_ENC[e]).filter((e): e is string => e !== null));
  const integs = unique(esp.integrity.map((i) => INTEG[i]));
  const dh = esp.pfsGroup === null ? "" : `;${DH_GROUP_NAMES[esp.pfsGroup]}`;
  if (profile.ikeVersion === 2) return `${ciphers.join("+")}-${integs.join("+")}${dh}`;
  return ciphers.flatMap((c) => integs.map((i) => `${c}-${i}${dh}`)).join(",");
}
