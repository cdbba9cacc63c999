// For integration tests of fleet jobs: which of a job's steps on different routers ran at
// the same time (GATEWARDEN_PARALLEL_GATEWAYS bounds how many routers are worked on at once).
export type TimedStep = { name: string; gatewayId: string | null; startedAt: Date | null; finishedAt: Date | null };

/** "a ∥ b" for each pair of steps on different routers whose runs overlapped. */
export function overlappingSteps(steps: readonly TimedStep[]): string[] {
  const timed = steps.filter((s) => s.gatewayId && s.startedAt && s.finishedAt);
  const out: string[] = [];
  for (const [i, x] of timed.entries())
    for (const y of timed.slice(i + 1))
      if (x.gatewayId !== y.gatewayId && x.startedAt! < y.finishedAt! && y.startedAt! < x.finishedAt!) out.push(`${x.name} ∥ ${y.name}`);
  return out;
}
