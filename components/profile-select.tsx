"use client";
// The crypto profile of a new tunnel: the strongest profile both ends' platforms can run
// is pre-selected (again whenever the ends change); a weak profile says so in the list,
// shows the lint's dangers when chosen, and is sent only with an explicit tick.
import { useState } from "react";
import { SelectField } from "@/components/form-controls";
import { profileLabel, recommendProfile, type ProfileChoice } from "@/lib/inventory/profile-choice";

export function ProfileSelect({ choices, platforms, error }: { choices: ProfileChoice[]; platforms: string[]; error?: string }) {
  const recommended = recommendProfile(choices, platforms);
  const ends = platforms.join("+");
  // The person's pick holds until the ends change; then the new ends' recommendation.
  const [picked, setPicked] = useState<{ ends: string; id: string } | null>(null);
  const value = picked && picked.ends === ends ? picked.id : recommended;
  const chosen = choices.find((c) => c.id === value);
  return (
    <div className="space-y-2">
      <SelectField
        key={`${ends}:${recommended}`}
        name="cryptoProfileId"
        label="Crypto profile"
        error={error}
        defaultValue={value}
        hint={recommended && value === recommended ? "The strongest profile both ends can run." : undefined}
        onChange={(id) => setPicked({ ends, id })}
        options={[
          ...(recommended ? [] : [{ value: "", label: "Choose…" }]),
          ...choices.map((c) => ({ value: c.id, label: profileLabel(c) })),
        ]}
      />
      {chosen && chosen.dangers.length ? (
        <div
          role="alert"
          className="rounded-md border border-red-300 bg-red-50 p-3 text-sm text-red-900"
          data-testid="weak-profile-warning"
        >
          <p className="font-semibold">{chosen.name} is weak:</p>
          <ul className="ml-5 list-disc">
            {chosen.dangers.map((d) => (
              <li key={d}>{d}</li>
            ))}
          </ul>
          <label className="mt-2 flex items-center gap-2 font-medium">
            <input type="checkbox" name="acceptWeakProfile" />I need this weak profile: a peer can do nothing better
          </label>
        </div>
      ) : null}
    </div>
  );
}
