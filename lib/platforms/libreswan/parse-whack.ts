// Parsers for `ipsec whack --showstates` and `ipsec whack --trafficstatus` (pluto 4.x
// prefixes each line with a 3-digit code, 5.x does not). Formats: FACTS.md, section
// "What the router prints". Lines of other shapes (pending CHILD SAs, separators) are skipped.

const PREFIX = /^\d{3} /;
const STATE = /^#(\d+): "([^"]+)"(?:\[\d+\])?(?: \S+?)?:(\d+)?(?:\(tcp\))? (STATE_[A-Z0-9_]+) \((.*?)\);(.*)$/;
const DETAIL = /^#(\d+): "([^"]+)"(?:\[\d+\])?(?: [^\s@]+)?((?: used \d+s ago;)?(?: [a-z]+\.[0-9a-f]+@\S+)+) Traffic:(.*)$/;
const TRAFFIC = /^#(\d+): "([^"]+)"(?:\[\d+\])?(?: \S+)?, type=(\w+), add_time=(\d+)(.*)$/;

export interface WhackState {
  serial: number;
  connection: string;
  /** The peer's IKE port; null when pluto printed none. */
  remotePort: number | null;
  /** e.g. STATE_V2_ESTABLISHED_IKE_SA. */
  name: string;
  /** pluto's words for the state, e.g. "established IKE SA". */
  story: string;
  /** Seconds until each pending event: REKEY, REPLACE, EXPIRE, RETRANSMIT… */
  events: Record<string, number>;
  newest: boolean;
  /** The IKE (ISAKMP) SA of an established CHILD (IPsec) SA. */
  parentSerial: number | null;
  /** The line without its 3-digit code. */
  line: string;
}

export interface Said {
  /** esp, ah, comp or tun. */
  protocol: string;
  /** Lower-case hex, 8 digits (pluto prints no leading zeros). */
  spi: string;
  /** Where the SA delivers: the peer for outbound SAs, this router for inbound ones. */
  address: string;
}

export interface WhackChildDetail {
  serial: number;
  connection: string;
  saids: Said[];
  /** ESPin, ESPout, ESPmax… as printed (rounded: "84B", "12KB"). */
  traffic: Record<string, string>;
  line: string;
}

const lines = (output: string) =>
  output
    .split("\n")
    .map((l) => l.replace(PREFIX, "").trimEnd())
    .filter(Boolean);

function attributes(rest: string): Pick<WhackState, "events" | "newest" | "parentSerial"> {
  const events: Record<string, number> = {};
  let newest = false;
  let parentSerial: number | null = null;
  for (const item of rest.split(";").map((s) => s.trim())) {
    const event = /^(\w+) in (-?\d+)s$/.exec(item);
    const parent = /^(?:IKE|ISAKMP) SA #(\d+)$/.exec(item);
    if (event) events[event[1]!] = Number(event[2]);
    else if (parent) parentSerial = Number(parent[1]);
    else if (item === "newest") newest = true;
  }
  return { events, newest, parentSerial };
}

function parseSaid(token: string): Said | null {
  const m = /^([a-z]+)\.([0-9a-f]+)@(\S+)$/.exec(token);
  return m ? { protocol: m[1]!, spi: m[2]!.padStart(8, "0"), address: m[3]! } : null;
}

export function parseShowStates(output: string): { states: WhackState[]; details: WhackChildDetail[] } {
  const states: WhackState[] = [];
  const details: WhackChildDetail[] = [];
  for (const line of lines(output)) {
    const s = STATE.exec(line);
    if (s) {
      states.push({
        serial: Number(s[1]),
        connection: s[2]!,
        remotePort: s[3] ? Number(s[3]) : null,
        name: s[4]!,
        story: s[5]!,
        ...attributes(s[6]!),
        line,
      });
      continue;
    }
    const d = DETAIL.exec(line);
    if (d) {
      const saids = d[3]!
        .trim()
        .split(/\s+/)
        .map(parseSaid)
        .filter((x): x is Said => x !== null);
      const traffic = Object.fromEntries(
        d[4]!
          .trim()
          .split(/\s+/)
          .map((kv) => kv.split("="))
          .filter((kv) => kv.length === 2),
      );
      details.push({ serial: Number(d[1]), connection: d[2]!, saids, traffic, line });
    }
  }
  return { states, details };
}

export interface TrafficEntry {
  serial: number;
  connection: string;
  /** ESP, AH or IPCOMP. */
  type: string;
  /** When the kernel SA was added (Unix seconds); 0 when unknown. */
  addTime: number;
  inBytes: number | null;
  outBytes: number | null;
  /** The peer's IKE identity. */
  remoteId: string | null;
  line: string;
}

export function parseTrafficStatus(output: string): TrafficEntry[] {
  return lines(output).flatMap((line) => {
    const m = TRAFFIC.exec(line);
    if (!m) return [];
    const rest = m[5]!;
    const num = (key: string) => {
      const v = new RegExp(`, ${key}=(\\d+)`).exec(rest);
      return v ? Number(v[1]) : null;
    };
    return [
      {
        serial: Number(m[1]),
        connection: m[2]!,
        type: m[3]!,
        addTime: Number(m[4]),
        inBytes: num("inBytes"),
        outBytes: num("outBytes"),
        remoteId: /, id='([^']*)'/.exec(rest)?.[1] ?? null,
        line,
      },
    ];
  });
}
