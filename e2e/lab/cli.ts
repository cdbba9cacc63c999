// `npm run lab -- up|down|status …`: the router lab from the command line.
//   up     [--sites N] [--platforms strongswan,centos-racoon] [--lab NAME] [--keep-on-failure]
//          [--register [--tunnels]]   also record the routers in the app's database
//          (DATABASE_URL / GATEWARDEN_DATA_DIR as for `npm start`), host keys pinned,
//          and with --tunnels a hub-and-spoke net-to-net tunnel per branch, ready to deploy
//   down   [--lab NAME]
//   status [--lab NAME] [--json]
// Needs root (network and mount namespaces). State: <repo>/.lab/NAME/state.json.
import { readFileSync } from "node:fs";
import { DEFAULT_LAB_NAME, parsePlatforms, validateLabName } from "./address-plan";
import { labStatus, readLabState, startLab, stopLab } from "./lab";

function parseArgs(argv: string[]): { cmd: string | undefined; flags: Map<string, string> } {
  const [cmd, ...rest] = argv;
  const flags = new Map<string, string>();
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (!arg.startsWith("--")) throw new Error(`unexpected argument ${arg}`);
    const [key, inline] = arg.slice(2).split("=", 2) as [string, string | undefined];
    if (inline !== undefined) flags.set(key, inline);
    else if (rest[i + 1] !== undefined && !rest[i + 1]!.startsWith("--")) flags.set(key, rest[++i]!);
    else flags.set(key, "true");
  }
  return { cmd, flags };
}

function memAvailableKb(): number {
  const m = /^MemAvailable:\s+(\d+) kB/m.exec(readFileSync("/proc/meminfo", "utf8"));
  return m ? Number(m[1]) : 0;
}

const mb = (kb: number) => `${(kb / 1024).toFixed(1)} MB`;

async function main(): Promise<number> {
  const { cmd, flags } = parseArgs(process.argv.slice(2));
  const name = flags.get("lab") ?? DEFAULT_LAB_NAME;
  const nameError = validateLabName(name);
  if (nameError) throw new Error(nameError);
  if ((cmd === "up" || cmd === "down") && process.getuid?.() !== 0) throw new Error("the lab needs root");

  if (cmd === "up") {
    const sites = Number(flags.get("sites") ?? "2");
    const platforms = parsePlatforms(flags.get("platforms"));
    const memBefore = memAvailableKb();
    const t0 = performance.now();
    const state = await startLab({
      name,
      sites,
      platforms,
      keepOnFailure: flags.has("keep-on-failure"),
      log: (l) => console.log(l),
    });
    const seconds = (performance.now() - t0) / 1000;
    printStatus(name);
    const pss = labStatus(state).reduce((sum, s) => sum + s.pssKb, 0);
    console.log(
      `up: ${state.routers.length} router(s) in ${seconds.toFixed(2)} s; daemons PSS ${mb(pss)} ` +
        `(${mb(pss / state.routers.length)} per router); MemAvailable delta ${mb(memBefore - memAvailableKb())}`,
    );
    console.log(`state: ${state.labDir}/state.json  management key: ${state.managementKey.privateKeyPath}`);
    if (flags.has("register")) {
      const { registerInApp } = await import("./register-cli");
      await registerInApp(state, { tunnels: flags.has("tunnels") });
    }
    return 0;
  }
  if (cmd === "down") {
    const t0 = performance.now();
    const r = await stopLab(name);
    const seconds = ((performance.now() - t0) / 1000).toFixed(2);
    console.log(r.found ? `down: lab ${name} removed (${r.stoppedPids} process(es) stopped) in ${seconds} s` : `down: lab ${name} is not up; nothing to do`);
    return 0;
  }
  if (cmd === "status") {
    if (flags.has("json")) {
      const state = readLabState(name);
      console.log(JSON.stringify(state ? { ...state, status: labStatus(state).map(({ router, ...s }) => ({ router: router.name, ...s })) } : null, null, 2));
      return 0;
    }
    return printStatus(name) ? 0 : 1;
  }
  console.error("usage: npm run lab -- up [--sites N] [--platforms strongswan,centos-racoon] [--lab NAME] [--register [--tunnels]] | down [--lab NAME] | status [--lab NAME] [--json]");
  return 2;
}

function printStatus(name: string): boolean {
  const state = readLabState(name);
  if (!state) {
    console.log(`lab ${name}: not up`);
    return false;
  }
  console.log(`lab ${state.name} (${state.status}): WAN ${state.wan.cidr} in netns ${state.wan.netns}; root veth ${state.wan.rootVeth} ${state.wan.rootAddress}`);
  for (const s of labStatus(state)) {
    const r = s.router;
    const alive = (pid: number | undefined) => (pid ? `up (pid ${pid})` : "DOWN");
    console.log(
      `  ${r.name.padEnd(9)} ${r.platform.padEnd(13)} public ${r.publicIp.padEnd(15)} LAN ${r.lanCidr} (router ${r.lanAddress}, host ${r.lanHost.ip})\n` +
        `            ssh ${r.sshUser}@${r.publicIp}:${r.sshPort}  host key ${r.hostKeyFingerprint}\n` +
        `            sshd ${alive(s.sshd)}, charon ${alive(s.charon)}, PSS ${mb(s.pssKb)}`,
    );
  }
  return true;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`lab: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
