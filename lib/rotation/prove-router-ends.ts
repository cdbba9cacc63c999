// One router's verifier in applyKeyVersion: once the switch commands of its tunnels ran,
// it lists its SAs once per round for all of them until each end still in shows an IKE
// SA that did not exist before the switch (so it authenticated with the key now on
// disk) with an installed CHILD SA. Pings still passing prove nothing: a wrong key under
// make-before-break leaves the old SA running. Where the router cannot list SAs, or the
// tunnel kept its key (no switch), the platform's status is the proof.
import "server-only";
import { getPlatform } from "@/lib/platforms";
import { checkEnds, waitFor, type EndCheck } from "@/lib/deploy/verify";
import { JobFailure, type JobContext } from "@/lib/jobs/types";
import { findNewIkeSa, type NewSaProof, type SaSnapshot } from "@/lib/rotation/key-switch";
import { listRouterSas } from "@/lib/rotation/key-steps";
import { fail, message, SA_LIST_TIMEOUT_MS, tunnels, VERIFY_TIMEOUT_MS } from "@/lib/rotation/key-target";
import type { EndOf, GatewayGroup, KeyTarget, TunnelSwitch } from "@/lib/rotation/key-target";
import type { EndRole } from "@/lib/rotation/rotation-state";
import type { SessionCache } from "@/lib/rotation/session-cache";

type Item<T extends KeyTarget> = EndOf<TunnelSwitch<T>>;
type Proof = Pick<NewSaProof, "ok" | "detail">;

/**
 * Calls `settle` once per end: true when proven; false for the rest when the step ends
 * (failed, timed out, or its tunnel dropped out meanwhile).
 */
export async function proveRouterEnds<T extends KeyTarget>(
  ctx: JobContext<unknown>,
  sessions: SessionCache,
  g: GatewayGroup<TunnelSwitch<T>>,
  switchedAt: number,
  settle: (i: Item<T>, ok: boolean) => void,
): Promise<void> {
  const done = new Set<Item<T>>();
  const pending = () => g.items.filter((i) => !i.of.target.error && !done.has(i));
  const settleRest = () => g.items.filter((i) => !done.has(i)).forEach((i) => settle(i, false));
  const open = pending();
  if (!open.length) return settleRest();
  const last = new Map<Item<T>, string>();
  await ctx
    .step(`${verifyWhat(open)} on ${g.name} (${tunnels(open.length)})`, g.gatewayId, async () => {
      const io = await sessions.io(g.gatewayId);
      const first = g.items[0]!.end;
      await waitFor(
        async () => {
          const round = pending();
          const listing = round.some((i) => i.of.target.switchKeys) ? await listRouterSas(io, first, SA_LIST_TIMEOUT_MS) : null;
          const since = (Date.now() - switchedAt) / 1000;
          const byStatus = round.filter((i) => !i.of.target.switchKeys || listing?.sasOf(i.end.end) === null);
          const checks = byStatus.length
            ? await checkEnds(
                io,
                getPlatform(first.platform),
                byStatus.map((i) => i.end.end),
              )
            : [];
          for (const i of round) {
            const k = byStatus.indexOf(i);
            const p =
              k >= 0
                ? statusProof(checks[k]!, i.of.target.switchKeys)
                : findNewIkeSa(listing!.sasOf(i.end.end)!, beforeOf(i.of, i.end.role), since);
            last.set(i, p.detail);
            if (!p.ok) continue;
            done.add(i);
            i.of.target.proofs.push(`${g.name}: ${p.detail}`);
            await ctx.log("info", `${i.end.end.connectionName} (${i.of.target.label}): ${p.detail}`, g.name);
            settle(i, true);
          }
          return pending().length;
        },
        (left) => left === 0,
        VERIFY_TIMEOUT_MS,
        300,
      ).catch((e) => pending().forEach((i) => last.set(i, message(e))));
      const bad: string[] = [];
      for (const i of pending()) {
        const detail = last.get(i) ?? "not checked";
        const why = i.of.target.switchKeys
          ? `no new IKE SA within ${VERIFY_TIMEOUT_MS / 1000} s (${detail})`
          : `the tunnel is not up (${detail})`;
        await ctx.log("error", `${i.end.end.connectionName} (${i.of.target.label}): ${detail}`, g.name);
        fail(i.of.target, `${g.name}: ${why}`);
        bad.push(`${g.name}: ${why}`);
      }
      if (bad.length) throw new JobFailure(bad.join("; "));
    })
    // Each unproven end already dropped its tunnel with the reason; the step shows the failure. One
    // that failed before (the router's session lost, no new one) drops the tunnels still pending here.
    .catch((e) => pending().forEach((i) => fail(i.of.target, `${g.name}: ${message(e)}`)))
    .finally(settleRest);
}

function verifyWhat<T extends KeyTarget>(items: Item<T>[]): string {
  const switching = items.filter((i) => i.of.target.switchKeys).length;
  if (switching === items.length) return "verify new IKE SAs";
  if (switching === 0) return items.length === 1 ? "check that the tunnel is up" : "check that the tunnels are up";
  return "verify new IKE SAs (tunnels that switched keys) and that the others are up";
}

function statusProof(c: EndCheck, switched: boolean): Proof {
  if (!switched || !c.ok) return { ok: c.ok, detail: c.reason };
  return { ok: true, detail: `${c.reason} (the router cannot list SAs)` };
}

/** The SAs that ran before the switch, as seen from this end (or its peer's listing: same SPIs). */
function beforeOf<T extends KeyTarget>(s: TunnelSwitch<T>, role: EndRole): SaSnapshot {
  const own = s.before[role];
  if (own) return own;
  const peer = s.before[role === "a" ? "b" : "a"];
  return { spis: peer?.spis ?? [], uniqueIds: [] };
}
