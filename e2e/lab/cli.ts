// `npm run lab -- up|down|status …`: the router lab from the command line.
//   up     [--sites N] [--platforms strongswan,centos-racoon,libreswan] [--backend netns|vm] [--lab NAME] [--keep-on-failure]
//          [--register [--tunnels]]   also record the routers in the app's database
//          (DATABASE_URL / GATEWARDEN_DATA_DIR as for `npm start`), host keys pinned,
//          and with --tunnels a hub-and-spoke net-to-net tunnel per branch, ready to deploy
//   down   [--lab NAME]
//   status [--lab NAME] [--json]
//          --backend vm: routers as QEMU micro-VMs with Debian's kernel (real XFRM IPsec,
//          Libreswan); needs scripts/vm-lab-install.sh. The default, netns, scales to ~100.
// Needs root (network and mount namespaces). State: <repo>/.lab/NAME/state.json.
// An unknown option, or one the command does not take, prints the usage (exit code 2).
import { readFileSync } from "node:fs";
import { LAB_USAGE, parseLabArgs, type LabCommand } from "./cli-args";
import { labStatus, readLabState, startLab, stopLab } from "./lab";

function memAvailableKb(): number {
  const m = /^MemAvailable:\s+(\d+) kB/m.exec(readFileSync("/proc/meminfo", "utf8"));
  return m ? Number(m[1]) : 0;
}

const mb = (kb: number) => `${(kb / 1024).toFixed(1)} MB`;

async function main(command: LabCommand): Promise<number> {
  const name = command.lab;
  if ((command.cmd === "up" || command.cmd === "down") && process.getuid?.() !== 0) throw new Error("the lab needs root");

  if (command.cmd === "up") {
    const memBefore = memAvailableKb();
    const t0 = performance.now();
    const state = await startLab({
      name,
      sites: command.sites,
      platforms: command.platforms,
      backend: command.backend,
      keepOnFailure: command.keepOnFailure,
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
    if (command.register) {
      const { registerInApp } = await import("./register-cli");
      await registerInApp(state, { tunnels: command.tunnels });
    }
    return 0;
  }
  if (command.cmd === "down") {
    const t0 = performance.now();
    const r = await stopLab(name);
    const seconds = ((performance.now() - t0) / 1000).toFixed(2);
    console.log(
      r.found
        ? `down: lab ${name} removed (${r.stoppedPids} process(es) stopped) in ${seconds} s`
        : `down: lab ${name} is not up; nothing to do`,
    );
    return 0;
  }
  if (command.cmd === "status") {
    if (command.json) {
      const state = readLabState(name);
      console.log(
        JSON.stringify(
          state ? { ...state, status: labStatus(state).map(({ router, ...s }) => ({ router: router.name, ...s })) } : null,
          null,
          2,
        ),
      );
      return 0;
    }
    return printStatus(name) ? 0 : 1;
  }
  return assertNever(command);
}

function assertNever(x: never): never {
  throw new Error(`unhandled lab command ${JSON.stringify(x)}`);
}

function printStatus(name: string): boolean {
  const state = readLabState(name);
  if (!state) {
    console.log(`lab ${name}: not up`);
    return false;
  }
  console.log(
    `lab ${state.name} (${state.status}): WAN ${state.wan.cidr} in netns ${state.wan.netns}; root veth ${state.wan.rootVeth} ${state.wan.rootAddress}`,
  );
  for (const s of labStatus(state)) {
    const r = s.router;
    const alive = (pid: number | undefined) => (pid ? `up (pid ${pid})` : "DOWN");
    console.log(
      `  ${r.name.padEnd(9)} ${r.platform.padEnd(13)} public ${r.publicIp.padEnd(15)} LAN ${r.lanCidr} (router ${r.lanAddress}, host ${r.lanHost.ip})\n` +
        `            ssh ${r.sshUser}@${r.publicIp}:${r.sshPort}  host key ${r.hostKeyFingerprint}\n` +
        (r.vm
          ? `            VM ${alive(s.sshd)}, booted in ${r.vm.bootSeconds ?? "?"} s, QEMU RSS+PSS ${mb(s.pssKb)}`
          : `            sshd ${alive(s.sshd)}, charon ${alive(s.charon)}, PSS ${mb(s.pssKb)}`),
    );
  }
  return true;
}

let command: LabCommand;
try {
  command = parseLabArgs(process.argv.slice(2));
} catch (error) {
  console.error(`lab: ${error instanceof Error ? error.message : String(error)}\n${LAB_USAGE}`);
  process.exit(2);
}

main(command).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`lab: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
