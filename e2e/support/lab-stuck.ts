// Leaves a seeded lab tunnel with a stuck rotation, for real: the rotation engine runs
// (as the rotate job does) and, right after the "b" end received the new key, that
// router stops accepting Gatewarden's SSH key (its authorized_keys emptied inside it, its
// open sessions killed), so neither the switch nor the revert can reach it. `let-in`
// restores the key. Runs in its own process (e2e/support/app-process.ts).
//   runInApp("lab-stuck.ts", ["stick"], { lab, tunnelId, router })  → ["stuck"]
//   runInApp("lab-stuck.ts", ["let-in"], { lab, router })
import { execInRouter, requireLabState } from "../lab/lab";
import { serveAppCommands } from "./app-process";

export type StuckRequest = { lab: string; router: string; tunnelId?: string };

async function lockOut(req: StuckRequest) {
  await execInRouter(requireLabState(req.lab), req.router, [
    "sh",
    "-c",
    ': > /etc/ssh/authorized_keys; pkill -KILL -P "$(cat /run/sshd.pid)" || true',
  ]);
}

async function letIn(req: StuckRequest) {
  const lab = requireLabState(req.lab);
  const key = lab.managementKey.publicKey.trim();
  await execInRouter(lab, req.router, ["sh", "-c", `printf '%s\\n' '${key}' > /etc/ssh/authorized_keys`]);
  return true;
}

async function stick(req: StuckRequest) {
  // The job's log lines go to the database; pino must not print them where the answer goes (stdout).
  process.env.LOG_LEVEL = "silent";
  const { getDb } = await import("@/lib/db/client");
  const admin = await getDb().user.findFirst({ where: { role: "admin", disabled: false }, orderBy: { createdAt: "asc" } });
  if (!admin) throw new Error("no admin");
  const { runRotation } = await import("@/lib/rotation/test-support");
  const { outcomes } = await runRotation({ id: admin.id, username: admin.username }, [req.tunnelId!], {
    afterEndUploaded: async (_id, role) => (role === "b" ? lockOut(req) : undefined),
  });
  return outcomes.map((o) => o.result);
}

serveAppCommands("lab-stuck.ts", { stick, "let-in": letIn });
