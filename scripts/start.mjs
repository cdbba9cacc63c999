#!/usr/bin/env node
// `npm start` (and `npm run dev` with --dev): migrate the database (creating the
// embedded SQLite one on first start), build the app if there is no build of the
// current sources, then run the app's server (scripts/serve.mjs: Next.js behind a Node
// server that tells the app each request's peer) in this process group so Ctrl-C stops it all.
//
// Environment: PORT (3000), HOST (127.0.0.1 — Gatewarden holds router keys, so it
// listens on loopback unless told otherwise), DATABASE_URL, GATEWARDEN_DATA_DIR,
// GATEWARDEN_SECRET_KEY; see README.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, statSync, readdirSync } from "node:fs";
import path from "node:path";
import { migrateDeploy } from "./prisma-migrate.mjs";

// The database and key file hold (encrypted) router credentials: owner-only files.
process.umask(0o077);

const root = path.resolve(import.meta.dirname, "..");
const dev = process.argv.includes("--dev");
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: "1", CHECKPOINT_DISABLE: "1" };
const nextBin = path.join(root, "node_modules", ".bin", "next");

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "node_modules" || entry.name.startsWith(".") || entry.name === "generated") continue;
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

function buildIsCurrent() {
  const buildId = path.join(root, ".next", "BUILD_ID");
  if (!existsSync(buildId)) return false;
  const built = statSync(buildId).mtimeMs;
  return ["app", "components", "lib"].every((d) => newestMtime(path.join(root, d)) < built);
}

try {
  await migrateDeploy({ env });
} catch (e) {
  console.error(`gatewarden: the database could not be migrated.\n${e.message}`);
  process.exit(1);
}

if (!dev && !buildIsCurrent()) {
  console.log("gatewarden: building the app (first start or changed sources)…");
  const r = spawnSync(nextBin, ["build"], { cwd: root, env, stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const port = env.PORT ?? "3000";
const host = env.HOST ?? "127.0.0.1";
// scripts/serve.mjs rather than `next start`: it tells the app each request's TCP peer.
// The app derives its public URL from PORT and HOST when GATEWARDEN_PUBLIC_URL is unset (on loopback).
const serveEnv = { ...env, PORT: port, HOST: host, NODE_ENV: dev ? "development" : "production" };
const serveArgs = [path.join(root, "scripts", "serve.mjs"), ...(dev ? ["--dev"] : [])];
const child = spawn(process.execPath, serveArgs, { cwd: root, env: serveEnv, stdio: "inherit" });
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => child.kill(sig));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
