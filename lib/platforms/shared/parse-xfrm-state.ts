// Parser for `ip -s xfrm state list nokeys` (iproute2): the kernel's SAs with their SPIs,
// mode, algorithms and byte/packet counters. Only names and numbers are kept; the
// command is run with `nokeys`, and no key text would be copied even without it.

export interface XfrmState {
  source: string;
  destination: string;
  /** esp, ah, comp, … as iproute2 names them. */
  protocol: string;
  /** Lower-case hex, 8 digits. */
  spi: string;
  reqid: number | null;
  /** tunnel, transport, beet… */
  mode: string;
  /** Kernel algorithm names, e.g. ["cbc(aes)", "hmac(sha256)"], in the order printed. */
  algorithms: string[];
  /** espinudp when ESP travels in UDP (NAT traversal); null otherwise. */
  encapsulation: string | null;
  bytes: number | null;
  packets: number | null;
}

const HEADER = /^src (\S+) dst (\S+)\s*$/;
const ID = /^\s+proto (\S+) (?:spi 0x([0-9a-f]+)(?:\(\d+\))? )?reqid (\d+)(?:\(0x[0-9a-f]+\))? mode (\S+)/;
const ALGORITHM = /^\s+(?:enc|auth|auth-trunc|aead|comp) (\S+)/;
const ENCAP = /^\s+encap type (\S+)/;
const COUNTERS = /^\s+(\d+)\(bytes\), (\d+)\(packets\)/;

/** An SA between two addresses before its lines are read: what `ip xfrm state` and `setkey -D` parsers fill in. */
export function blankSa(source: string, destination: string): XfrmState {
  return {
    source,
    destination,
    protocol: "",
    spi: "",
    reqid: null,
    mode: "",
    algorithms: [],
    encapsulation: null,
    bytes: null,
    packets: null,
  };
}

export function parseXfrmStates(output: string): XfrmState[] {
  const states: XfrmState[] = [];
  let state: XfrmState | null = null;
  let inCurrent = false;
  for (const line of output.split("\n")) {
    const header = HEADER.exec(line);
    if (header) {
      state = blankSa(header[1]!, header[2]!);
      states.push(state);
      inCurrent = false;
      continue;
    }
    if (!state) continue;
    const id = ID.exec(line);
    const algorithm = ALGORITHM.exec(line);
    const encap = ENCAP.exec(line);
    const counters = inCurrent ? COUNTERS.exec(line) : null;
    if (id) {
      Object.assign(state, { protocol: id[1]!, spi: (id[2] ?? "0").padStart(8, "0"), reqid: Number(id[3]), mode: id[4]! });
    } else if (algorithm) {
      state.algorithms.push(algorithm[1]!);
    } else if (encap) {
      state.encapsulation = encap[1]!;
    } else if (/^\s+lifetime current:/.test(line)) {
      inCurrent = true;
    } else if (counters) {
      state.bytes = Number(counters[1]);
      state.packets = Number(counters[2]);
      inCurrent = false;
    }
  }
  return states;
}
