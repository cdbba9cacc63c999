"use server";
import { z } from "zod";
import { authenticatedAction, idArg } from "@/lib/actions/action-client";
import { canRevealPsk } from "@/lib/auth/permissions";
import { revealPsk } from "@/lib/inventory/reveal-psk";

export type RevealResult = { ok: true; psk: string; version: number } | { ok: false; message: string };

/** Returns the active PSK to an admin who clicked "Reveal"; audited in lib/inventory. */
export const revealTunnelPsk = authenticatedAction({
  name: "revealTunnelPsk",
  can: canRevealPsk,
  what: "reveal pre-shared keys",
  args: z.tuple([idArg]),
  run: async ({ actor }, [tunnelId]): Promise<RevealResult> => {
    const { psk, version } = await revealPsk(actor, tunnelId);
    return { ok: true, psk, version };
  },
});
