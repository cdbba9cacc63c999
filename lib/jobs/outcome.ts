// The Jobs list's "Result" column: what came of a job in a few words (it was empty for
// every job that succeeded).
export type JobOutcome = { text: string; tone: "good" | "bad" | "neutral" };

function tunnelCount(params: string): number | null {
  try {
    const p = JSON.parse(params) as { tunnelIds?: unknown; tunnelId?: unknown };
    if (Array.isArray(p.tunnelIds)) return p.tunnelIds.length;
    if (typeof p.tunnelId === "string") return 1;
  } catch {
    // a row written by hand: say nothing about its size
  }
  return null;
}

const tunnels = (n: number | null) => (n === null ? "" : ` ${n} tunnel${n === 1 ? "" : "s"}`);

export function jobOutcome(job: { kind: string; status: string; params: string; error: string | null }): JobOutcome {
  const n = tunnelCount(job.params);
  if (job.error) return { text: job.error, tone: job.status === "succeeded" ? "neutral" : "bad" };
  switch (job.status) {
    case "queued":
      return { text: `waiting to run${n === null ? "" : ` (${tunnels(n).trim()})`}`, tone: "neutral" };
    case "running":
      return { text: `working on${tunnels(n) || " it"}`, tone: "neutral" };
    case "succeeded": {
      const done = {
        deploy: "Deployed",
        plan: "Planned",
        teardown: "Tore down",
        rotate: "Rotated the keys of",
        "rotate-recover": "Settled",
      }[job.kind];
      return { text: done ? `${done}${tunnels(n) || " it"}` : "Done", tone: "good" };
    }
    case "interrupted":
      return { text: "Interrupted by a stop of the server", tone: "bad" };
    default:
      return { text: job.status, tone: job.status === "failed" ? "bad" : "neutral" };
  }
}
