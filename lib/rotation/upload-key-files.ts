// Phase one of applyKeyVersion, run once per role: one role's ends get the key's secret
// files (0600, over SFTP), every router at once, each router in one step for all its
// tunnels, several tunnels' files at once. Every "a" end before any "b" end, and each end's held version recorded right
// after its upload, so a crash in between leaves rows crash recovery can decide from.
import "server-only";
import { recordEndPskVersion } from "@/lib/db/rotation";
import { parallelGateways } from "@/lib/config/env";
import { mapBounded } from "@/lib/jobs/concurrency";
import { JobFailure, type JobContext } from "@/lib/jobs/types";
import { sharesSecretFile, writeSecretFiles } from "@/lib/rotation/key-steps";
import { CHANNELS_PER_SESSION } from "@/lib/deploy/fleet-plan";
import { byGateway, fail, message, touchedEnds, tunnels, type KeyEvents, type KeyTarget } from "@/lib/rotation/key-target";
import type { EndRole } from "@/lib/rotation/rotation-state";
import type { SessionCache } from "@/lib/rotation/session-cache";

export async function uploadKeyFiles<T extends KeyTarget>(
  ctx: JobContext<unknown>,
  sessions: SessionCache,
  targets: T[],
  role: EndRole,
  events: KeyEvents<T>,
) {
  const ends = targets.flatMap((t) =>
    touchedEnds(t)
      .filter((e) => e.role === role)
      .map((end) => ({ of: t, end })),
  );
  await mapBounded(byGateway(ends), parallelGateways(), async (g) => {
    await ctx
      .step(`upload the ${events.keyName} of ${tunnels(g.items.length)} to ${g.name}`, g.gatewayId, async () => {
        const io = await sessions.io(g.gatewayId);
        await events.beforeUpload?.(
          g,
          io,
          g.items.map((i) => i.of),
        );
        const errors: string[] = [];
        // Several tunnels' files at once over the router's one SFTP channel (its requests are
        // pipelined); one at a time where a secret file is shared by the router's tunnels.
        const shared = g.items.some(({ end }) => sharesSecretFile(end));
        await mapBounded(g.items, shared ? 1 : CHANNELS_PER_SESSION, async ({ of: t, end }) => {
          try {
            await writeSecretFiles(io, end, () => events.changed?.(t, role));
            await recordEndPskVersion(t.tunnelId, role, t.version);
            await events.uploaded?.(t, role);
          } catch (e) {
            fail(t, e);
            errors.push(`${t.label}: ${message(e)}`);
          }
        });
        if (errors.length) throw new JobFailure(errors.join("; "));
        await ctx.log("info", `${tunnels(g.items.length)}: secret files (0600) hold the ${events.keyName}`, g.name);
      })
      // A router that failed an upload is not trusted with the others' keys either: its tunnels all drop out.
      .catch((e) => g.items.forEach((i) => fail(i.of, e)));
  });
}
