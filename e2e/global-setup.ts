// Starts the router lab the deploy specs drive (real sshd + strongSwan routers in
// network namespaces; needs root), before the app server starts. Which spec drives
// which router: support/lab-routers.ts.
import { startLab } from "./lab/lab";
import { LAB_SHAPE } from "./support/lab-routers";

// E2E_LAB lets a second run (another checkout, CI) use its own namespaces at the same time.
export const E2E_LAB = process.env.E2E_LAB ?? "gwtest-e2e";

export default async function globalSetup() {
  await startLab({ name: E2E_LAB, ...LAB_SHAPE });
}
