"use client";
// Edit / Clone / Delete beside a crypto profile. A control the admin's role or the
// profile's state does not allow is disabled with the reason beside it (a built-in or
// in-use profile can only be cloned). A clone opens straight in its edit form.
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { DeleteButton } from "@/components/delete-button";
import type { FormState } from "@/lib/inventory/form-state";
import { cloneCryptoProfileAction, deleteCryptoProfileAction } from "./actions";

type Props = {
  id: string;
  name: string;
  /** Why the role may not change profiles at all (viewers, operators), or null; shown beside Delete. */
  roleDenied: string | null;
  editRefusal: string | null;
  deleteRefusal: string | null;
};

const buttonClass =
  "rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm text-slate-800 hover:bg-slate-50 aria-disabled:cursor-not-allowed aria-disabled:opacity-60 disabled:cursor-not-allowed disabled:opacity-60";

function Reason({ testId, children }: { testId: string; children: string }) {
  return (
    <span className="text-xs text-slate-500" data-testid={testId}>
      {children}
    </span>
  );
}

export function ProfileActions({ id, name, roleDenied, editRefusal, deleteRefusal }: Props) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [answer, setAnswer] = useState<FormState | null>(null);
  const editDenied = roleDenied ?? editRefusal;
  return (
    <div className="mt-4 flex flex-col gap-2 border-t border-slate-100 pt-3" data-testid="profile-actions">
      <div className="flex flex-wrap items-center gap-3">
        {editDenied ? (
          <button type="button" disabled className={buttonClass} title={editDenied}>
            Edit
          </button>
        ) : (
          <Link href={`/profiles/${id}/edit`} className={buttonClass}>
            Edit
          </Link>
        )}
        <button
          type="button"
          disabled={pending || !!roleDenied}
          title={roleDenied ?? undefined}
          aria-busy={pending}
          className={buttonClass}
          onClick={() =>
            startTransition(async () => {
              const r = await cloneCryptoProfileAction(id);
              setAnswer(r);
              if (r.ok && "id" in r && r.id) router.push(`/profiles/${r.id}/edit`);
            })
          }
        >
          {pending ? "Cloning…" : "Clone"}
        </button>
        <DeleteButton
          label="Delete"
          confirm={`Delete the crypto profile ${name}?`}
          action={deleteCryptoProfileAction.bind(null, id)}
          deniedReason={roleDenied ?? deleteRefusal}
        />
      </div>
      {editDenied && !roleDenied ? <Reason testId="edit-refusal">{editDenied}</Reason> : null}
      {answer && !answer.ok && answer.message ? (
        <span role="alert" className="text-sm text-red-800">
          {answer.message}
        </span>
      ) : null}
    </div>
  );
}
