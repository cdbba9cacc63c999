// Makes an API token for a spec through the app's own use case (lib/api/tokens.ts
// createApiToken), for a user of the given role that it creates when missing (a user who
// never signs in: the spec only needs their tokens). Runs in its own process
// (e2e/support/app-process.ts).
//   runInApp("api-tokens.ts", ["create"], { username, role, scope })  → { id, token }
import { serveAppCommands } from "./app-process";

export type TokenRequest = { username: string; role: "admin" | "operator" | "viewer"; scope: "metrics" | "read" | "operate" | "admin" };

async function create({ username, role, scope }: TokenRequest): Promise<{ id: string; token: string }> {
  const { getUserCredentials, createUser } = await import("@/lib/db/users");
  const { runInTransaction } = await import("@/lib/db/client");
  const { createApiToken } = await import("@/lib/api/tokens");
  const existing = await getUserCredentials(username);
  const userId = existing
    ? existing.id
    : (await runInTransaction((tx) => createUser(tx, { username, passwordHash: "scrypt$no-sign-in", role }))).id;
  return createApiToken({ userId, name: `${username} ${scope}`, scope });
}

serveAppCommands("api-tokens.ts", { create });
