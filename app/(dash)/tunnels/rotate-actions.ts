"use server";
// Starting PSK rotations: one tunnel, a site's tunnels, or all. Validate → authorize
// (operators and admins) → queue the rotate job → revalidate; the page follows the job.
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { requirePermission } from "@/lib/auth/session";
import { canOperateTunnels } from "@/lib/auth/permissions";
import { startPskRotation, type RotationScope } from "@/lib/rotation/start-rotation";
import { AppError } from "@/lib/errors";

export type RotateStart = { ok: true; jobId: string; tunnels: number; skipped: string[] } | { ok: false; message: string };

const id = z.string().trim().min(1).max(64);

async function start(scope: RotationScope, path: string): Promise<RotateStart> {
  try {
    const user = await requirePermission(canOperateTunnels, "rotate pre-shared keys");
    const r = await startPskRotation({ id: user.id, username: user.username }, scope);
    revalidatePath(path);
    return { ok: true, ...r };
  } catch (e) {
    if (e instanceof AppError) return { ok: false, message: e.userMessage };
    throw e;
  }
}

export async function rotateTunnelPskAction(tunnelId: string): Promise<RotateStart> {
  const parsed = id.safeParse(tunnelId);
  if (!parsed.success) return { ok: false, message: "Unknown tunnel." };
  return start({ tunnelId: parsed.data }, `/tunnels/${parsed.data}`);
}

export async function rotateSitePsksAction(siteId: string): Promise<RotateStart> {
  const parsed = id.safeParse(siteId);
  if (!parsed.success) return { ok: false, message: "Unknown site." };
  return start({ siteId: parsed.data }, `/sites/${parsed.data}`);
}

export async function rotateAllPsksAction(): Promise<RotateStart> {
  return start({ all: true }, "/tunnels");
}
