import Link from "next/link";
import { requirePageUser } from "@/lib/auth/session";
import { canManageAlerts } from "@/lib/auth/permissions";
import { getRotationSchedule, listAlertChannels, listAlertRules, listPskPolicyTargets } from "@/lib/db/alert-config";
import { loadSnapshotTunnels } from "@/lib/db/alerts";
import { pskAgeOf } from "@/lib/alerts/psk-age";
import { tunnelName } from "@/lib/alerts/conditions";
import { parseStoredConfig } from "@/lib/alerts/channel-config";
import { RULE_KIND_LABEL, type AlertRuleKind } from "@/lib/alerts/rule-kinds";
import { nextWindows } from "@/lib/rotation/maintenance-window";
import { ActionButton } from "@/components/action-button";
import { Card, EmptyState, PageHeader } from "@/components/ui";
import { deleteAlertChannelAction, deleteAlertRuleAction, setAlertChannelEnabledAction, setAlertRuleEnabledAction } from "../actions";
import { AddChannelForm, AddRuleForm, PskMaxAgeForm, RotationScheduleForm } from "./alert-forms";

export const metadata = { title: "Alert settings" };

function channelTarget(kind: string, config: string): string {
  const c = parseStoredConfig(kind, config);
  return c.kind === "webhook" ? c.config.url : `${c.config.to.join(", ")} via ${c.config.host}:${c.config.port}`;
}

export default async function AlertSettingsPage() {
  const user = await requirePageUser();
  if (!canManageAlerts(user.role)) return <p role="alert">Only admins configure alerts.</p>;
  const now = new Date();
  const [channels, rules, targets, schedule, tunnels] = await Promise.all([
    listAlertChannels(),
    listAlertRules(),
    listPskPolicyTargets(),
    getRotationSchedule(),
    loadSnapshotTunnels({ withKeyAge: true }),
  ]);
  const ages = tunnels
    .map((t) => ({ t, age: pskAgeOf(t, now) }))
    .filter((x) => x.age && x.age.status !== "ok")
    .sort((a, b) => a.age!.expiresAt.getTime() - b.age!.expiresAt.getTime());
  const upcoming = schedule?.enabled ? nextWindows(schedule.cron, 3, now) : [];
  return (
    <>
      <PageHeader
        title="Alert settings"
        subtitle="Channels, rules, PSK age policy and the rotation window"
        actions={
          <Link href="/alerts" className="text-sm text-blue-700 hover:underline">
            Back to alerts
          </Link>
        }
      />
      <div className="grid gap-6 lg:grid-cols-2">
        <Card title="Channels">
          {channels.length ? (
            <ul className="divide-y divide-slate-100 text-sm" data-testid="alert-channels">
              {channels.map((c) => (
                <li key={c.id} className="space-y-1 py-2">
                  <div>
                    <span className="font-medium">{c.name}</span> <span className="text-slate-500">({c.kind})</span>
                    {c.enabled ? null : <span className="ml-2 text-amber-700">disabled</span>}
                  </div>
                  <div className="break-all text-xs text-slate-600">
                    {channelTarget(c.kind, c.config)} · {c.hasSecret ? (c.kind === "webhook" ? "signed" : "password set") : "no secret"} ·{" "}
                    {c._count.rules} rule
                    {c._count.rules === 1 ? "" : "s"}
                  </div>
                  <div className="flex gap-2">
                    <ActionButton
                      label={c.enabled ? "Disable" : "Enable"}
                      action={setAlertChannelEnabledAction.bind(null, c.id, !c.enabled)}
                    />
                    <ActionButton
                      label="Delete"
                      danger
                      confirm={`Delete the channel ${c.name}, its rules and their alert history?`}
                      action={deleteAlertChannelAction.bind(null, c.id)}
                    />
                  </div>
                </li>
              ))}
            </ul>
          ) : (
            <EmptyState title="No channels">Add a webhook or an e-mail channel, then rules that send to it.</EmptyState>
          )}
        </Card>
        <Card title="Add a channel">
          <AddChannelForm />
        </Card>
        <Card title="Rules">
          {rules.length ? (
            <ul className="divide-y divide-slate-100 text-sm" data-testid="alert-rules">
              {rules.map((r) => (
                <li key={r.id} className="space-y-1 py-2">
                  <div>
                    <span className="font-medium">{r.name}</span>
                    {r.enabled ? null : <span className="ml-2 text-amber-700">disabled</span>}
                  </div>
                  <div className="text-xs text-slate-600">
                    {RULE_KIND_LABEL[r.kind as AlertRuleKind] ?? r.kind} · grace {r.graceSeconds} s
                    {r.kind === "job-stuck" && r.threshold ? ` · stuck after ${r.threshold} min` : ""} → {r.channel.name}
                  </div>
                  <div className="flex gap-2">
                    <ActionButton
                      label={r.enabled ? "Disable" : "Enable"}
                      action={setAlertRuleEnabledAction.bind(null, r.id, !r.enabled)}
                    />
                    <ActionButton
                      label="Delete"
                      danger
                      confirm={`Delete the rule ${r.name} and its alert history?`}
                      action={deleteAlertRuleAction.bind(null, r.id)}
                    />
                  </div>
                </li>
              ))}
            </ul>
          ) : (
            <EmptyState title="No rules">Nothing is watched yet.</EmptyState>
          )}
        </Card>
        <Card title="Add a rule">
          <AddRuleForm channels={channels.map((c) => ({ id: c.id, name: c.name }))} />
        </Card>
        <Card title="Keys past or near their maximum age">
          {ages.length ? (
            <table className="w-full text-sm" data-testid="psk-ages">
              <thead className="text-left text-slate-500">
                <tr>
                  <th className="py-1.5 font-medium">Tunnel</th>
                  <th className="py-1.5 font-medium">Age</th>
                  <th className="py-1.5 font-medium">Maximum</th>
                  <th className="py-1.5 font-medium" />
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {ages.map(({ t, age }) => (
                  <tr key={t.id}>
                    <td className="py-1.5">
                      <Link href={`/tunnels/${t.id}`} className="text-blue-700 hover:underline">
                        {tunnelName(t)}
                      </Link>
                    </td>
                    <td className="py-1.5">{age!.ageDays} days</td>
                    <td className="py-1.5">{age!.maxAgeDays} days</td>
                    <td className={`py-1.5 ${age!.status === "expired" ? "text-red-800" : "text-amber-700"}`}>
                      {age!.status === "expired" ? "past its age" : `due ${age!.expiresAt.toISOString().slice(0, 10)}`}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <EmptyState title="No key is due">Keys past or near their maximum age are listed here.</EmptyState>
          )}
        </Card>
        <Card title="Maximum key age">
          <PskMaxAgeForm
            targets={[
              ...targets.sites.map((s) => ({
                value: `site:${s.id}`,
                label: `Site ${s.name}${s.pskMaxAgeDays ? ` (now ${s.pskMaxAgeDays} days)` : " (off)"}`,
              })),
              ...targets.tunnels.map((t) => ({
                value: `tunnel:${t.id}`,
                label: `Tunnel ${t.name}${t.pskMaxAgeDays ? ` (now ${t.pskMaxAgeDays} days)` : " (site's)"}`,
              })),
            ]}
          />
        </Card>
        <Card title="Scheduled rotation">
          <RotationScheduleForm
            current={schedule ? { enabled: schedule.enabled, cron: schedule.cron, windowMinutes: schedule.windowMinutes } : null}
          />
          {upcoming.length ? (
            <p className="mt-3 text-xs text-slate-600" data-testid="next-windows">
              Next windows (UTC): {upcoming.map((d) => d.toISOString().replace("T", " ").slice(0, 16)).join(", ")}
            </p>
          ) : null}
        </Card>
      </div>
    </>
  );
}
