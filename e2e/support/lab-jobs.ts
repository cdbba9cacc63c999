// For integration tests on lab routers: the app on a lab (a fresh database, the first
// admin, the lab's routers registered with pinned host keys, the real job runner), tunnels
// added through the app's use case, and jobs run through that runner to their end.
import { createAdmin, freshAppDatabase } from "./app-db";
import { startLab, stopLab, type LabState, type StartLabOptions } from "@/e2e/lab/lab";

export type Actor = { id: string; username: string };

export type LabApp = { lab: LabState; admin: Actor; gatewayIds: Map<string, string>; tunnelIds: string[] };

/** The app on a running lab (the shared VM lab, or one just started): fresh database, admin, routers registered, job runner started. */
export async function startAppOnLab(lab: LabState, opts: { tunnels?: "hub-and-spoke" | "none" } = {}): Promise<LabApp> {
  await freshAppDatabase();
  const admin = await createAdmin();
  const { registerLab } = await import("@/e2e/lab/register");
  const { gatewayIds, tunnelIds } = await registerLab(lab, admin, { tunnels: opts.tunnels });
  const { getJobRunner } = await import("@/lib/jobs/runtime");
  await getJobRunner().start();
  return { lab, admin, gatewayIds, tunnelIds };
}

/** A namespace lab of its own (`opts.name`, unique per test file) with the app on it. */
export async function startLabApp(opts: StartLabOptions & { name: string; tunnels?: "hub-and-spoke" | "none" }): Promise<LabApp> {
  return startAppOnLab(await startLab(opts), opts);
}

/** Stops the job runner and, when named, the lab it was started with (the shared VM lab is released by its owner). */
export async function stopLabApp(labName?: string): Promise<void> {
  const { getJobRunner } = await import("@/lib/jobs/runtime");
  await getJobRunner().stop();
  if (labName) await stopLab(labName);
}

export async function addLabTunnel(
  actor: Actor,
  gatewayIds: Map<string, string>,
  t: { kind?: "net-to-net" | "host-to-host"; a: string; b: string; profile: string },
): Promise<string> {
  const { createTunnel } = await import("@/lib/inventory/host-tunnel");
  const { listCryptoProfiles } = await import("@/lib/db/inventory");
  const profile = (await listCryptoProfiles()).find((p) => p.name === t.profile);
  if (!profile) throw new Error(`no crypto profile named ${t.profile}`);
  const { tunnelId } = await createTunnel(actor, {
    kind: t.kind ?? "net-to-net",
    gatewayAId: gatewayIds.get(t.a)!,
    gatewayBId: gatewayIds.get(t.b)!,
    cryptoProfileId: profile.id,
  });
  return tunnelId;
}

/** Queues a job and waits (bounded) until it has finished; returns the job with steps and logs. */
export async function runJobToEnd(actor: Actor, kind: string, params: Record<string, unknown>, targetId = String(params.tunnelId ?? "")) {
  const { enqueueJob } = await import("@/lib/jobs/runtime");
  return waitForJobEnd(await enqueueJob({ kind, targetType: "tunnel", targetId, params, actor }));
}

/** Waits (bounded: 3 minutes) until a queued job has finished; returns it with steps and logs. */
export async function waitForJobEnd(id: string) {
  const { getJob } = await import("@/lib/db/jobs");
  for (let i = 0; i < 1800; i++) {
    const job = await getJob(id);
    if (job && job.status !== "queued" && job.status !== "running") return job;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`job ${id} did not finish within 3 minutes`);
}

/** The tunnel's connection name on the routers (readable, stored on the tunnel: lib/rendering/connection-name). */
export async function connectionNameOf(tunnelId: string): Promise<string> {
  const { getDb } = await import("@/lib/db/client");
  const t = await getDb().tunnel.findUniqueOrThrow({ where: { id: tunnelId }, select: { connectionName: true } });
  if (!t.connectionName) throw new Error(`tunnel ${tunnelId} has no connection name yet`);
  return t.connectionName;
}

/**
 * A deploy job row and its context, for a test that runs the deploy handler itself (with
 * a fault-injecting connect): the job runner is stopped first, so it does not also take
 * the row. The caller starts it again when done.
 */
export async function deployJobOutsideRunner(actor: Actor, params: { tunnelId: string } | { tunnelIds: string[] }) {
  const { insertJob } = await import("@/lib/db/jobs");
  const { createJobContext } = await import("@/lib/jobs/context");
  await (await import("@/lib/jobs/runtime")).getJobRunner().stop();
  const one = "tunnelId" in params;
  const { id } = await insertJob({
    kind: "deploy",
    targetType: one ? "tunnel" : "fleet",
    targetId: one ? params.tunnelId : "all",
    params,
    createdById: actor.id,
    createdByName: actor.username,
  });
  return { id, ctx: await createJobContext(id, "deploy", params, actor) };
}
