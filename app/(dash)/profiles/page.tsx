import { requirePageUser } from "@/lib/auth/session";
import { builtInProfileNote } from "@/lib/inventory/profile-notes";
import { canManageProfiles, deniedReason } from "@/lib/auth/permissions";
import { profileChangeRefusal } from "@/lib/inventory/profile-changes";
import { listCryptoProfilesWithUse, parseProfileSpec } from "@/lib/db/crypto-profiles";
import type { CryptoProfile } from "@/lib/platforms/contract";
import { DH_GROUP_NAMES, lintCryptoProfile } from "@/lib/platforms/crypto-profiles";
import { profileSupport } from "@/lib/platforms/profile-support";
import { Card, KeyValue, PageHeader } from "@/components/ui";
import { LintFindings } from "@/components/lint-findings";
import { addCryptoProfileAction } from "./actions";
import { ProfileActions } from "./profile-actions";
import { ProfileForm } from "./profile-form";

export const metadata = { title: "Crypto profiles" };

const dh = (g: CryptoProfile["ike"]["dhGroup"] | null) => (g === null ? "none" : `${g} (${DH_GROUP_NAMES[g]})`);

function ProfileDetails({ p }: { p: CryptoProfile }) {
  return (
    <KeyValue
      items={[
        ["IKE", `IKEv${p.ikeVersion}${p.ikeVersion === 1 ? ` · ${p.exchangeModes.join(", ")} mode` : ""}`],
        ["Phase 1", `${p.ike.encryption} · ${p.ike.integrity} · DH ${dh(p.ike.dhGroup)}`],
        ["Phase 2 (ESP)", `${p.esp.encryption.join(", ")} · ${p.esp.integrity.join(", ")}`],
        ["PFS", dh(p.esp.pfsGroup)],
        ["IPComp", p.esp.compression ?? "off"],
        ["Lifetimes", `IKE ${p.ikeLifetimeSeconds} s · CHILD ${p.childLifetimeSeconds} s`],
      ]}
    />
  );
}

/**
 * Per platform: whether it can run the profile (and why not), and how it really runs it
 * where that differs from the profile (a CentOS router's exchange mode, AH off).
 */
function PlatformSupport({ p }: { p: CryptoProfile }) {
  return (
    <ul className="space-y-1 text-sm" data-testid="platform-support">
      {profileSupport(p).map((s) => (
        <li key={s.platform} data-platform={s.platform}>
          <span className="font-medium">{s.shortLabel}:</span>{" "}
          {s.reason ? <span className="text-amber-800">cannot run it: {s.reason}</span> : <span className="text-slate-700">runs it</span>}
          {s.caveats.length > 0 && (
            <ul className="mt-1 list-disc space-y-1 pl-5 text-slate-600">
              {s.caveats.map((c) => (
                <li key={c}>{c}</li>
              ))}
            </ul>
          )}
        </li>
      ))}
    </ul>
  );
}

export default async function ProfilesPage() {
  const user = await requirePageUser();
  const rows = await listCryptoProfilesWithUse();
  const roleDenied = deniedReason(user.role, canManageProfiles, "change crypto profiles");
  const profiles = rows.map((row) => {
    try {
      return { row, spec: parseProfileSpec(row.spec) };
    } catch {
      return { row, spec: null };
    }
  });
  return (
    <>
      <PageHeader
        title="Crypto profiles"
        subtitle="The algorithms each tunnel negotiates, and what the lint says about them (RFC 8247 / 8221 / 9395)"
      />
      <div className="grid grid-cols-1 gap-6 xl:grid-cols-[minmax(0,1fr)_28rem]">
        <ul className="space-y-4" data-testid="profile-list">
          {profiles.map(({ row, spec }) => (
            <li key={row.id} data-profile={row.name}>
              <Card>
                <div className="mb-3 flex flex-wrap items-center gap-2">
                  <h2 className="text-base font-semibold">{row.name}</h2>
                  <span
                    className={`rounded px-2 py-0.5 text-xs font-medium ${row.builtIn ? "bg-slate-100 text-slate-700" : "bg-blue-50 text-blue-800"}`}
                  >
                    {row.builtIn ? "built-in" : "custom"}
                  </span>
                  <span className="text-xs text-slate-500">
                    used by {row._count.tunnels} tunnel{row._count.tunnels === 1 ? "" : "s"}
                  </span>
                </div>
                {row.builtIn && builtInProfileNote(row.name) ? (
                  <p className="mb-3 text-sm text-slate-600" data-testid="profile-note">
                    {builtInProfileNote(row.name)}
                  </p>
                ) : null}
                {spec ? (
                  <div className="space-y-3">
                    <ProfileDetails p={spec} />
                    <LintFindings findings={lintCryptoProfile(spec)} />
                    <PlatformSupport p={spec} />
                  </div>
                ) : (
                  <p role="alert" className="text-sm text-red-700">
                    The stored definition does not pass validation; it cannot be used until fixed.
                  </p>
                )}
                <ProfileActions
                  id={row.id}
                  name={row.name}
                  roleDenied={roleDenied}
                  editRefusal={profileChangeRefusal({ name: row.name, builtIn: row.builtIn, tunnels: row._count.tunnels }, "edit")}
                  deleteRefusal={profileChangeRefusal({ name: row.name, builtIn: row.builtIn, tunnels: row._count.tunnels }, "delete")}
                />
              </Card>
            </li>
          ))}
        </ul>
        <Card title="New profile">
          {roleDenied ? (
            <p className="text-sm text-slate-600" data-testid="denied-reason">
              {roleDenied}
            </p>
          ) : (
            <ProfileForm action={addCryptoProfileAction} submitLabel="Create profile" pendingText="Creating…" />
          )}
        </Card>
      </div>
    </>
  );
}
