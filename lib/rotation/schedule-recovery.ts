// A stuck rotation is never left for a restart to find: the job that could not settle a
// tunnel queues that tunnel's next recovery attempt right away (at once the first time,
// then with backoff, capped: never given up), one job per tunnel so each is retried and shown on its own page.
import "server-only";
import { insertJob } from "@/lib/db/jobs";
import { getEnv } from "@/lib/config/env";
import type { JobContext } from "@/lib/jobs/types";
import { recoveryAttempt } from "@/lib/rotation/recovery-schedule";

export async function scheduleRecovery(ctx: JobContext<unknown>, tunnels: { tunnelId: string; label: string }[], attempt: number) {
  for (const t of tunnels) {
    const next = recoveryAttempt(attempt, getEnv().recoveryBackoffSeconds, new Date());
    if (!next) throw new Error(`bad recovery attempt ${attempt}`);
    const { notBefore } = next;
    const { id } = await insertJob({
      kind: "rotate-recover",
      targetType: "tunnel",
      targetId: t.tunnelId,
      params: { tunnelIds: [t.tunnelId], attempt: next.attempt, notBefore: notBefore?.toISOString() },
      createdById: null,
      createdByName: "system (stuck rotation)",
    });
    const when = notBefore ? `not before ${notBefore.toISOString()}` : "now";
    const which = next.capped
      ? `attempt ${next.attempt}: still stuck after the ${next.of} scheduled attempts, retried at the longest wait until it settles; Repair on the tunnel page does it now`
      : `attempt ${next.attempt} of ${next.of}`;
    await ctx.log(next.capped ? "error" : "warn", `${t.label}: recovery job ${id} queued (${which}, ${when})`);
  }
}
