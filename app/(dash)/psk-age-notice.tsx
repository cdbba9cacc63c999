// On the overview: keys past or near their maximum age (lib/alerts/psk-age), the most
// urgent first, with a link to the full list. Nothing at all while no key is due.
import Link from "next/link";
import { pskAgeOf } from "@/lib/alerts/psk-age";
import { tunnelName, type SnapshotTunnel } from "@/lib/alerts/conditions";
import { Card } from "@/components/ui";

const SHOWN = 10;

export function PskAgeNotice({ tunnels, now }: { tunnels: SnapshotTunnel[]; now: Date }) {
  const due = tunnels
    .map((t) => ({ t, age: pskAgeOf(t, now) }))
    .filter((x): x is { t: SnapshotTunnel; age: NonNullable<ReturnType<typeof pskAgeOf>> } => x.age !== null && x.age.status !== "ok")
    .sort((a, b) => a.age.expiresAt.getTime() - b.age.expiresAt.getTime());
  if (!due.length) return null;
  const expired = due.filter((d) => d.age.status === "expired").length;
  return (
    <Card title="Keys past or near their maximum age" className="mb-6">
      <p className="text-sm text-slate-600" data-testid="psk-age-summary">
        {expired} past their age, {due.length - expired} due soon.{" "}
        <Link href="/alerts/settings" className="text-blue-700 hover:underline">
          Key age policy and scheduled rotation
        </Link>
      </p>
      <ul className="mt-2 divide-y divide-slate-100 text-sm" data-testid="psk-age-overview">
        {due.slice(0, SHOWN).map(({ t, age }) => (
          <li key={t.id} className="flex justify-between py-1.5">
            <Link href={`/tunnels/${t.id}`} className="text-blue-700 hover:underline">
              {tunnelName(t)}
            </Link>
            <span className={age.status === "expired" ? "text-red-800" : "text-amber-700"}>
              {age.ageDays} of {age.maxAgeDays} days{age.status === "expired" ? ", past its age" : ""}
            </span>
          </li>
        ))}
      </ul>
    </Card>
  );
}
