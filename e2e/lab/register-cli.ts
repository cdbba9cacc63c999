// `npm run lab -- up --register`: migrates the app's database (as `npm start` does)
// and records the lab's routers in it. Runs under tsx with the react-server
// condition, so the app's server-only modules load outside Next.js.
// @ts-expect-error plain ESM script without types
import { migrateDeploy } from "../../scripts/prisma-migrate.mjs";
import type { LabState } from "./state";

export async function registerInApp(state: LabState, opts: { tunnels: boolean }): Promise<void> {
  process.umask(0o077); // the database and key file hold encrypted router credentials
  await migrateDeploy({ env: process.env });
  const { ensureBuiltInProfiles } = await import("@/lib/db/crypto-profiles");
  await ensureBuiltInProfiles();
  const { registerLab } = await import("./register");
  const r = await registerLab(
    state,
    { id: null, username: "lab-register" },
    { tunnels: opts.tunnels ? "hub-and-spoke" : "none", log: (l) => console.log(l) },
  );
  console.log(`registered ${r.gatewayIds.size} gateway(s) and ${r.tunnelIds.length} tunnel(s) in the app's database; host keys pinned`);
  const { getDb } = await import("@/lib/db/client");
  await getDb().$disconnect();
}
