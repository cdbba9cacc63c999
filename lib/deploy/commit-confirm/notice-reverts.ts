// On every new contact with a router (a job connecting to it), Gatewarden looks for
// commit-confirm timers that fired there: the router restored its previous configuration
// by itself because a job never confirmed. Each such revert is written into the job that
// armed it, recorded on its tunnels (audit trail; a tunnel that was never deployed stays
// "failed"), and marked as noted on the router so it is reported once.
import "server-only";
import { appendJobLog, getJobStatus, nextLogSeq } from "@/lib/db/jobs";
import { recordAuditEvent } from "@/lib/db/audit";
import { getTunnelDeployState, setTunnelDeployState } from "@/lib/db/gateways";
import type { RouterIO } from "@/lib/deploy/router-io";
import { listReverted, markRevertNoted, type RevertedRecord } from "@/lib/deploy/commit-confirm/router-timer";
import { logger } from "@/lib/log/logger";
import type { JobContext } from "@/lib/jobs/types";

const SYSTEM = { id: null, username: "gatewarden" };

/** Never fails the connection it rides on: a problem is logged and the next contact tries again. */
export async function noticeReverts(
  io: RouterIO,
  gateway: { id: string; name: string },
  current?: Pick<JobContext<unknown>, "jobId" | "log">,
): Promise<RevertedRecord[]> {
  try {
    const noted: RevertedRecord[] = [];
    for (const r of await listReverted(io)) {
      if (await record(r, gateway, current)) noted.push(r);
    }
    for (const r of noted) await markRevertNoted(io, r.jobId);
    return noted;
  } catch (e) {
    logger.warn({ err: e, gateway: gateway.name }, "could not read the router's commit-confirm reverts");
    return [];
  }
}

/** Records one revert; false when its job still runs elsewhere (that job reports it itself, or a later contact does). */
async function record(r: RevertedRecord, gateway: { id: string; name: string }, current?: Pick<JobContext<unknown>, "jobId" | "log">) {
  const text = `commit-confirm reverted: ${gateway.name} was not confirmed and restored its previous configuration by itself at ${r.at} (noticed on the next contact, ${new Date().toISOString()})`;
  // A rotation names a later batch's timer "<job>-<n>", a "b" round's "<job>-b" (job ids have no "-").
  const jobId = r.jobId.replace(/-.*$/, "");
  const status = await getJobStatus(jobId);
  if (jobId === current?.jobId) await current.log("warn", text, gateway.name);
  else if (status === "running" || status === "queued") return false;
  else if (status) await appendJobLog(jobId, await nextLogSeq(jobId), "warn", text, gateway.name);
  for (const tunnelId of r.tunnelIds) {
    const state = await getTunnelDeployState(tunnelId);
    if (!state) continue;
    if (state.deployState !== "deployed") await setTunnelDeployState(tunnelId, "failed");
    await recordAuditEvent(SYSTEM, {
      action: "tunnel.router-reverted",
      targetType: "tunnel",
      targetId: tunnelId,
      summary: text,
      after: { gateway: gateway.id, job: jobId, revertedAt: r.at },
    });
  }
  return true;
}
