// `npm test` (scripts/test.mjs) boots the run's shared VM lab with this before the
// integration and e2e parts and stops it at the end (shared-vm-lab.ts says why).
//   tsx e2e/lab/vm/shared-vm-lab-cli.ts up|down
// Needs root (network namespaces, QEMU on taps). Exit code 1 with the reason on failure.
import { bootSharedVmLab, SHARED_VM_LAB_NAME, stopSharedVmLab } from "./shared-vm-lab";

async function main(command: string | undefined): Promise<number> {
  if (command === "up") {
    const { lab, seconds } = await bootSharedVmLab((line) => console.log(line));
    const what = `${lab.routers.length} routers (${lab.routers.map((r) => `${r.name} ${r.platform}`).join(", ")})`;
    console.log(
      seconds === null
        ? `VM lab ${lab.name}: already up with ${what}, reused`
        : `VM lab ${lab.name}: booted ${what} in ${seconds.toFixed(1)} s`,
    );
    return 0;
  }
  if (command === "down") {
    const found = await stopSharedVmLab();
    console.log(found ? `VM lab ${SHARED_VM_LAB_NAME}: stopped` : `VM lab ${SHARED_VM_LAB_NAME}: was not up`);
    return 0;
  }
  console.error("usage: tsx e2e/lab/vm/shared-vm-lab-cli.ts up|down");
  return 2;
}

main(process.argv[2]).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`VM lab ${SHARED_VM_LAB_NAME}: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
