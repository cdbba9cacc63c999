// A stuck rotation is never left for a restart to find: the job that could not settle a
// tunnel queues that tunnel's next recovery attempt right away (at once the first time,
// then with backoff), one job per tunnel so each is retried and shown on its own page.
import "server-only";
import { insertJob } from "@/lib/db/jobs";
import { getEnv } from "@/lib/config/env";
import type { JobContext } from "@/lib/jobs/types";
import { recoveryAttempt } from "@/lib/rotation/recovery-schedule";

export async function scheduleRecovery(ctx: JobContext<unknown>, tunnels: { tunnelId: string; label: string }[], attempt: number) {
  for (const t of tunnels) {
    const next = recoveryAttempt(attempt, getEnv().recoveryBackoffSeconds, new Date());
    if (!next) {
      await ctx.log(
        "error",
        `${t.label}: still stuck after ${attempt - 1} recovery attempt(s); no more are scheduled. Fix what keeps the routers from being reached, then press Repair on the tunnel page.`,
      );
      continue;
    }
    const { id } = await insertJob({
      kind: "rotate-recover",
      targetType: "tunnel",
      targetId: t.tunnelId,
      params: { tunnelIds: [t.tunnelId], attempt: next.attempt, notBefore: next.notBefore?.toISOString() },
      createdById: null,
      createdByName: "system (stuck rotation)",
    });
    const when = next.notBefore ? `not before ${next.notBefore.toISOString()}` : "now";
    await ctx.log("warn", `${t.label}: recovery job ${id} queued (attempt ${next.attempt} of ${next.of}, ${when})`);
  }
}
