#!/usr/bin/env node
// `npm run demo [-- --backend vm] [--lab NAME] [--exit-when-ready]`: the app on its embedded
// SQLite database plus a 3-site router lab recorded in the app with host keys pinned and
// hub-and-spoke tunnels ready to deploy: HQ and Branch 1 on strongSwan, Branch 2 on the
// CentOS/racoon emulation (namespaces, the default); with --backend vm, QEMU micro-VMs with
// kernel IPsec and Branch 2 on Libreswan. Where the lab cannot run (not root, no network
// namespaces, packages missing) it says why and starts the app alone.
//
// Run it as often as you like on the same data: the lab's gateways, found again by site,
// name and address, get the lab's keys again (e2e/lab/register.ts). Whatever the demo
// started goes when it ends, however it ends: Ctrl-C (SIGINT), SIGTERM or SIGHUP at any
// moment (also while the lab is coming up), the app exiting, or registration failing —
// `lab down` removes the lab's namespaces, veth, routes and daemons.
// --exit-when-ready: stop as soon as the app answers (a non-interactive check that it all starts).
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";

const root = path.resolve(import.meta.dirname, "..");
const USAGE = "usage: npm run demo [-- --backend netns|vm] [--lab NAME] [--exit-when-ready]";

let options;
try {
  ({ values: options } = parseArgs({
    options: {
      backend: { type: "string", default: "netns" },
      lab: { type: "string", default: "gwdemo" },
      "exit-when-ready": { type: "boolean", default: false },
    },
    strict: true,
  }));
  if (options.backend !== "netns" && options.backend !== "vm") throw new Error(`--backend is netns or vm, not "${options.backend}"`);
  if (!/^[a-z][a-z0-9-]{0,23}$/.test(options.lab)) throw new Error(`--lab is a short name of a-z, 0-9 and -, not "${options.lab}"`);
} catch (error) {
  console.error(`demo: ${error.message}\n${USAGE}`);
  process.exit(2);
}
const { backend, lab: LAB } = options;
const platforms = backend === "vm" ? "strongswan,strongswan,libreswan" : "strongswan,strongswan,centos-racoon";
const port = process.env.PORT ?? "3000";
const host = process.env.HOST ?? "127.0.0.1";

function labUnavailableReason() {
  if (process.platform !== "linux") return "the router lab needs Linux network namespaces";
  if (process.getuid?.() !== 0) return "the router lab needs root (network and mount namespaces)";
  for (const bin of ["/usr/sbin/sshd", "/usr/lib/ipsec/charon", "/usr/sbin/swanctl"]) {
    if (!existsSync(bin)) return `${bin} is missing: run scripts/install-system-deps.sh first`;
  }
  if (spawnSync("unshare", ["--net", "true"]).status !== 0) return "this machine does not allow new network namespaces";
  if (backend === "vm" && !existsSync("/usr/bin/qemu-system-x86_64")) return "QEMU is missing: run scripts/vm-lab-install.sh first";
  return null;
}

// Children run in their own process group, so a terminal's Ctrl-C reaches only the demo,
// which passes it on: `lab down` is then never interrupted halfway.
let current = null;
function runChild(argv) {
  const child = spawn(argv[0], argv.slice(1), { cwd: root, stdio: "inherit", env: process.env, detached: true });
  current = child;
  return new Promise((resolve) => {
    child.on("error", (error) => {
      console.error(`demo: ${argv[0]}: ${error.message}`);
      resolve(1);
    });
    child.on("exit", (code, signal) => {
      if (current === child) current = null;
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}
const labCli = (args) => runChild([path.join(root, "node_modules", ".bin", "tsx"), "--conditions=react-server", "e2e/lab/cli.ts", ...args]);

let stopSignal = null;
let cleaning = false;
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => {
    if (stopSignal || cleaning) return; // already stopping; the clean-up runs to its end
    stopSignal = signal;
    console.log(`demo: ${signal}: stopping and removing the router lab…`);
    current?.kill(signal);
  });
}

let labStarted = false;
async function removeLab() {
  if (!labStarted) return;
  labStarted = false;
  cleaning = true; // a signal now is not passed on to `lab down`
  const code = await labCli(["down", "--lab", LAB]);
  cleaning = false;
  if (code !== 0) console.error(`demo: \`npm run lab -- down --lab ${LAB}\` failed (exit ${code}); run it again to remove the lab`);
}

async function appAnswers() {
  try {
    await fetch(`http://${host.includes(":") ? `[${host}]` : host}:${port}/login`, {
      redirect: "manual",
      signal: AbortSignal.timeout(5_000),
    });
    return true;
  } catch {
    return false;
  }
}

async function main() {
  // Another server on the port would answer for the app (and the app could not listen).
  if (await appAnswers()) {
    console.error(`demo: something already answers on http://${host}:${port}/: stop it, or set PORT to a free port.`);
    return 1;
  }
  const why = labUnavailableReason();
  if (why) {
    console.log(`demo: starting the app without the router lab: ${why}.`);
  } else {
    labStarted = true; // from here on, whatever part of the lab came up is removed at the end
    const code = await labCli([
      "up",
      "--sites",
      "3",
      "--platforms",
      platforms,
      "--backend",
      backend,
      "--lab",
      LAB,
      "--register",
      "--tunnels",
    ]);
    if (stopSignal) {
      await removeLab();
      return 130;
    }
    if (code === 0) {
      console.log("demo: lab up and registered. Sign in, open Tunnels, and press Deploy on each tunnel.");
    } else {
      await removeLab();
      console.log("demo: the router lab could not be started or registered (see above) and was removed; starting the app alone.");
    }
  }
  if (stopSignal) return 130;

  const app = runChild([process.execPath, path.join(root, "scripts/start.mjs")]);
  let appExited = false;
  void app.then(() => (appExited = true));
  while (!appExited && !stopSignal && !(await appAnswers())) await new Promise((r) => setTimeout(r, 500));
  const ready = !appExited && !stopSignal;
  if (ready) {
    console.log(`demo: ready at http://${host}:${port}/ (${labStarted ? `router lab ${LAB}` : "no router lab"}); Ctrl-C stops it all.`);
    if (options["exit-when-ready"]) {
      stopSignal = "SIGINT";
      current?.kill("SIGINT");
    }
  }
  const code = await app;
  await removeLab();
  console.log("demo: stopped.");
  if (options["exit-when-ready"]) return ready ? 0 : 1;
  return stopSignal ? 130 : code;
}

main().then(
  (code) => process.exit(code),
  async (error) => {
    console.error(`demo: ${error instanceof Error ? error.message : String(error)}`);
    await removeLab();
    process.exit(1);
  },
);
