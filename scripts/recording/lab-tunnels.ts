// Tunnels on the recording lab's routers, driven the way a deploy drives them: the
// platform's rendered files written into the router, its apply commands run in the
// router (execInRouter: the router's own netns, /etc and charon; over SSH on a VM
// router), its status commands recorded exactly as they print.
import path from "node:path";
import { execInRouter, labStatus, type LabState } from "@/e2e/lab/lab";
import { labSwanctl } from "@/e2e/lab/router-files";
import { expectedExit } from "@/lib/deploy/run-commands";
import type { Command, CryptoProfile, Platform, PlatformId, TunnelEnd, TunnelKind } from "@/lib/platforms/contract";
import { MODERN_IKEV1_PROFILE, MODERN_PROFILE } from "@/lib/platforms/crypto-profiles";
import { renderGatewayFiles } from "@/lib/platforms/gateway-files";
import { getPlatform } from "@/lib/platforms";
import { routerArgv, type RecordedResult, type Sample } from "@/lib/platforms/recorded-cases";

const NOTABLE = /AUTHENTICATION_FAILED|AUTH_FAILED|NO_PROPOSAL_CHOSEN|did not come up/;

// Run inside a VM router by python3 (the host's, shared into the guest): argv lists on stdin.
const RUN_ONE =
  "def run(a):\n r = subprocess.run(a, capture_output=True, text=True, errors='surrogateescape')\n return {'argv': a, 'exitCode': r.returncode, 'stdout': r.stdout, 'stderr': r.stderr}\n";
const RUN_ALL = `import json, subprocess, sys\n${RUN_ONE}print(json.dumps([run(a) for a in json.load(sys.stdin)]))\n`;
const RUN_DURING = [
  "import json, subprocess, sys, time",
  RUN_ONE,
  "job = json.load(sys.stdin)",
  "t = subprocess.Popen(job['trigger'], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)",
  "rounds, done = [], None",
  "while done is None or time.time() < done + job['after']:",
  "  rounds.append([run(a) for a in job['argvs']])",
  "  if done is None and t.poll() is not None: done = time.time()",
  "out, err = t.communicate()",
  "print(json.dumps({'rounds': rounds, 'trigger': {'argv': job['trigger'], 'exitCode': t.returncode, 'stdout': out, 'stderr': err}}))",
  "",
].join("\n");

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** One case's lab: three routers of one platform (hq, branch1, branch2) and a log of what was done. */
export class Rig {
  readonly platform: Platform;
  readonly steps: string[] = [];
  private readonly endsOn = new Map<string, TunnelEnd[]>();

  constructor(
    readonly lab: LabState,
    readonly platformId: PlatformId,
    private readonly print: (line: string) => void,
  ) {
    this.platform = getPlatform(platformId);
  }

  step(line: string): void {
    this.steps.push(line);
    this.print(`  ${line}`);
  }

  router(name: string) {
    const r = this.lab.routers.find((x) => x.name === name);
    if (!r) throw new Error(`no router ${name} in lab ${this.lab.name}`);
    return r;
  }

  /** The two ends of a tunnel between routers a and b; each router numbers its interfaces ipsec0, ipsec1, … */
  tunnel(id: string, a: string, b: string, kind: TunnelKind = "net-to-net", profile?: CryptoProfile): Record<string, TunnelEnd> {
    profile ??= this.platform.capabilities.ikeVersions.includes(2) ? MODERN_PROFILE : MODERN_IKEV1_PROFILE;
    const side = (name: string) => {
      const r = this.router(name);
      return kind === "net-to-net"
        ? { publicIp: r.publicIp, lanAddress: r.lanAddress, subnets: [r.lanCidr] }
        : { publicIp: r.publicIp, lanAddress: null, subnets: [] };
    };
    const make = (self: string, peer: string): TunnelEnd => ({
      tunnelId: id,
      connectionName: `gw-${id}`,
      kind,
      interfaceName: `ipsec${this.endsOn.get(self)?.length ?? 0}`,
      local: side(self),
      remote: side(peer),
      // A lab-only key, recorded in ends.json on purpose.
      psk: `recorded-lab-key-${id}`,
      profile,
    });
    const ends = { [a]: make(a, b) };
    this.endsOn.set(a, [...(this.endsOn.get(a) ?? []), ends[a]!]);
    ends[b] = make(b, a);
    this.endsOn.set(b, [...(this.endsOn.get(b) ?? []), ends[b]!]);
    return ends;
  }

  endsOf(router: string): TunnelEnd[] {
    return this.endsOn.get(router) ?? [];
  }

  async exec(router: string, argv: string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<RecordedResult> {
    const r = await execInRouter(this.lab, router, argv, {
      timeoutMs: opts.timeoutMs ?? 30_000,
      ...(opts.input !== undefined ? { input: opts.input } : {}),
    });
    return { argv, exitCode: r.code, stdout: r.stdout, stderr: r.stderr };
  }

  /** Runs commands like a job does: a non-zero exit must be allowed; a command that needs the peer is skipped while it is pending. */
  async run(router: string, commands: Command[], peerPending = false): Promise<RecordedResult[]> {
    const out: RecordedResult[] = [];
    for (const c of commands) {
      if (peerPending && c.needsPeer) continue;
      const r = await this.exec(router, c.argv, { timeoutMs: 60_000 });
      const lines = `${r.stdout}\n${r.stderr}`.trim().split("\n");
      // The line that says why (an IKE notify), else the last one.
      const tail = lines.find((l) => NOTABLE.test(l)) ?? lines.at(-1) ?? "";
      this.step(`${router}: ${c.argv.join(" ")} → exit ${r.exitCode}${r.exitCode ? `: ${tail}` : ""}`);
      if (r.exitCode !== 0 && !expectedExit(c)) throw new Error(`${router}: ${c.argv.join(" ")} failed (${r.exitCode}): ${tail}`);
      out.push(r);
    }
    return out;
  }

  /** Writes files as a deploy uploads them (mode set, secrets never world-readable on the way). */
  async writeFiles(router: string, files: { path: string; content: string; mode: number }[]): Promise<void> {
    for (const f of files) {
      const r = await this.exec(
        router,
        ["sh", "-c", `mkdir -p "$(dirname "$0")" && umask 077 && cat > "$0" && chmod ${f.mode.toString(8)} "$0"`, f.path],
        { input: f.content },
      );
      if (r.exitCode !== 0) throw new Error(`${router}: writing ${f.path}: ${r.stderr}`);
    }
    this.step(`${router}: wrote ${files.map((f) => f.path).join(", ")}`);
  }

  /** Every router's files, then apply in order; the first routers' peers are configured after them. */
  async deploy(order: string[]): Promise<void> {
    for (const r of order) await this.writeFiles(r, renderGatewayFiles(this.platform, this.endsOf(r)));
    const applied = new Set<string>();
    for (const r of order) {
      for (const end of this.endsOf(r)) {
        const peer = this.lab.routers.find((x) => x.publicIp === end.remote.publicIp)!.name;
        await this.run(r, this.platform.applyCommands(end), !applied.has(peer));
      }
      applied.add(r);
    }
  }

  /** One router's status outputs: each distinct status command of its tunnels once, in order. */
  async record(router: string): Promise<RecordedResult[]> {
    const argvs = routerArgv(this.endsOf(router).map((e) => this.platform.statusCommands(e)));
    if (this.router(router).vm) return this.execAll(router, argvs);
    const out: RecordedResult[] = [];
    for (const argv of argvs) out.push(await this.exec(router, argv));
    return out;
  }

  /**
   * The same commands one after another inside a VM router through one SSH connection
   * (each a new SSH costs a second under emulation): python3 runs each argv, as sshd would
   * run it, and hands back its exit code, stdout and stderr untouched.
   */
  async execAll(router: string, argvs: string[][]): Promise<RecordedResult[]> {
    const r = await this.exec(router, ["python3", "-c", RUN_ALL], { input: JSON.stringify(argvs) });
    if (r.exitCode !== 0) throw new Error(`${router}: running the status commands failed: ${(r.stderr ?? "").trim()}`);
    return JSON.parse(r.stdout) as RecordedResult[];
  }

  /**
   * Starts the trigger command in a VM router and records the router's status commands
   * back to back while it runs and for afterMs after it exits: for states that last a
   * fraction of a second, which a recording over one SSH connection each would miss.
   * Returns every round, oldest first, and the trigger's own result.
   */
  async recordDuring(router: string, trigger: string[], afterMs: number): Promise<{ rounds: RecordedResult[][]; trigger: RecordedResult }> {
    const argvs = routerArgv(this.endsOf(router).map((e) => this.platform.statusCommands(e)));
    const r = await this.exec(router, ["python3", "-c", RUN_DURING], {
      input: JSON.stringify({ trigger, argvs, after: afterMs / 1000 }),
      timeoutMs: 120_000,
    });
    if (r.exitCode !== 0) throw new Error(`${router}: recording during ${trigger.join(" ")} failed: ${(r.stderr ?? "").trim()}`);
    return JSON.parse(r.stdout) as { rounds: RecordedResult[][]; trigger: RecordedResult };
  }

  async sample(routers: string[]): Promise<Sample> {
    const sample: Sample = {};
    for (const r of routers) sample[r] = await this.record(r);
    this.step(`recorded the status commands on ${routers.join(", ")}`);
    return sample;
  }

  /** Waits until every end of these routers is up as the platform judges it. */
  async waitUp(routers: string[], timeoutMs = 30_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const pending: string[] = [];
      for (const r of routers) {
        const outputs = await this.record(r);
        for (const e of this.endsOf(r)) {
          const results = this.platform.statusCommands(e).map((c) => outputs.find((o) => o.argv.join("\0") === c.argv.join("\0"))!);
          if (this.platform.parseStatus(e, results).state !== "up") pending.push(`${r} ${e.connectionName}`);
        }
      }
      if (!pending.length) return this.step(`up: ${routers.join(", ")}`);
      if (Date.now() > until) throw new Error(`not up after ${timeoutMs / 1000}s: ${pending.join(", ")}`);
      await sleep(500);
    }
  }

  /** The router's IKE daemon log lines that match, as evidence in meta.json's steps (the last few). */
  async ikeLog(router: string, pattern: string, lines = 3): Promise<void> {
    // charon's filelog on namespace routers; on VM routers charon or pluto log to /gw/ike.log.
    const file = this.router(router).vm ? "/gw/ike.log" : "/run/charon.log";
    const r = await this.exec(router, ["sh", "-c", 'grep -E "$0" "$1" | tail -n "$2"', pattern, file, String(lines)]);
    for (const line of r.stdout.trim().split("\n").filter(Boolean)) this.step(`${router} ${path.basename(file)}: ${line.trim()}`);
  }

  charonPid(router: string): number | undefined {
    return labStatus(this.lab).find((s) => s.router.name === router)?.charon;
  }
}

/** What meta.json says about a router: its software as it reports it. */
export async function routerFacts(rig: Rig, router: string) {
  const first = async (argv: string[]) => {
    const out = await rig.exec(router, argv);
    return (out.stdout || out.stderr || "").trim().split("\n")[0] ?? "";
  };
  const r = rig.router(router);
  return {
    kind: r.platform,
    publicIp: r.publicIp,
    lan: r.lanCidr,
    ...(r.platform === "libreswan"
      ? { libreswan: await first(["ipsec", "--version"]) }
      : { strongswan: await first([labSwanctl(r.platform), "--version"]) }),
    iproute2: await first(["ip", "-V"]),
    kernel: await first(["uname", "-r"]),
  };
}
