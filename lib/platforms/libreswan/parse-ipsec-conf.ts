// Reads back the subset of ipsec.conf / ipsec.secrets syntax Gatewarden writes (comment
// lines, `conn NAME` with indented key=value lines, `A B : PSK "…"`), so tests can check
// what a rendered file says. Anything else is an error rather than a guess.

export type IpsecConf = Record<string, Record<string, string>>;

export function parseIpsecConf(text: string): IpsecConf {
  const conns: IpsecConf = {};
  let current: Record<string, string> | null = null;
  for (const [index, line] of text.split("\n").entries()) {
    if (/^[\t ]*(#.*)?$/.test(line)) continue;
    const conn = /^conn ([^\s"]+)$/.exec(line);
    if (conn) {
      if (Object.hasOwn(conns, conn[1]!)) throw new Error(`line ${index + 1}: conn ${conn[1]} defined twice`);
      current = conns[conn[1]!] = {};
      continue;
    }
    const kv = /^[\t ]+([a-z0-9-]+)=([^\s"]+)$/.exec(line);
    if (!kv || !current) throw new Error(`line ${index + 1} is not a conn header or an indented key=value: ${JSON.stringify(line)}`);
    if (Object.hasOwn(current, kv[1]!)) throw new Error(`line ${index + 1}: ${kv[1]} set twice`);
    current[kv[1]!] = kv[2]!;
  }
  return conns;
}

export interface PskEntry {
  ids: string[];
  psk: string;
}

export function parseIpsecSecrets(text: string): PskEntry[] {
  return text
    .split("\n")
    .filter((line) => !/^[\t ]*(#.*)?$/.test(line))
    .map((line, index) => {
      const m = /^(\S+(?: \S+)*) : PSK "([^"]*)"$/.exec(line);
      if (!m) throw new Error(`secret ${index + 1} is not "IDS : PSK \\"…\\"": ${JSON.stringify(line)}`);
      return { ids: m[1]!.split(" "), psk: m[2]! };
    });
}
