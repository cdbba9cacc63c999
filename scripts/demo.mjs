#!/usr/bin/env node
// `npm run demo [-- --backend vm]`: the app on its embedded SQLite database plus a
// 3-site router lab recorded in the app with host keys pinned and hub-and-spoke tunnels
// ready to deploy: HQ and Branch 1 on strongSwan, Branch 2 on the CentOS/racoon
// emulation (namespaces, the default); with --backend vm, QEMU micro-VMs with kernel
// IPsec and Branch 2 on Libreswan. Where the lab cannot run (not root, no network
// namespaces, packages missing) it says why and starts the app alone. Ctrl-C stops
// the app and removes the lab; so does a lab that came up but could not be registered.
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";

const root = path.resolve(import.meta.dirname, "..");
const LAB = "gwdemo";

let backend;
try {
  ({
    values: { backend },
  } = parseArgs({ options: { backend: { type: "string", default: "netns" } }, strict: true }));
  if (backend !== "netns" && backend !== "vm") throw new Error(`--backend is netns or vm, not "${backend}"`);
} catch (error) {
  console.error(`demo: ${error.message}\nusage: npm run demo [-- --backend netns|vm]`);
  process.exit(2);
}
const platforms = backend === "vm" ? "strongswan,strongswan,libreswan" : "strongswan,strongswan,centos-racoon";

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

const npm = (args) => spawnSync("npm", args, { cwd: root, stdio: "inherit", env: process.env });

const why = labUnavailableReason();
let labUp = false;
if (why) {
  console.log(`demo: starting the app without the router lab: ${why}.`);
} else {
  const r = npm([
    "run",
    "--silent",
    "lab",
    "--",
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
  if (r.status === 0) {
    labUp = true;
    console.log("demo: lab up and registered. Sign in, open Tunnels, and press Deploy on each tunnel.");
  } else {
    // Whatever part of the lab came up goes again: nothing is left running behind the app.
    npm(["run", "--silent", "lab", "--", "down", "--lab", LAB]);
    console.log("demo: the router lab could not be started and registered (see above); starting the app alone.");
  }
}

const app = spawn(process.execPath, [path.join(root, "scripts/start.mjs")], { cwd: root, stdio: "inherit", env: process.env });
let stopping = false;
async function stop(signal) {
  if (stopping) return;
  stopping = true;
  app.kill(signal);
}
process.on("SIGINT", () => stop("SIGINT"));
process.on("SIGTERM", () => stop("SIGTERM"));
app.on("exit", (code) => {
  if (labUp) npm(["run", "--silent", "lab", "--", "down", "--lab", LAB]);
  process.exit(code ?? 0);
});
