// A gateway's management access (can Gatewarden open a fresh SSH session to it?) as a pill,
// shown next to tunnel health and never merged into it: a tunnel can be up while its
// gateway cannot be managed. The reason and the time of the last check are in the title.
import { managementLabel } from "@/lib/health/management";
import { ago } from "./health-badge";

const PILL = {
  ok: "bg-green-100 text-green-800",
  broken: "bg-red-100 text-red-800",
  unknown: "bg-slate-100 text-slate-600",
} as const;

export function ManagementBadge({
  state,
  reason,
  at,
  gateway,
}: {
  state: string;
  reason?: string | null;
  at?: Date | string | null;
  /** The gateway's name, for a page showing several badges. */
  gateway?: string;
}) {
  const l = managementLabel(state);
  return (
    <span
      className={`rounded px-2 py-0.5 text-xs font-semibold ${PILL[l.tone]}`}
      data-testid="management-state"
      data-state={state}
      data-gateway={gateway}
      title={`${reason ? `${reason} ` : ""}(checked ${ago(at)})`}
    >
      {l.text}
    </span>
  );
}
