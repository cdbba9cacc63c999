// `npm run demo` as a user runs it, on real lab routers: twice in a row on the same data
// directory (the second run finds the sites of the first and must register the lab
// again, not fail on the pinned host keys), then Ctrl-C; and Ctrl-C while the lab is
// still coming up. After each, nothing the demo started may be left: no namespace of
// its lab, no root veth, no /32 route to a router, no sshd or charon of it.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { labDir } from "@/e2e/lab/state";

const LAB = "h-demo-demo";
const root = path.resolve(import.meta.dirname, "..");
let dataDir: string;
let port: number;

type Demo = { child: ChildProcess; output: () => string; exited: Promise<number | null> };

const started: Demo[] = [];

function startDemo(args: string[] = []): Demo {
  const child = spawn(process.execPath, ["scripts/demo.mjs", "--lab", LAB, ...args], {
    cwd: root,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: "127.0.0.1",
      GATEWARDEN_DATA_DIR: dataDir,
      DATABASE_URL: "",
      GATEWARDEN_HEALTH_INTERVAL_SECONDS: "3600",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const demo = { child, output: () => output, exited };
  started.push(demo);
  return demo;
}

async function waitFor(demo: Demo, pattern: RegExp, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  let gone = false;
  void demo.exited.then(() => (gone = true));
  while (!pattern.test(demo.output())) {
    if (gone) throw new Error(`the demo exited before ${pattern}:\n${demo.output().slice(-4000)}`);
    if (Date.now() > until) throw new Error(`no ${pattern} within ${timeoutMs} ms:\n${demo.output().slice(-4000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

type LabTrace = { pids: number[]; publicIps: string[]; rootVeth: string | null };

function labTrace(): LabTrace {
  const state = JSON.parse(readFileSync(path.join(labDir(LAB), "state.json"), "utf8")) as {
    routers: { publicIp: string; pids: { sshd?: number; charon?: number } }[];
    created: { rootVeth?: string };
  };
  return {
    pids: state.routers.flatMap((r) => [r.pids.sshd, r.pids.charon]).filter((p): p is number => !!p),
    publicIps: state.routers.map((r) => r.publicIp),
    rootVeth: state.created.rootVeth ?? null,
  };
}

const alive = (pid: number) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return false;
  }
};

/** Every live process started with this test's data directory in its environment: the demo, the app, the lab's daemons. */
function processesOfThisDemo(): string[] {
  const marker = `GATEWARDEN_DATA_DIR=${dataDir}\0`;
  const found: string[] = [];
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      if (!readFileSync(`/proc/${pid}/environ`, "utf8").includes(marker) || !alive(Number(pid))) continue;
      found.push(`${pid} ${readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ")}`);
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

function expectNothingLeft(trace: LabTrace | null) {
  expect(processesOfThisDemo()).toEqual([]);
  const namespaces = spawnSync("ip", ["netns", "list"], { encoding: "utf8" }).stdout;
  expect(namespaces.split("\n").filter((l) => l.startsWith(`${LAB}-`))).toEqual([]);
  if (!trace) return;
  expect(trace.pids.length).toBeGreaterThan(0);
  expect(trace.pids.filter(alive)).toEqual([]);
  if (trace.rootVeth) expect(spawnSync("ip", ["link", "show", trace.rootVeth]).status).not.toBe(0);
  const routes = spawnSync("ip", ["route", "list"], { encoding: "utf8" }).stdout;
  for (const ip of trace.publicIps) expect(routes).not.toContain(ip);
}

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), "h-demo-demo-"));
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
});

// A failed assertion must not leave a demo running (its lab and app would outlive the test).
afterEach(async () => {
  for (const d of started.splice(0)) {
    if (d.child.exitCode !== null || d.child.signalCode !== null) continue;
    d.child.kill("SIGINT");
    await Promise.race([d.exited, new Promise((r) => setTimeout(r, 90_000))]);
  }
});

afterAll(() => {
  spawnSync("node_modules/.bin/tsx", ["--conditions=react-server", "e2e/lab/cli.ts", "down", "--lab", LAB], { cwd: root });
  rmSync(dataDir, { recursive: true, force: true });
});

describe("npm run demo", () => {
  it("runs twice on the same data, registering its lab both times, and Ctrl-C removes everything it started", async () => {
    // First run: up, registered, the app answers, then it stops by itself (--exit-when-ready).
    const first = startDemo(["--exit-when-ready"]);
    const firstCode = await first.exited;
    expect(first.output(), first.output().slice(-4000)).toContain("demo: lab up and registered");
    expect(first.output()).toContain(`demo: ready at http://127.0.0.1:${port}/ (router lab ${LAB})`);
    expect(firstCode).toBe(0);
    expectNothingLeft(null);

    // Second run on the same data: the sites exist and the host keys are pinned already.
    const second = startDemo();
    await waitFor(second, /demo: ready at /, 900_000);
    const out = second.output();
    expect(out).not.toContain("could not be started or registered");
    expect(out).toContain("demo: lab up and registered");
    expect(out).toMatch(/HQ was registered before/);
    const trace = labTrace();
    expect(trace.pids.filter(alive).length).toBe(6); // sshd and charon on each of the 3 routers
    second.child.kill("SIGINT");
    expect(await second.exited).toBe(130);
    expect(second.output()).toMatch(new RegExp(`down: lab ${LAB} removed`));
    expectNothingLeft(trace);
  }, 1_200_000);

  it("Ctrl-C while the lab is coming up removes the part that came up", async () => {
    const demo = startDemo();
    await waitFor(demo, new RegExp(`lab ${LAB}: WAN `), 120_000);
    demo.child.kill("SIGINT");
    expect(await demo.exited).toBe(130);
    expect(demo.output()).not.toContain("demo: ready at");
    expectNothingLeft(null);
  }, 300_000);
});
