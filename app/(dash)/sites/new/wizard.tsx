"use client";
// The branch-office wizard: four steps in one form. Next asks the server to check the
// steps so far with the final submit's own rules (nothing is written) and shows all of
// their errors at once; the submit checks everything again. Every field stays mounted
// so the server sees the whole office; on an error the wizard opens the first step
// with a highlighted field.
import { useActionState, useEffect, useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import { ActionForm } from "@/components/action-form";
import { FormMessage, SelectField, TextArea, TextField } from "@/components/form-controls";
import { initialFormState } from "@/lib/inventory/form-state";
import type { PlatformOption } from "@/lib/platforms";
import { WIZARD_STEPS as STEPS, firstStepWithError } from "@/lib/inventory/branch-office-steps";
import type { FormState } from "@/lib/inventory/form-state";
import { addBranchOffice, checkBranchOfficeStepAction } from "./actions";
import { ProfileSelect } from "@/components/profile-select";
import { SshSignInFields, type SshCredentialChoice } from "@/components/ssh-sign-in-fields";
import type { ProfileChoice } from "@/lib/inventory/profile-choice";

type Hub = { id: string; label: string; platform: string };

type Props = {
  hubs: Hub[];
  profiles: ProfileChoice[];
  platforms: PlatformOption[];
  /** The named SSH credentials a gateway can sign in with (lib/credentials). */
  credentials: SshCredentialChoice[];
  /** Why this role cannot add sites: the steps are shown for reference, Create is disabled. */
  deniedReason: string | null;
};

export function BranchOfficeWizard({ hubs, profiles, platforms, credentials, deniedReason }: Props) {
  const [state, action, pending] = useActionState(addBranchOffice, initialFormState);
  const [step, setStep] = useState(0);
  const [checking, startCheck] = useTransition();
  const [role, setRole] = useState(hubs.length === 0 ? "hub" : "branch");
  const [pskMode, setPskMode] = useState("generate");
  const [platform, setPlatform] = useState<string>(platforms[0]!.id);
  const [hubId, setHubId] = useState(hubs[0]?.id ?? "");
  const router = useRouter();
  // What the server said last: the submit's answer or a step check's.
  const [shown, setShown] = useState<FormState>(state);
  const errors = shown.fieldErrors ?? {};

  // A new answer to the submit: show it, on the first step that has a field error.
  const [answered, setAnswered] = useState(state);
  if (answered !== state) {
    setAnswered(state);
    setShown(state);
    const firstBad = firstStepWithError(state.fieldErrors ?? {});
    if (firstBad >= 0) setStep(firstBad);
  }

  const next = (form: HTMLFormElement) => {
    // A role that cannot add sites may still page through the form to read it.
    if (deniedReason) return setStep(step + 1);
    const fd = new FormData(form);
    startCheck(async () => {
      const answer = await checkBranchOfficeStepAction(step, fd);
      setShown(answer.ok ? initialFormState : answer);
      const firstBad = answer.ok ? -1 : firstStepWithError(answer.fieldErrors ?? {});
      if (answer.ok) setStep(step + 1);
      else if (firstBad >= 0) setStep(firstBad);
    });
  };
  useEffect(() => {
    if (state.ok && state.id) router.push(`/sites/${state.id}`);
  }, [state, router]);

  const hubPlatform = hubs.find((h) => h.id === hubId)?.platform;

  return (
    <ActionForm action={action} state={state} className="max-w-3xl space-y-6">
      <ol className="flex gap-2 text-sm" aria-label="Wizard steps">
        {STEPS.map((s, i) => {
          const hasError = s.fields.some((f) => errors[f]);
          return (
            <li key={s.title}>
              <button
                type="button"
                onClick={() => setStep(i)}
                aria-current={step === i ? "step" : undefined}
                className={`rounded-full px-3 py-1 ${step === i ? "bg-blue-700 text-white" : "bg-slate-200 text-slate-700"} ${hasError ? "ring-2 ring-red-500" : ""}`}
              >
                {i + 1}. {s.title}
              </button>
            </li>
          );
        })}
      </ol>
      <FormMessage ok={shown.ok} message={shown.message} />

      <fieldset hidden={step !== 0} className="space-y-4 rounded-lg border border-slate-200 bg-white p-6">
        <legend className="px-1 text-sm font-semibold">Step 1 · Site</legend>
        <TextField name="siteName" label="Site name" error={errors.siteName} placeholder="Oslo branch" />
        <TextField name="description" label="Description (optional)" error={errors.description} />
        <TextArea
          name="subnets"
          label="LAN subnets"
          error={errors.subnets}
          placeholder={"192.168.10.0/24"}
          hint="One CIDR per line; must not overlap any other site."
        />
        <TextField
          name="probeTarget"
          label="Health probe target (optional)"
          error={errors.probeTarget}
          placeholder="192.168.10.10"
          hint="A host on this LAN that health pings through the site's tunnels. Empty: the routers ping each other only."
        />
      </fieldset>

      <fieldset hidden={step !== 1} className="grid grid-cols-2 gap-4 rounded-lg border border-slate-200 bg-white p-6">
        <legend className="px-1 text-sm font-semibold">Step 2 · Gateway</legend>
        <TextField name="gatewayName" label="Gateway name" error={errors.gatewayName} placeholder="oslo-gw" />
        <SelectField
          name="platform"
          label="Platform"
          error={errors.platform}
          defaultValue={platforms[0]!.id}
          onChange={setPlatform}
          options={platforms.map((p) => ({ value: p.id, label: p.label }))}
        />
        <div hidden={(platforms.find((p) => p.id === platform)?.ipsecStacks.length ?? 1) < 2}>
          <SelectField
            name="ipsecStack"
            label="IPsec done by"
            error={errors.ipsecStack}
            defaultValue=""
            options={[
              { value: "", label: "The kernel (XFRM), as production routers do" },
              { value: "libipsec", label: "strongSwan in userspace (kernel-libipsec: no transport mode, no IPComp)" },
            ]}
          />
        </div>
        <TextField name="publicIp" label="Public IP (tunnel endpoint)" error={errors.publicIp} placeholder="198.18.0.20" />
        <TextField name="lanAddress" label="LAN address (SRCGW)" error={errors.lanAddress} placeholder="192.168.10.254" />
        <TextField name="wanInterface" label="WAN interface" error={errors.wanInterface} defaultValue="eth0" />
        <TextField name="lanInterface" label="LAN interface" error={errors.lanInterface} defaultValue="eth1" />
      </fieldset>

      <fieldset hidden={step !== 2} className="grid grid-cols-2 gap-4 rounded-lg border border-slate-200 bg-white p-6">
        <legend className="px-1 text-sm font-semibold">Step 3 · SSH access</legend>
        <TextField name="sshHost" label="SSH address (optional)" error={errors.sshHost} hint="Defaults to the public IP" />
        <TextField name="sshPort" label="SSH port" error={errors.sshPort} defaultValue="22" />
        <TextField name="sshUser" label="SSH user" error={errors.sshUser} defaultValue="root" />
        <SshSignInFields mode="new" credentials={credentials} errors={errors} />
      </fieldset>

      <fieldset hidden={step !== 3} className="grid grid-cols-2 gap-4 rounded-lg border border-slate-200 bg-white p-6">
        <legend className="px-1 text-sm font-semibold">Step 4 · Tunnel</legend>
        <SelectField
          name="role"
          label="This site is"
          error={errors.role}
          defaultValue={role}
          onChange={setRole}
          options={[
            ...(hubs.length ? [{ value: "branch", label: "A branch office (connect it to a hub)" }] : []),
            { value: "hub", label: "The hub / headquarters (no tunnel yet)" },
          ]}
        />
        <div hidden={role !== "branch"}>
          <SelectField
            name="hubGatewayId"
            label="Hub gateway"
            error={errors.hubGatewayId}
            defaultValue={hubId}
            onChange={setHubId}
            options={hubs.map((h) => ({ value: h.id, label: h.label }))}
          />
        </div>
        <div hidden={role !== "branch"} className="col-span-2 grid grid-cols-2 gap-4">
          <ProfileSelect choices={profiles} platforms={[platform, ...(hubPlatform ? [hubPlatform] : [])]} error={errors.cryptoProfileId} />
          <SelectField
            name="pskMode"
            label="Pre-shared key"
            error={errors.pskMode}
            defaultValue="generate"
            onChange={setPskMode}
            options={[
              { value: "generate", label: "Generate a strong key (256 bits)" },
              { value: "custom", label: "Type one in" },
            ]}
          />
          <div hidden={pskMode !== "custom"} className="col-span-2">
            <TextField
              name="pskValue"
              type="password"
              label="Your pre-shared key"
              error={errors.pskValue}
              hint="20+ characters, no spaces, quotes, \\ $ ` # ;"
            />
          </div>
          <TextField
            name="localInterface"
            label="Interface on this gateway (optional)"
            error={errors.localInterface}
            placeholder="next free ipsecN"
          />
          <TextField
            name="hubInterface"
            label="Interface on the hub (optional)"
            error={errors.hubInterface}
            placeholder="next free ipsecN"
          />
        </div>
      </fieldset>

      <div className="flex gap-3">
        {step > 0 ? (
          <button
            key="back"
            type="button"
            onClick={() => setStep(step - 1)}
            className="rounded-md border border-slate-300 bg-white px-4 py-2 text-sm"
          >
            Back
          </button>
        ) : null}
        {step < STEPS.length - 1 ? (
          // Distinct keys: reusing one DOM node would turn the clicked "Next" into a
          // submit button during its own click, and the browser would submit the form.
          <button
            key="next"
            type="button"
            disabled={checking}
            aria-busy={checking}
            onClick={(e) => next(e.currentTarget.form!)}
            className="rounded-md bg-slate-800 px-4 py-2 text-sm text-white disabled:cursor-wait disabled:opacity-60"
          >
            {checking ? "Checking…" : "Next"}
          </button>
        ) : (
          <button
            key="submit"
            type="submit"
            disabled={pending || !!deniedReason}
            aria-busy={pending}
            title={deniedReason ?? undefined}
            className="rounded-md bg-blue-700 px-4 py-2 text-sm font-semibold text-white disabled:cursor-not-allowed disabled:opacity-60"
          >
            {pending ? "Creating…" : "Create branch office"}
          </button>
        )}
        {deniedReason && step === STEPS.length - 1 ? (
          <span className="self-center text-xs text-slate-500" data-testid="denied-reason">
            {deniedReason}
          </span>
        ) : null}
      </div>
    </ActionForm>
  );
}
