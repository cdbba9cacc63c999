// Findings of the crypto-profile lint, colored by severity, each with why and where from.
import type { CryptoLintFinding } from "@/lib/platforms/crypto-profiles";

const STYLE: Record<CryptoLintFinding["severity"], { box: string; badge: string }> = {
  danger: { box: "border-red-200 bg-red-50", badge: "bg-red-700 text-white" },
  warning: { box: "border-amber-200 bg-amber-50", badge: "bg-amber-500 text-amber-950" },
};

export function LintFindings({ findings }: { findings: CryptoLintFinding[] }) {
  if (findings.length === 0) {
    return (
      <p className="text-sm text-green-800" data-testid="lint-clean">
        No weak choices found.
      </p>
    );
  }
  return (
    <ul className="space-y-2" data-testid="lint-findings">
      {findings.map((f, i) => (
        <li key={`${f.field}-${i}`} data-severity={f.severity} className={`rounded-md border px-3 py-2 text-sm ${STYLE[f.severity].box}`}>
          <div className="flex flex-wrap items-center gap-2">
            <span className={`rounded px-1.5 py-0.5 text-xs font-semibold uppercase ${STYLE[f.severity].badge}`}>{f.severity}</span>
            <span className="font-medium text-slate-900">{f.message}</span>
            <span className="font-mono text-xs text-slate-500">{f.field}</span>
          </div>
          <p className="mt-1 text-slate-700">{f.reason}</p>
          <p className="mt-0.5 text-xs text-slate-500">Source: {f.source}</p>
        </li>
      ))}
    </ul>
  );
}
