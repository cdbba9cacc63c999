import { describe, expect, it } from "vitest";
import { stepAlerts, type AlertStep, type Condition, type OpenAlert } from "./evaluate-alerts";

const t0 = new Date("2026-12-06T10:00:00Z");
const at = (s: number) => new Date(t0.getTime() + s * 1000);

const down = (reason = "Down on both ends", since: Date | null = t0): Condition => ({
  subjectType: "tunnel",
  subjectId: "t1",
  title: "Tunnel down: hq-gw ↔ branch1-gw",
  state: "down",
  reason,
  path: "/tunnels/t1",
  names: { tunnel: "hq-gw ↔ branch1-gw", gateways: ["hq-gw", "branch1-gw"], sites: ["hq", "branch1"] },
  since,
});

/** Runs the machine over samples (seconds after t0 → condition or none), applying its own steps, and returns what it sent. */
function run(graceSeconds: number, samples: [number, Condition | null][]) {
  let open: OpenAlert[] = [];
  const sent: string[] = [];
  let n = 0;
  for (const [s, condition] of samples) {
    const steps = stepAlerts({ graceSeconds, conditions: condition ? [condition] : [], open, now: at(s) });
    for (const step of steps) open = apply(open, step, () => `a${++n}`, sent, at(s));
  }
  return { sent, open };
}

function apply(open: OpenAlert[], step: AlertStep, newId: () => string, sent: string[], now: Date): OpenAlert[] {
  switch (step.kind) {
    case "open": {
      const id = newId();
      if (step.fire) sent.push(`firing@${(now.getTime() - t0.getTime()) / 1000}`);
      const c = step.condition;
      return [
        ...open,
        {
          id,
          subjectType: c.subjectType,
          subjectId: c.subjectId,
          status: step.fire ? "firing" : "pending",
          since: step.since,
          state: c.state,
          reason: c.reason,
        },
      ];
    }
    case "fire":
      sent.push(`firing@${(now.getTime() - t0.getTime()) / 1000}`);
      return open.map((a) => (a.id === step.alertId ? { ...a, status: "firing" as const } : a));
    case "update":
      return open.map((a) => (a.id === step.alertId ? { ...a, state: step.condition.state, reason: step.condition.reason } : a));
    case "resolve":
      sent.push(`resolved@${(now.getTime() - t0.getTime()) / 1000}`);
      return open.filter((a) => a.id !== step.alertId);
    case "drop":
      return open.filter((a) => a.id !== step.alertId);
  }
}

describe("stepAlerts", () => {
  it("a blip shorter than the grace period sends nothing", () => {
    const { sent, open } = run(120, [
      [0, down()],
      [30, down()],
      [60, null],
      [90, null],
    ]);
    expect(sent).toEqual([]);
    expect(open).toEqual([]);
  });

  it("fires once after the grace period, once on resolve, however many rounds see it", () => {
    const samples: [number, Condition | null][] = [];
    for (let s = 0; s <= 300; s += 30) samples.push([s, down()]);
    samples.push([330, null], [360, null]);
    expect(run(120, samples).sent).toEqual(["firing@120", "resolved@330"]);
  });

  it("measures the grace from when the condition began (the tunnel's healthAt), not from the first round that saw it", () => {
    expect(run(120, [[150, down("x", t0)]]).sent).toEqual(["firing@150"]);
  });

  it("grace 0 fires in the first round", () => {
    expect(
      run(0, [
        [0, down()],
        [10, null],
      ]).sent,
    ).toEqual(["firing@0", "resolved@10"]);
  });

  it("a condition that comes back after resolving is a new alert", () => {
    expect(
      run(0, [
        [0, down()],
        [10, null],
        [20, down("again", at(20))],
        [30, null],
      ]).sent,
    ).toEqual(["firing@0", "resolved@10", "firing@20", "resolved@30"]);
  });

  it("a changed reason while firing updates without a message", () => {
    const first = stepAlerts({ graceSeconds: 0, conditions: [down("a")], open: [], now: t0 });
    expect(first).toMatchObject([{ kind: "open", fire: true }]);
    const open: OpenAlert[] = [
      { id: "x", subjectType: "tunnel", subjectId: "t1", status: "firing", since: t0, state: "down", reason: "a" },
    ];
    expect(stepAlerts({ graceSeconds: 0, conditions: [down("b")], open, now: at(5) })).toMatchObject([{ kind: "update", alertId: "x" }]);
    expect(stepAlerts({ graceSeconds: 0, conditions: [down("a")], open, now: at(5) })).toEqual([]);
  });

  it("a since in the future (clock skew) counts from now", () => {
    const steps = stepAlerts({ graceSeconds: 60, conditions: [down("x", at(500))], open: [], now: t0 });
    expect(steps).toMatchObject([{ kind: "open", since: t0, fire: false }]);
  });

  it("keeps separate subjects apart and ignores a duplicate condition", () => {
    const other = { ...down(), subjectId: "t2" };
    const steps = stepAlerts({ graceSeconds: 0, conditions: [down(), down(), other], open: [], now: t0 });
    expect(steps.map((s) => s.kind === "open" && s.condition.subjectId)).toEqual(["t1", "t2"]);
  });
});
