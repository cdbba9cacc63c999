// The integration part runs in two lanes at once, each one file at a time (every file
// has its own namespace lab and its own database, so two files never share a router or
// a row). The VM router lab is one per run and its tests reset its routers, so every
// file that attaches to it runs in the same lane. The rest are dealt out by size
// (bytes of the test file: long files are the long-running ones), largest first, each to
// the lane with less work so far. Pure: scripts/test.mjs lists the files and runs the lanes.

/** A file that attaches to the run's shared VM lab (e2e/lab/vm/shared-vm-lab.ts). */
export const usesVmLab = (source) => /shared-vm-lab|vm-lab\/|\bvmLab\b|GATEWARDEN_VM_LAB/.test(source);

/**
 * @param {{ file: string, size: number, vm: boolean }[]} files
 * @returns {[string[], string[]]} the two lanes; the VM files are all in the first
 */
export function integrationLanes(files) {
  const lanes = [
    { files: [], work: 0 },
    { files: [], work: 0 },
  ];
  for (const f of files.filter((f) => f.vm)) {
    lanes[0].files.push(f.file);
    lanes[0].work += f.size;
  }
  const rest = files.filter((f) => !f.vm).sort((a, b) => b.size - a.size || a.file.localeCompare(b.file));
  for (const f of rest) {
    const lane = lanes[0].work <= lanes[1].work ? lanes[0] : lanes[1];
    lane.files.push(f.file);
    lane.work += f.size;
  }
  return [lanes[0].files.sort(), lanes[1].files.sort()];
}
