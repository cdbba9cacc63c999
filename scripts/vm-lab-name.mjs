// Which name the run's shared VM lab takes (pure; scripts/test.mjs asks `ip netns list`).
// Network namespaces are machine-wide, but a lab's ledger (state.json) lives in the clone
// that built it: a second clone on the same machine — another checkout's test run, or one
// that was killed and left its lab behind — cannot see, reuse or stop that lab, and a lab
// of the same name would be refused ("namespaces already exist"). So the run takes the
// first name whose namespaces are free, or whose lab is this clone's own (its ledger is
// here: the lab code replaces it). Addresses follow the name and skip what is in use
// (e2e/lab/address-plan.ts), so two labs of different names never collide.

/** The namespace every lab of this name has (its internet: e2e/lab/address-plan.ts). */
export const wanNamespace = (labName) => `${labName}-wan`;

/**
 * @param {string} base  the default name (gwtest-vmlab)
 * @param {string[]} namespaces  `ip netns list`'s names
 * @param {(name: string) => boolean} ownLab  this clone has a ledger for a lab of this name
 * @returns {string}
 */
export function freeVmLabName(base, namespaces, ownLab) {
  const taken = new Set(namespaces);
  for (let i = 1; i <= 9; i++) {
    const name = i === 1 ? base : `${base}${i}`;
    if (!taken.has(wanNamespace(name)) || ownLab(name)) return name;
  }
  throw new Error(`no free VM lab name: ${base} … ${base}9 are all up from other clones (ip netns list)`);
}

/** `ip netns list` output → names ("gwtest-vmlab-wan (id: 0)" → "gwtest-vmlab-wan"). */
export function parseNetnsList(text) {
  return text
    .split("\n")
    .map((l) => l.trim().split(" ")[0])
    .filter(Boolean);
}
