// Editing a custom crypto profile no tunnel uses. A built-in or in-use profile (or a
// role that may not change profiles) gets the reason instead of the form.
import Link from "next/link";
import { notFound } from "next/navigation";
import { requirePageUser } from "@/lib/auth/session";
import { canManageProfiles, deniedReason } from "@/lib/auth/permissions";
import { getCryptoProfileForEdit, parseProfileSpec } from "@/lib/db/crypto-profiles";
import { profileChangeRefusal } from "@/lib/inventory/profile-changes";
import type { CryptoProfile } from "@/lib/platforms/contract";
import { Card, PageHeader } from "@/components/ui";
import { editCryptoProfileAction } from "../../actions";
import { ProfileForm } from "../../profile-form";

export const metadata = { title: "Edit crypto profile" };

export default async function EditProfilePage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requirePageUser();
  const row = await getCryptoProfileForEdit((await params).id);
  if (!row) notFound();
  const refusal =
    deniedReason(user.role, canManageProfiles, "change crypto profiles") ??
    profileChangeRefusal({ name: row.name, builtIn: row.builtIn, tunnels: row._count.tunnels }, "edit");
  let spec: CryptoProfile | undefined;
  try {
    spec = parseProfileSpec(row.spec);
  } catch {
    spec = undefined; // the form starts from the defaults; saving fixes the stored definition
  }
  return (
    <>
      <PageHeader
        title={`Edit ${row.name}`}
        subtitle={
          <Link href="/profiles" className="text-blue-800 hover:underline">
            ← All crypto profiles
          </Link>
        }
      />
      <Card className="max-w-3xl">
        {refusal ? (
          <p role="alert" className="text-sm text-amber-900" data-testid="edit-refusal">
            {refusal}
          </p>
        ) : (
          <ProfileForm
            action={editCryptoProfileAction.bind(null, row.id)}
            initial={spec ? { ...spec, name: row.name } : undefined}
            submitLabel="Save profile"
            pendingText="Saving…"
            doneHref="/profiles"
          />
        )}
      </Card>
    </>
  );
}
