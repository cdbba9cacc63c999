// On every new contact with a router (a job connecting to it), Gatewarden looks for
// commit-confirm timers that fired there: the router restored its previous configuration
// by itself because a job never confirmed. Each such revert is written into the job that
// armed it, recorded on its tunnels (audit trail; a tunnel that was never deployed stays
// "failed"), and marked as noted on the router so it is reported once.
import "server-only";
import { appendJobLog, nextLogSeq } from "@/lib/db/jobs";
import { recordAuditEvent } from "@/lib/db/audit";
import { getTunnelDeployState, setTunnelDeployState } from "@/lib/db/gateways";
import { getDb } from "@/lib/db/client";
import type { RouterIO } from "@/lib/deploy/router-io";
import { listReverted, markRevertNoted, type RevertedRecord } from "@/lib/deploy/commit-confirm/router-timer";
import { logger } from "@/lib/log/logger";

const SYSTEM = { id: null, username: "gatewarden" };

/** Never fails the connection it rides on: a problem is logged and the next contact tries again. */
export async function noticeReverts(io: RouterIO, gateway: { id: string; name: string }): Promise<RevertedRecord[]> {
  try {
    const records = await listReverted(io);
    for (const r of records) await record(r, gateway);
    for (const r of records) await markRevertNoted(io, r.jobId);
    return records;
  } catch (e) {
    logger.warn({ err: e, gateway: gateway.name }, "could not read the router's commit-confirm reverts");
    return [];
  }
}

async function record(r: RevertedRecord, gateway: { id: string; name: string }) {
  const text = `commit-confirm reverted: ${gateway.name} was not confirmed and restored its previous configuration by itself at ${r.at} (noticed on the next contact, ${new Date().toISOString()})`;
  const job = await getDb().job.findUnique({ where: { id: r.jobId }, select: { id: true } });
  if (job) await appendJobLog(r.jobId, await nextLogSeq(r.jobId), "warn", text, gateway.name);
  for (const tunnelId of r.tunnelIds) {
    const state = await getTunnelDeployState(tunnelId);
    if (!state) continue;
    if (state.deployState !== "deployed") await setTunnelDeployState(tunnelId, "failed");
    await recordAuditEvent(SYSTEM, {
      action: "tunnel.router-reverted",
      targetType: "tunnel",
      targetId: tunnelId,
      summary: text,
      after: { gateway: gateway.id, job: r.jobId, revertedAt: r.at },
    });
  }
}
