"use server";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { authenticatedAction, formDataArg, idArg, previousStateArg } from "@/lib/actions/action-client";
import { canManageInventory } from "@/lib/auth/permissions";
import { setSiteProbeTarget } from "@/lib/inventory/edit-inventory";
import { formFields, type FormState } from "@/lib/inventory/form-state";

export const setProbeTargetAction = authenticatedAction({
  name: "setProbeTarget",
  can: canManageInventory,
  what: "change sites",
  args: z.tuple([idArg, previousStateArg, formDataArg]),
  run: async ({ actor }, [siteId, , fd]): Promise<FormState> => {
    const { probeTarget } = formFields(fd);
    await setSiteProbeTarget(actor, siteId, probeTarget);
    // Tunnel lists and pages name the probed path.
    revalidatePath("/", "layout");
    return {
      ok: true,
      message: probeTarget?.trim()
        ? `Health now pings ${probeTarget} through this site's tunnels.`
        : "Health probes router to router only.",
    };
  },
});
