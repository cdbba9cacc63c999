// Starts the router lab the deploy specs drive (real sshd + strongSwan routers in
// network namespaces; needs root), before the app server starts. Every run starts on
// routers as the lab builds them: a lab an interrupted run left up (tunnel files, a
// stopped daemon) is replaced. Which spec drives which router: support/lab-routers.ts.
import { startLab, stopLab } from "./lab/lab";
import { LAB_SHAPE } from "./support/lab-routers";

// E2E_LAB lets a second run (another checkout, CI) use its own namespaces at the same time.
export const E2E_LAB = process.env.E2E_LAB ?? "gwtest-e2e";

export default async function globalSetup() {
  await stopLab(E2E_LAB);
  await startLab({ name: E2E_LAB, ...LAB_SHAPE });
}
