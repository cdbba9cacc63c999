"use client";
// The alert settings forms: a channel (webhook or e-mail), a rule, a PSK maximum age,
// the rotation window. Errors show next to their field; secrets are write-only.
import { useActionState, useState } from "react";
import { FormMessage, SelectField, SubmitButton, TextField } from "@/components/form-controls";
import { ActionForm } from "@/components/action-form";
import { initialFormState } from "@/lib/inventory/form-state";
import { ALERT_RULE_KINDS, DEFAULT_GRACE_SECONDS, DEFAULT_JOB_STUCK_MINUTES, RULE_KIND_LABEL } from "@/lib/alerts/rule-kinds";
import { addAlertChannelAction, addAlertRuleAction, saveRotationScheduleAction, setPskMaxAgeAction } from "../actions";

export function AddChannelForm() {
  const [state, action, pending] = useActionState(addAlertChannelAction, initialFormState);
  const [kind, setKind] = useState("webhook");
  const e = state.fieldErrors ?? {};
  return (
    <ActionForm action={action} state={state} resetOnSuccess className="space-y-3">
      <FormMessage ok={state.ok} message={state.message} />
      <TextField name="name" label="Channel name" error={e.name} placeholder="on-call webhook" />
      <SelectField
        name="kind"
        label="Kind"
        defaultValue="webhook"
        error={e.kind}
        onChange={setKind}
        options={[
          { value: "webhook", label: "Webhook (JSON POST)" },
          { value: "email", label: "E-mail (SMTP)" },
        ]}
      />
      {kind === "webhook" ? (
        <>
          <TextField name="url" label="URL" error={e.url} placeholder="https://hooks.example.net/gatewarden" />
          <TextField
            name="secret"
            type="password"
            label="Signing key (optional)"
            error={e.secret}
            autoComplete="new-password"
            hint="Signs each body with HMAC-SHA256 in the X-Gatewarden-Signature header; stored encrypted, never shown again"
          />
        </>
      ) : (
        <>
          <TextField name="host" label="SMTP server" error={e.host} placeholder="smtp.example.net" />
          <TextField name="port" label="Port" error={e.port} defaultValue="587" />
          <SelectField
            name="security"
            label="Security"
            defaultValue="starttls"
            error={e.security}
            options={[
              { value: "starttls", label: "STARTTLS required (587)" },
              { value: "tls", label: "TLS (465)" },
              { value: "none", label: "None (a relay on this machine only)" },
            ]}
          />
          <TextField name="username" label="User name (optional)" error={e.username} />
          <TextField
            name="secret"
            type="password"
            label="Password"
            error={e.secret}
            autoComplete="new-password"
            hint="Stored encrypted, never shown again"
          />
          <TextField name="from" label="From" error={e.from} placeholder="gatewarden@example.net" />
          <TextField name="to" label="To" error={e.to} placeholder="noc@example.net, oncall@example.net" />
        </>
      )}
      <SubmitButton pending={pending} pendingText="Adding…">
        Add channel
      </SubmitButton>
    </ActionForm>
  );
}

export function AddRuleForm({ channels }: { channels: { id: string; name: string }[] }) {
  const [state, action, pending] = useActionState(addAlertRuleAction, initialFormState);
  const [kind, setKind] = useState<string>("tunnel-down");
  const e = state.fieldErrors ?? {};
  return (
    <ActionForm action={action} state={state} resetOnSuccess className="space-y-3">
      <FormMessage ok={state.ok} message={state.message} />
      <TextField name="ruleName" label="Rule name" error={e.ruleName} placeholder="tunnels down" />
      <SelectField
        name="ruleKind"
        label="Watch"
        defaultValue="tunnel-down"
        error={e.ruleKind}
        onChange={setKind}
        options={ALERT_RULE_KINDS.map((k) => ({ value: k, label: RULE_KIND_LABEL[k] }))}
      />
      <SelectField
        name="channelId"
        label="Send to"
        error={e.channelId}
        options={[
          { value: "", label: channels.length ? "Choose a channel" : "Add a channel first" },
          ...channels.map((c) => ({ value: c.id, label: c.name })),
        ]}
      />
      <TextField
        name="graceSeconds"
        label="Grace period (seconds)"
        error={e.graceSeconds}
        defaultValue={String(DEFAULT_GRACE_SECONDS)}
        hint="How long the condition must last before the alert fires, so a rekey blip pages nobody"
      />
      {kind === "job-stuck" ? (
        <TextField name="threshold" label="Stuck after (minutes)" error={e.threshold} defaultValue={String(DEFAULT_JOB_STUCK_MINUTES)} />
      ) : null}
      <SubmitButton pending={pending} pendingText="Adding…">
        Add rule
      </SubmitButton>
    </ActionForm>
  );
}

export function PskMaxAgeForm({ targets }: { targets: { value: string; label: string }[] }) {
  const [state, action, pending] = useActionState(setPskMaxAgeAction, initialFormState);
  const e = state.fieldErrors ?? {};
  return (
    <ActionForm action={action} state={state} className="space-y-3">
      <FormMessage ok={state.ok} message={state.message} />
      <SelectField name="target" label="Site or tunnel" error={e.target} options={targets} />
      <TextField
        name="pskMaxAgeDays"
        label="Maximum key age (days)"
        error={e.pskMaxAgeDays}
        hint="Empty turns it off. A tunnel's own age wins over its sites'; otherwise the shorter of its two sites' applies"
      />
      <SubmitButton pending={pending} pendingText="Saving…">
        Save key age
      </SubmitButton>
    </ActionForm>
  );
}

export function RotationScheduleForm({ current }: { current: { enabled: boolean; cron: string; windowMinutes: number } | null }) {
  const [state, action, pending] = useActionState(saveRotationScheduleAction, initialFormState);
  const e = state.fieldErrors ?? {};
  return (
    <ActionForm action={action} state={state} className="space-y-3">
      <FormMessage ok={state.ok} message={state.message} />
      <label className="flex items-center gap-2 text-sm">
        <input type="checkbox" name="enabled" defaultChecked={current?.enabled ?? false} /> Rotate keys past or near their age in the window
      </label>
      <TextField
        name="cron"
        label="Window opens (cron, UTC)"
        error={e.cron}
        defaultValue={current?.cron ?? "0 3 * * 0"}
        hint="minute hour day-of-month month day-of-week, e.g. 0 3 * * 0 = Sundays 03:00 UTC"
      />
      <TextField
        name="windowMinutes"
        label="Window length (minutes)"
        error={e.windowMinutes}
        defaultValue={String(current?.windowMinutes ?? 60)}
      />
      <SubmitButton pending={pending} pendingText="Saving…">
        Save window
      </SubmitButton>
    </ActionForm>
  );
}
