// A user's active sessions: when and where each was signed in, when last used, and
// (for the sessions list) a button to end each other session.
import { ScrollTable } from "@/components/ui";
import type { SessionInfo } from "@/lib/db/sessions";
import { When } from "@/components/when";

export function SessionTable({
  sessions,
  currentId,
  endButton,
}: {
  sessions: SessionInfo[];
  currentId?: string;
  endButton?: (s: SessionInfo) => React.ReactNode;
}) {
  if (sessions.length === 0) return <p className="text-sm text-slate-600">No active sessions.</p>;
  return (
    <ScrollTable testId="session-table">
      <thead className="text-left text-slate-500">
        <tr>
          <th className="py-1.5 pr-3 font-medium">Signed in (UTC)</th>
          <th className="py-1.5 pr-3 font-medium">Last active</th>
          <th className="py-1.5 pr-3 font-medium">From</th>
          <th className="py-1.5 pr-3 font-medium">Browser</th>
          <th className="py-1.5" />
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-100">
        {sessions.map((s) => (
          <tr key={s.id} data-testid="session-row" data-current={s.id === currentId ? "true" : undefined}>
            <td className="py-1.5 pr-3 text-xs">
              <When date={s.createdAt} />
            </td>
            <td className="py-1.5 pr-3 text-xs">
              <When date={s.lastSeenAt} />
            </td>
            <td className="py-1.5 pr-3 font-mono text-xs" data-testid="session-client">
              {s.clientAddress ?? "?"}
            </td>
            <td className="max-w-48 truncate py-1.5 pr-3 text-xs text-slate-600" title={s.userAgent ?? ""}>
              {s.userAgent ?? "?"}
            </td>
            <td className="py-1.5 text-right">
              {s.id === currentId ? <span className="text-xs font-medium text-green-800">This session</span> : endButton?.(s)}
            </td>
          </tr>
        ))}
      </tbody>
    </ScrollTable>
  );
}
