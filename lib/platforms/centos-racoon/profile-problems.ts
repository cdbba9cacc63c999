// What a CentOS router (ifup-ipsec + racoon) cannot run in a crypto profile, and why, in
// words the profiles page and the tunnel plan can show (FACTS.md has the sources).
import type { CryptoProfile, DhGroup } from "../contract";
import { DH_GROUP_NAMES } from "../crypto-profiles";
import { RACOON_DH_GROUPS } from "./racoon-algorithms";

/** racoon's phase-1 lifetime when <DST>.conf names none, as ifup-ipsec writes it (oakley.h:133). */
export const RACOON_PHASE1_LIFETIME_SECONDS = 28_800;

export interface CentosProfileProblem {
  /** Dotted path as RenderError reports it, e.g. "profile.ike.dhGroup". */
  field: string;
  message: string;
}

const MODP = "racoon knows the MODP groups 1, 2, 5 and 14–18 only (modp768…modp8192)";

function dhProblem(group: DhGroup | null, field: string, use: string): CentosProfileProblem[] {
  if (group === null || RACOON_DH_GROUPS.includes(group)) return [];
  return [
    {
      field,
      message: `racoon has no DH group ${group} (${DH_GROUP_NAMES[group]}) for ${use}: ${MODP}, and refuses its whole configuration over it ("${group}" must be DH group). Use group 14 (modp2048) or a larger MODP group on CentOS.`,
    },
  ];
}

/** Why a CentOS router cannot run this profile; [] when it can. */
export function centosProfileProblems(profile: CryptoProfile): CentosProfileProblem[] {
  const problems: CentosProfileProblem[] = [];
  if (profile.ikeVersion !== 1) {
    problems.push({
      field: "profile.ikeVersion",
      message: "centos-racoon speaks IKEv1 only (racoon); choose an IKEv1 profile or the strongswan platform",
    });
  }
  problems.push(
    ...dhProblem(profile.ike.dhGroup, "profile.ike.dhGroup", "IKE (dh_group)"),
    ...dhProblem(profile.esp.pfsGroup, "profile.esp.pfsGroup", "PFS (pfs_group)"),
  );
  if (profile.ikeLifetimeSeconds !== RACOON_PHASE1_LIFETIME_SECONDS) {
    problems.push({
      field: "profile.ikeLifetimeSeconds",
      message: `ifup-ipsec writes no phase-1 lifetime, so racoon keeps its default of 8 hours (${RACOON_PHASE1_LIFETIME_SECONDS} s); this profile asks for ${profile.ikeLifetimeSeconds} s. Use ${RACOON_PHASE1_LIFETIME_SECONDS} s for tunnels with a CentOS end.`,
    });
  }
  return problems;
}
