// The tunnels table used on the site, gateway and tunnels pages.
import { ScrollTable } from "@/components/ui";
import Link from "next/link";
import type { TunnelDetail } from "@/lib/db/inventory";
import { HealthBadge } from "@/components/health-badge";
import { When } from "@/components/when";
import { probedPathsLabel } from "@/lib/health/parse-ping";

type TunnelRow = Pick<TunnelDetail, "id" | "kind" | "ends" | "cryptoProfile" | "healthState" | "healthReason" | "healthAt">;

export function TunnelTable({ tunnels }: { tunnels: TunnelRow[] }) {
  if (tunnels.length === 0) return <p className="text-sm text-slate-500">No tunnels.</p>;
  return (
    <ScrollTable testId="tunnel-table">
      <thead className="text-left text-slate-500">
        <tr>
          <th className="py-1.5 pr-4">Tunnel</th>
          <th className="py-1.5 pr-4">Type</th>
          <th className="py-1.5 pr-4">End A</th>
          <th className="py-1.5 pr-4">End B</th>
          <th className="py-1.5 pr-4">Profile</th>
          <th className="py-1.5 pr-4">Health</th>
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-100">
        {tunnels.map((t) => {
          const [a, b] = t.ends;
          const probed = probedPathsLabel(
            t.kind,
            t.ends.map((e) => ({ siteName: e.gateway.site.name, probeTarget: e.gateway.site.probeTarget })),
          );
          return (
            <tr key={t.id}>
              <td className="py-1.5 pr-4">
                <Link href={`/tunnels/${t.id}`} className="font-medium text-blue-800 hover:underline">
                  {a?.gateway.site.name} ↔ {b?.gateway.site.name}
                </Link>
              </td>
              <td className="py-1.5 pr-4">{t.kind}</td>
              <td className="py-1.5 pr-4 font-mono">
                {a?.gateway.name} {a?.interfaceName}
              </td>
              <td className="py-1.5 pr-4 font-mono">
                {b?.gateway.name} {b?.interfaceName}
              </td>
              <td className="py-1.5 pr-4">{t.cryptoProfile.name}</td>
              <td className="py-1.5 pr-4" data-testid="tunnel-health" title={t.healthReason ?? undefined}>
                <HealthBadge state={t.healthState} title={t.healthReason} />
                {t.healthAt ? (
                  <span className="ml-2 text-xs text-slate-500">
                    <When date={t.healthAt} prefix="since" />
                  </span>
                ) : null}
                <span className="block text-xs text-slate-500" data-testid="tunnel-probe-path">
                  probes {probed.text}
                </span>
              </td>
            </tr>
          );
        })}
      </tbody>
    </ScrollTable>
  );
}
