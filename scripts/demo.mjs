#!/usr/bin/env node
// `npm run demo`: the app on its embedded SQLite database plus a 3-site router lab
// (HQ and Branch 1 on strongSwan, Branch 2 on the CentOS/racoon emulation) recorded
// in the app with host keys pinned and hub-and-spoke tunnels ready to deploy.
// Where the lab cannot run (not root, no network namespaces, packages missing) it
// says why and starts the app alone. Ctrl-C stops the app and removes the lab.
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const LAB = "gwdemo";

function labUnavailableReason() {
  if (process.platform !== "linux") return "the router lab needs Linux network namespaces";
  if (process.getuid?.() !== 0) return "the router lab needs root (network and mount namespaces)";
  for (const bin of ["/usr/sbin/sshd", "/usr/lib/ipsec/charon", "/usr/sbin/swanctl"]) {
    if (!existsSync(bin)) return `${bin} is missing: run scripts/install-system-deps.sh first`;
  }
  if (spawnSync("unshare", ["--net", "true"]).status !== 0) return "this machine does not allow new network namespaces";
  return null;
}

const npm = (args) => spawnSync("npm", args, { cwd: root, stdio: "inherit", env: process.env });

const why = labUnavailableReason();
let labUp = false;
if (why) {
  console.log(`demo: starting the app without the router lab: ${why}.`);
} else {
  const r = npm(["run", "--silent", "lab", "--", "up", "--sites", "3", "--platforms", "strongswan,strongswan,centos-racoon", "--lab", LAB, "--register", "--tunnels"]);
  if (r.status === 0) {
    labUp = true;
    console.log("demo: lab up and registered. Sign in, open Tunnels, and press Deploy on each tunnel.");
  } else {
    console.log("demo: the router lab did not start (see above); starting the app alone.");
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
