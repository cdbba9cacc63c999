// Runs one of the e2e support scripts in the app's own environment: a tsx process with
// the react-server condition (lib/ is server-only) on the e2e server's data directory
// (E2E_DATA_DIR, set by playwright.config.ts), so seeding goes through the app's use
// cases and the very database the server reads. Input as JSON on stdin; the script's
// last stdout line is its JSON answer.
import { spawn } from "node:child_process";
import path from "node:path";

export async function runInApp<T>(script: string, args: readonly string[], input?: unknown, timeoutMs = 240_000): Promise<T> {
  const dataDir = process.env.E2E_DATA_DIR;
  if (!dataDir) throw new Error("E2E_DATA_DIR is not set: run the specs through playwright.config.ts");
  const tsx = path.resolve("node_modules", ".bin", "tsx");
  const child = spawn(tsx, ["--conditions=react-server", path.join("e2e", "support", script), ...args], {
    env: { ...process.env, GATEWARDEN_DATA_DIR: dataDir, DATABASE_URL: "", LOG_LEVEL: "warn" },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  child.stdin.end(input === undefined ? "" : JSON.stringify(input));
  const timer = setTimeout(() => child.kill("SIGTERM"), timeoutMs);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", resolve);
  }).finally(() => clearTimeout(timer));
  if (code !== 0) throw new Error(`e2e/support/${script} ${args.join(" ")} exited with ${code}:\n${stderr.trim() || stdout.trim()}`);
  const last = stdout.trim().split("\n").pop() ?? "";
  return (last ? JSON.parse(last) : null) as T;
}

/** Reads the JSON a runInApp caller sent (empty input is null). */
export async function readStdinJson<T>(): Promise<T> {
  let text = "";
  for await (const chunk of process.stdin) text += chunk;
  return (text.trim() ? JSON.parse(text) : null) as T;
}

/**
 * The other end of runInApp: when this process runs `script`, reads the request JSON from
 * stdin, runs the named command, prints its answer as JSON and exits 0 (1 with the error).
 */
export function serveAppCommands(script: string, commands: Record<string, (request: never) => Promise<unknown>>): void {
  if (!process.argv[1]?.endsWith(script)) return;
  const [command] = process.argv.slice(2);
  const handler = command ? commands[command] : undefined;
  const run = handler
    ? readStdinJson<unknown>().then((request) => handler(request as never))
    : Promise.reject(new Error(`usage: ${script} ${Object.keys(commands).join("|")} < request.json`));
  run.then(
    (answer) => {
      console.log(JSON.stringify(answer));
      process.exit(0);
    },
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}
