// Reader for the swanctl.conf syntax we render (nested `name { ... }` sections and
// `key = value` lines, # comments, optional "quoted" values): used to read back deployed
// files and, in tests, to prove rendered files mean what the tunnel end says.

export interface SwanctlSection {
  [key: string]: string | SwanctlSection;
}

export function parseSwanctlConf(text: string): SwanctlSection {
  const root: SwanctlSection = {};
  const stack: SwanctlSection[] = [root];
  for (const [index, raw] of text.split("\n").entries()) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const current = stack.at(-1)!;
    const open = /^([A-Za-z0-9_.-]+)\s*\{$/.exec(line);
    const pair = /^([A-Za-z0-9_.-]+)\s*=\s*(?:"([^"\\]*)"|([^"#{}\s][^"#{}]*?))$/.exec(line);
    if (open) {
      const section: SwanctlSection = {};
      current[open[1]!] = section;
      stack.push(section);
    } else if (line === "}") {
      if (stack.length === 1) throw new Error(`line ${index + 1}: unbalanced }`);
      stack.pop();
    } else if (pair) {
      current[pair[1]!] = pair[2] ?? pair[3]!;
    } else {
      throw new Error(`line ${index + 1}: not a section or key = value: ${JSON.stringify(raw)}`);
    }
  }
  if (stack.length !== 1) throw new Error("unclosed section");
  return root;
}

/** Follows a path of section names; throws when a step is missing or is a value. */
export function section(root: SwanctlSection, ...path: string[]): SwanctlSection {
  let at = root;
  for (const name of path) {
    const next = at[name];
    if (typeof next !== "object") throw new Error(`no section ${path.join(".")}`);
    at = next;
  }
  return at;
}
