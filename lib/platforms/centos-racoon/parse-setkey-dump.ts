// Parser for `setkey -D` (ipsec-tools' dump of the kernel's SAD through PF_KEY): each SA's
// addresses, protocol, mode, SPI, algorithms, state, age and byte counter, in the shape of
// the shared `ip xfrm state` parser. setkey prints every key in hex and has no option to
// hide them: key lines are skipped and nothing of them is kept (FACTS.md, "setkey -D").
import { blankSa, type XfrmState } from "../shared/parse-xfrm-state";

export interface SetkeySa extends XfrmState {
  /** larval, mature, dying (dead ones are not listed without -a). */
  state: string;
  /** Seconds since the kernel added the SA (`diff:`); null when not printed. */
  ageSeconds: number | null;
}

const ADDRESS = "([0-9A-Fa-f.:]+)(?:\\[\\d+\\])?";
const HEADER = new RegExp(`^${ADDRESS} ${ADDRESS}\\s*$`);
const TYPE = /^\t(\S+) mode=(\S+) spi=\d+\(0x([0-9a-f]{8})\) reqid=(\d+)\(/;
const ALGORITHM = /^\t[EAC]: (\S+)/;
const STATE = /\bstate=(\S+)/;
const AGE = /^\tdiff: (\d+)\(s\)/;
const BYTES = /^\tcurrent: (\d+)\(bytes\)/;

export function parseSetkeyDump(output: string): SetkeySa[] {
  const sas: SetkeySa[] = [];
  let sa: SetkeySa | null = null;
  for (const line of output.split("\n")) {
    const header = HEADER.exec(line);
    if (header) {
      sa = { ...blankSa(header[1]!, header[2]!), state: "", ageSeconds: null };
      sas.push(sa);
      continue;
    }
    // Key hexdump continuation lines start with a space; they and anything unknown are skipped.
    if (!sa || !line.startsWith("\t")) continue;
    const type = TYPE.exec(line);
    const algorithm = ALGORITHM.exec(line);
    if (type) {
      // NAT traversal prints esp-udp in place of esp (pfkey_dump.c:344-349).
      const udp = type[1] === "esp-udp";
      Object.assign(sa, {
        protocol: udp ? "esp" : type[1]!.replace(/^natt\+/, ""),
        encapsulation: udp ? "espinudp" : null,
        mode: type[2]!,
        spi: type[3]!,
        reqid: Number(type[4]),
      });
    } else if (algorithm) {
      sa.algorithms.push(algorithm[1]!);
    } else if (STATE.test(line) && line.startsWith("\tseq=")) {
      sa.state = STATE.exec(line)![1]!;
    } else if (AGE.test(line)) {
      sa.ageSeconds = Number(AGE.exec(line)![1]);
    } else if (BYTES.test(line)) {
      sa.bytes = Number(BYTES.exec(line)![1]);
    }
  }
  return sas;
}
