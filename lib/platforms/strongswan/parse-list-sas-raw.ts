// Parser for `swanctl --list-sas --raw`: vici's own messages, one per line, as libvici's
// dump prints them (`list-sa event {<ike> {key=value … child-sas {<child> {…}}}}`). The
// keys are vici's protocol, stable across strongSwan releases, unlike the human listing.
import type { ChildSa, ChildSaTraffic, IkeSa } from "../status";

/** A vici section: its entries in order (a value, a list of values, or a nested section). */
export type ViciSection = { entries: [name: string, value: ViciValue][] };
export type ViciValue = string | string[] | ViciSection;

// After a value the next element starts with a space and a lowercase vici key ("x=", "x {")
// or the section ends: values may hold spaces (a DN id "C=CH, O=…" prints its keys upper case).
const VALUE_END = / (?=[a-z][a-z0-9_-]*(?:=| \{))|\}/g;
const NAME = /([^\s={}[\]]+)(=| \{)/y;

class Reader {
  pos = 0;
  constructor(readonly text: string) {}

  section(): ViciSection {
    const entries: ViciSection["entries"] = [];
    for (;;) {
      if (this.text[this.pos] === "}") {
        this.pos++;
        return { entries };
      }
      if (this.text[this.pos] === " ") this.pos++;
      NAME.lastIndex = this.pos;
      const m = NAME.exec(this.text);
      if (!m) throw new Error(`unexpected text at ${this.pos}`);
      this.pos = NAME.lastIndex;
      if (m[2] !== "=") entries.push([m[1]!, this.section()]);
      else if (this.text[this.pos] === "[") entries.push([m[1]!, this.list()]);
      else entries.push([m[1]!, this.value()]);
    }
  }

  private value(): string {
    VALUE_END.lastIndex = this.pos;
    const end = VALUE_END.exec(this.text);
    if (!end) throw new Error("value without an end");
    const value = this.text.slice(this.pos, end.index);
    this.pos = end.index;
    return value;
  }

  /** `[a b c]`; an item may carry its own brackets (a traffic selector `10.0.0.0/8[tcp/80]`). */
  private list(): string[] {
    const items: string[] = [];
    this.pos++;
    for (;;) {
      const c = this.text[this.pos];
      if (c === undefined) throw new Error("list without an end");
      if (c === "]") {
        this.pos++;
        return items;
      }
      if (c === " ") this.pos++;
      let depth = 0;
      const start = this.pos;
      while (this.pos < this.text.length) {
        const ch = this.text[this.pos]!;
        if (ch === "[") depth++;
        else if (ch === "]" && depth-- === 0) break;
        else if (ch === " " && depth === 0) break;
        this.pos++;
      }
      items.push(this.text.slice(start, this.pos));
    }
  }
}

/** One dumped vici message (`<label> {…}`), or null when the line is not one. */
export function parseViciMessage(line: string): { label: string; body: ViciSection } | null {
  const open = line.indexOf(" {");
  if (open <= 0 || !line.endsWith("}")) return null;
  const reader = new Reader(line);
  reader.pos = open + 2;
  try {
    const body = reader.section();
    return reader.pos === line.length ? { label: line.slice(0, open), body } : null;
  } catch {
    return null;
  }
}

const isSection = (v: ViciValue | undefined): v is ViciSection => typeof v === "object" && !Array.isArray(v);

function getter(section: ViciSection) {
  const find = (key: string) => section.entries.find(([k]) => k === key)?.[1];
  return {
    str: (key: string): string | null => {
      const v = find(key);
      return typeof v === "string" ? v : null;
    },
    num: (key: string): number | null => {
      const v = find(key);
      return typeof v === "string" && /^\d+$/.test(v) ? Number(v) : null;
    },
    list: (key: string): string[] => {
      const v = find(key);
      return Array.isArray(v) ? v : [];
    },
    sections: (key: string): [string, ViciSection][] => {
      const v = find(key);
      return isSection(v) ? v.entries.filter((e): e is [string, ViciSection] => isSection(e[1])) : [];
    },
  };
}

/** "AES_CBC-256/HMAC_SHA2_256_128/…" as swanctl's listing prints it; null without a cipher. */
function algorithms(g: ReturnType<typeof getter>): string | null {
  const encr = g.str("encr-alg");
  if (!encr) return null;
  const withSize = (alg: string | null, size: string | null) => (alg ? (size ? `${alg}-${size}` : alg) : null);
  return [
    withSize(encr, g.str("encr-keysize")),
    withSize(g.str("integ-alg"), g.str("integ-keysize")),
    g.str("prf-alg"),
    g.str("dh-group"),
    g.str("esn") === "1" ? "ESN" : null,
  ]
    .filter((x): x is string => x !== null)
    .join("/");
}

function traffic(g: ReturnType<typeof getter>, dir: "in" | "out"): ChildSaTraffic | null {
  const spi = g.str(`spi-${dir}`);
  if (!spi) return null;
  return { spi, bytes: g.num(`bytes-${dir}`) ?? 0, packets: g.num(`packets-${dir}`) ?? 0, lastPacketSecondsAgo: g.num(`use-${dir}`) };
}

function toChild(key: string, section: ViciSection): ChildSa {
  const g = getter(section);
  return {
    // The section is "<name>-<uniqueid>"; the name is its own key.
    name: g.str("name") ?? key,
    uniqueId: g.num("uniqueid") ?? 0,
    reqid: g.num("reqid"),
    state: g.str("state") ?? "",
    mode: g.str("mode") ?? "",
    udpEncapsulated: g.str("encap") === "yes",
    protocol: g.str("protocol") ?? "",
    algorithms: algorithms(g) ?? "",
    installedSecondsAgo: g.num("install-time"),
    rekeyInSeconds: g.num("rekey-time"),
    expiresInSeconds: g.num("life-time"),
    inbound: traffic(g, "in"),
    outbound: traffic(g, "out"),
    localTs: g.list("local-ts"),
    remoteTs: g.list("remote-ts"),
  };
}

function toIkeSa(name: string, section: ViciSection): IkeSa {
  const g = getter(section);
  return {
    name,
    uniqueId: g.num("uniqueid") ?? 0,
    state: g.str("state") ?? "",
    version: g.str("version") === "1" ? 1 : 2,
    initiatorSpi: g.str("initiator-spi") ?? "",
    responderSpi: g.str("responder-spi") ?? "",
    localIsInitiator: g.str("initiator") === "yes",
    local: { id: g.str("local-id") ?? "", address: g.str("local-host") ?? "", port: g.num("local-port") ?? 0 },
    remote: { id: g.str("remote-id") ?? "", address: g.str("remote-host") ?? "", port: g.num("remote-port") ?? 0 },
    algorithms: algorithms(g),
    establishedSecondsAgo: g.num("established"),
    rekeyInSeconds: g.num("rekey-time"),
    reauthInSeconds: g.num("reauth-time"),
    children: g.sections("child-sas").map(([key, child]) => toChild(key, child)),
  };
}

/** Every IKE SA of the `list-sa event` messages; other lines (the closing `list-sas reply`) are skipped. */
export function parseListSasRaw(output: string): IkeSa[] {
  const sas: IkeSa[] = [];
  for (const line of output.split("\n")) {
    const message = parseViciMessage(line.trim());
    if (message?.label !== "list-sa event") continue;
    for (const [name, value] of message.body.entries) {
      if (isSection(value)) sas.push(toIkeSa(name, value));
    }
  }
  return sas;
}
