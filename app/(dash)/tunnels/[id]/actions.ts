"use server";
import { requirePermission } from "@/lib/auth/session";
import { canRevealPsk } from "@/lib/auth/permissions";
import { revealPsk } from "@/lib/inventory/reveal-psk";
import { AppError } from "@/lib/errors";

export type RevealResult = { ok: true; psk: string; version: number } | { ok: false; message: string };

/** Returns the active PSK to an admin who clicked "Reveal"; audited in lib/inventory. */
export async function revealTunnelPsk(tunnelId: string): Promise<RevealResult> {
  try {
    const user = await requirePermission(canRevealPsk, "reveal pre-shared keys");
    const { psk, version } = await revealPsk({ id: user.id, username: user.username }, tunnelId);
    return { ok: true, psk, version };
  } catch (e) {
    if (e instanceof AppError) return { ok: false, message: e.userMessage };
    throw e;
  }
}
