// CPU time of process trees, from /proc (pure parsing and summing; reading /proc is the caller's).
export type ProcStat = { ppid: number; ticks: number };

/** One /proc/<pid>/stat line: the parent and the CPU ticks. The command name may hold spaces and parentheses. */
export function parseProcStat(text: string): ProcStat {
  const fields = text.slice(text.lastIndexOf(") ") + 2).split(" ");
  // After "pid (comm) ": state 0, ppid 1, …, utime 11, stime 12, cutime 13, cstime 14.
  return { ppid: Number(fields[1]), ticks: [11, 12, 13, 14].reduce((a, i) => a + Number(fields[i]), 0) };
}

/** Ticks of the processes under `roots` (roots included), each counted once. */
export function treeTicks(stats: Map<number, ProcStat>, roots: number[]): number {
  const children = new Map<number, number[]>();
  for (const [pid, s] of stats) children.set(s.ppid, [...(children.get(s.ppid) ?? []), pid]);
  const seen = new Set<number>();
  const stack = roots.filter((r) => stats.has(r));
  let ticks = 0;
  while (stack.length) {
    const pid = stack.pop()!;
    if (seen.has(pid)) continue;
    seen.add(pid);
    ticks += stats.get(pid)!.ticks;
    stack.push(...(children.get(pid) ?? []));
  }
  return ticks;
}
