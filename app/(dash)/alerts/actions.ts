"use server";
// An admin's work on the alert settings, through the action wrapper
// (lib/actions/action-client.ts: authenticate → authorize → validate → run), then revalidates.
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { authenticatedAction, formDataArg, idArg, previousStateArg } from "@/lib/actions/action-client";
import { canManageAlerts } from "@/lib/auth/permissions";
import { formFields, type FormState } from "@/lib/inventory/form-state";
import {
  createAlertChannel,
  createAlertRule,
  deleteAlertChannel,
  deleteAlertRule,
  setAlertChannelOn,
  setAlertRuleOn,
  setPskMaxAgeFor,
  updateRotationSchedule,
} from "@/lib/alerts/manage-alerts";

const what = "configure alerts";
const done = (message: string): FormState => {
  revalidatePath("/alerts", "layout");
  return { ok: true, message };
};

export const addAlertChannelAction = authenticatedAction({
  name: "addAlertChannel",
  can: canManageAlerts,
  what,
  args: z.tuple([previousStateArg, formDataArg]),
  run: async ({ actor }, [, fd]) => done(`Added the channel ${(await createAlertChannel(actor, formFields(fd))).name}.`),
});

export const setAlertChannelEnabledAction = authenticatedAction({
  name: "setAlertChannelEnabled",
  can: canManageAlerts,
  what,
  args: z.tuple([idArg, z.boolean()]),
  run: async ({ actor }, [id, on]) => done(`${(await setAlertChannelOn(actor, id, on)).name} is ${on ? "enabled" : "disabled"}.`),
});

export const deleteAlertChannelAction = authenticatedAction({
  name: "deleteAlertChannel",
  can: canManageAlerts,
  what,
  args: z.tuple([idArg]),
  run: async ({ actor }, [id]) => done(`Deleted the channel ${(await deleteAlertChannel(actor, id)).name}.`),
});

export const addAlertRuleAction = authenticatedAction({
  name: "addAlertRule",
  can: canManageAlerts,
  what,
  args: z.tuple([previousStateArg, formDataArg]),
  run: async ({ actor }, [, fd]) => done(`Added the rule ${(await createAlertRule(actor, formFields(fd))).name}.`),
});

export const setAlertRuleEnabledAction = authenticatedAction({
  name: "setAlertRuleEnabled",
  can: canManageAlerts,
  what,
  args: z.tuple([idArg, z.boolean()]),
  run: async ({ actor }, [id, on]) => done(`${(await setAlertRuleOn(actor, id, on)).name} is ${on ? "enabled" : "disabled"}.`),
});

export const deleteAlertRuleAction = authenticatedAction({
  name: "deleteAlertRule",
  can: canManageAlerts,
  what,
  args: z.tuple([idArg]),
  run: async ({ actor }, [id]) => done(`Deleted the rule ${(await deleteAlertRule(actor, id)).name}.`),
});

export const setPskMaxAgeAction = authenticatedAction({
  name: "setPskMaxAge",
  can: canManageAlerts,
  what,
  args: z.tuple([previousStateArg, formDataArg]),
  run: async ({ actor }, [, fd]) => {
    const fields = formFields(fd);
    // "site:<id>" or "tunnel:<id>", from the form's select.
    const target = z
      .string()
      .regex(/^(site|tunnel):[A-Za-z0-9_-]{1,64}$/)
      .safeParse(fields.target);
    if (!target.success) return { ok: false, message: "Choose a site or tunnel.", fieldErrors: { target: "choose a site or tunnel" } };
    const [kind, id] = target.data.split(":") as [string, string];
    const days = await setPskMaxAgeFor(actor, kind === "site" ? { siteId: id } : { tunnelId: id }, fields);
    return done(days ? `Maximum PSK age set to ${days} days.` : "Maximum PSK age turned off.");
  },
});

export const saveRotationScheduleAction = authenticatedAction({
  name: "saveRotationSchedule",
  can: canManageAlerts,
  what,
  args: z.tuple([previousStateArg, formDataArg]),
  run: async ({ actor }, [, fd]) => {
    const row = await updateRotationSchedule(actor, formFields(fd));
    return done(row.enabled ? "Scheduled rotation is on." : "Scheduled rotation is off.");
  },
});
