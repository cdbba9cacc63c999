// The command line of `npm run bench` (bench/run.ts), parsed strictly: an unknown or
// misspelt option is an error, not a run with the defaults.
import { parseArgs } from "node:util";

export type AnsibleStyle = "straightforward" | "expert" | "mitogen";
export type BenchOptions = {
  spokes: number;
  runs: number;
  ansible: boolean;
  fleet: boolean;
  interruption: boolean;
  overview: boolean;
  /** Pin router daemons to one core and the controllers to the other (off: --no-pin). */
  pin: boolean;
  /** The Ansible columns to run; by default every style at forks 5 and N+1. */
  columns?: { style: AnsibleStyle; forks: number }[];
};

export const BENCH_USAGE =
  "usage: npm run bench -- [--spokes N (20, at most 150)] [--runs R (3)] [--columns f5,f21,expert-f5,expert-f21,mitogen-f5,mitogen-f21 (every style at forks 5 and N+1)] [--no-pin] [--skip-ansible] [--skip-fleet] [--skip-interruption] [--skip-overview]";

const MAX_SPOKES = 150;

/** Throws an Error that says what is wrong with `argv` (the arguments after the script). */
export function parseBenchArgs(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      spokes: { type: "string", default: "20" },
      runs: { type: "string", default: "3" },
      columns: { type: "string" },
      "skip-ansible": { type: "boolean", default: false },
      "no-pin": { type: "boolean", default: false },
      "skip-fleet": { type: "boolean", default: false },
      "skip-interruption": { type: "boolean", default: false },
      "skip-overview": { type: "boolean", default: false },
    },
  });
  const positive = (name: string, text: string) => {
    const v = Number(text);
    if (!Number.isInteger(v) || v < 1) throw new Error(`--${name} wants a positive whole number, not "${text}"`);
    return v;
  };
  const spokes = positive("spokes", values.spokes);
  if (spokes > MAX_SPOKES) throw new Error(`--spokes at most ${MAX_SPOKES}`);
  const columns = values.columns?.split(",").map((c) => {
    const m = /^(?:(expert|mitogen)-)?f(\d+)$/.exec(c.trim());
    if (!m || Number(m[2]) < 1) throw new Error(`--columns: "${c}" is not a column (f<forks>, expert-f<forks>, mitogen-f<forks>)`);
    return { style: (m[1] ?? "straightforward") as AnsibleStyle, forks: Number(m[2]) };
  });
  return {
    ...(columns ? { columns } : {}),
    spokes,
    runs: positive("runs", values.runs),
    ansible: !values["skip-ansible"],
    fleet: !values["skip-fleet"],
    interruption: !values["skip-interruption"],
    overview: !values["skip-overview"],
    pin: !values["no-pin"],
  };
}
