// The one engine that puts a key version on both ends of a set of tunnels and proves
// it: a rotation runs it with each tunnel's new version, a revert (after a failed
// rotation, or in crash recovery) with the old one. Every router involved is reached
// over one session (the caller's SessionCache), and router-wide work happens once per
// router for all its tunnels:
//   upload-key-files ("a" ends, then "b" ends) → beforeSwitch → snapshot-and-load (per
//   router: list the SAs before, load the keys once) → switch-and-prove (per tunnel:
//   switch commands on the less busy end's side, a new IKE SA on both ends, LAN ping)
// A tunnel that fails anywhere drops out with its reason (`error`) while the others go on.
import "server-only";
import { gatewayLoad, lighterEnd, type BatchTunnel } from "@/lib/deploy/fleet-plan";
import type { JobContext } from "@/lib/jobs/types";
import { planKeySwitch } from "@/lib/rotation/key-switch";
import { switchEndOf } from "@/lib/rotation/key-steps";
import type { KeyEvents, KeyTarget, TunnelSwitch } from "@/lib/rotation/key-target";
import type { SessionCache } from "@/lib/rotation/session-cache";
import { uploadKeyFiles } from "@/lib/rotation/upload-key-files";
import { snapshotAndLoad } from "@/lib/rotation/snapshot-and-load";
import { switchAndProve } from "@/lib/rotation/switch-and-prove";

export async function applyKeyVersion<T extends KeyTarget>(
  ctx: JobContext<unknown>,
  sessions: SessionCache,
  targets: T[],
  events: KeyEvents<T>,
): Promise<void> {
  const live = () => targets.filter((t) => !t.error);
  await uploadKeyFiles(ctx, sessions, live(), "a", events);
  await uploadKeyFiles(ctx, sessions, live(), "b", events);
  const switches = planSwitches(live());
  await events.beforeSwitch?.(live());
  const switchedAt = Date.now();
  const ready = snapshotAndLoad(
    ctx,
    sessions,
    switches.filter((s) => s.target.switchKeys),
    events.keyName,
  );
  await switchAndProve(ctx, sessions, switches, ready, switchedAt, events);
}

/** Each tunnel's key switch, with the end on the less busy router doing the per-tunnel part. */
function planSwitches<T extends KeyTarget>(targets: T[]): TunnelSwitch<T>[] {
  const gatewayOf = (t: T, role: "a" | "b") => t.ends.find((e) => e.role === role)!.gatewayId;
  const pair = (t: T): BatchTunnel => ({ tunnelId: t.tunnelId, a: gatewayOf(t, "a"), b: gatewayOf(t, "b") });
  const load = gatewayLoad(targets.map(pair));
  return targets.map((target) => {
    const lighter = lighterEnd(pair(target), load);
    const plan = target.switchKeys ? planKeySwitch(switchEndOf(target.ends[0]), switchEndOf(target.ends[1]), lighter) : [];
    return { target, plan, lighter, before: {} };
  });
}
