import { stopLab } from "./lab/lab";
import { E2E_LAB } from "./global-setup";

export default async function globalTeardown() {
  await stopLab(E2E_LAB);
}
