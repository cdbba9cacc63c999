// A checker for racoon.conf and every file it includes, built from ipsec-tools 0.8's
// grammar (cfparse.y, cftoken.l; FACTS.md): it refuses what racoon refuses — a sainfo
// without compression_algorithm, DH groups racoon lacks, an include matching no file, a
// stray `;`, unknown keywords, unbalanced braces — with racoon's `path:line: "token"
// message` and, like racoon, stops at the first error. Pure: the router's files are passed
// in. The blocks Gatewarden never writes (privsep, listen, timer, …) are only checked for
// balanced braces.
import { algorithmName, algorithmProblem, RACOON_DH_GROUPS, RACOON_DH_NUMBERS, type AlgorithmClass } from "./racoon-algorithms";
import { RacoonError, TokenStream, type Token } from "./racoon-tokens";

export interface RacoonRemote {
  /** The address after `remote`, or "anonymous". */
  address: string;
  /** In the order written: the first one is what racoon initiates with (isakmp.c:1085). */
  exchangeModes: string[];
  path: string;
  line: number;
}

export interface RacoonCheck {
  /** The first error racoon would stop at, as racoon logs it; null when racoon accepts the files. */
  error: string | null;
  /** Every remote block read, in order (empty when the parse stopped early). */
  remotes: RacoonRemote[];
  /** Every file racoon read, in order. */
  filesRead: string[];
}

const PATH_TYPES = ["include", "pre_shared_key", "certificate", "script", "backupsa", "pidfile"];
const LOG_LEVELS = ["error", "warning", "notify", "info", "debug", "debug2"];
const UNITS: Record<string, number> = {
  sec: 1,
  secs: 1,
  second: 1,
  seconds: 1,
  min: 60,
  mins: 60,
  minute: 60,
  minutes: 60,
  hour: 3600,
  hours: 3600,
};
/** Top-level blocks Gatewarden never writes: their content is not modelled here. */
const OPAQUE_BLOCKS = ["privsep", "padding", "listen", "radiuscfg", "ldapcfg", "mode_cfg", "timer"];
const ID_TYPES = ["address", "subnet", "fqdn", "user_fqdn", "keyid", "asn1dn"];
const UL_PROTOS = ["esp", "ah", "ipcomp", "icmp", "icmp6", "tcp", "udp", "gre", "any"];
/** remote statements checked only up to their `;` (cftoken.l:314-372). */
const LOOSE_REMOTE_SPECS = [
  "remote_address",
  "doi",
  "situation",
  "xauth_login",
  "certificate_type",
  "ca_type",
  "peers_certfile",
  "verify_cert",
  "send_cert",
  "send_cr",
  "match_empty_cr",
  "nonce_size",
  "generate_policy",
  "support_proxy",
  "initial_contact",
  "nat_traversal",
  "proposal_check",
  "keepalive",
  "passive",
  "dpd_delay",
  "dpd_retry",
  "dpd_maxfail",
  "ph1id",
  "ike_frag",
  "esp_frag",
  "script",
  "mode_cfg",
  "weak_phase1_check",
  "rekey",
];
const EXCHANGE_MODES = ["main", "aggressive", "base"];
/** sainfo's algorithm lists, each required (cfparse.y:1308-1323), in racoon's order of checking. */
const SAINFO_CLASSES: Record<string, AlgorithmClass> = {
  encryption_algorithm: "ipsec-enc",
  authentication_algorithm: "ipsec-auth",
  compression_algorithm: "ipsec-comp",
};
const PROPOSAL_CLASSES: Record<string, AlgorithmClass> = {
  encryption_algorithm: "ike-enc",
  hash_algorithm: "ike-hash",
  authentication_method: "ike-auth",
};
const PROPOSAL_REQUIRED: [string, string][] = [
  ["encryption_algorithm", "encryption algorithm required."],
  ["hash_algorithm", "hash algorithm required."],
  ["dh_group", "DH group required."],
  ["authentication_method", "authentication method required."],
];
const ADDRESS = /^[0-9a-fA-F:.]+(?:%[A-Za-z0-9]+)?(?:\/\d{1,3})?(?:\[(?:\d+|any)\])?$/;

const fail = (t: Token, message: string): never => {
  throw new RacoonError(t.path, t.line, t.text, message);
};
const syntax = (t: Token): never => fail(t, t.kind === "eof" ? "syntax error (unexpected end of file)" : "syntax error");

class Parser {
  readonly remotes: RacoonRemote[] = [];
  private includePath = "/etc/racoon";
  private readonly sainfoIds = new Set<string>();
  /** The first missing part of each proposal of the remote being read. */
  private proposalErrors: string[] = [];

  constructor(private readonly tokens: TokenStream) {}

  private expect(kind: Token["kind"], words?: readonly string[]): Token {
    const t = this.tokens.next();
    if (t.kind !== kind || (words && !words.includes(t.text))) syntax(t);
    return t;
  }

  private number(): number {
    const t = this.tokens.next();
    if (t.kind !== "word" || !/^\d+$/.test(t.text)) syntax(t);
    return Number(t.text);
  }

  /** `word ;` with the word one of `words`. */
  private wordAndEnd(words: readonly string[]): void {
    this.expect("word", words);
    this.expect(";");
  }

  private optionalNumber(): number | null {
    const t = this.tokens.peek();
    return t.kind === "word" && /^\d+$/.test(t.text) ? this.number() : null;
  }

  /** Up to and with the `;` of a statement whose words are not modelled; braces end it too early. */
  private skipStatement(): void {
    for (let t = this.tokens.next(); t.kind !== ";"; t = this.tokens.next())
      if (t.kind !== "word" && t.kind !== "string" && t.kind !== ",") syntax(t);
  }

  private skipBlock(): void {
    this.expect("{");
    for (let depth = 1; depth > 0;) {
      const t = this.tokens.next();
      if (t.kind === "eof") syntax(t);
      if (t.kind === "{") depth++;
      if (t.kind === "}") depth--;
    }
  }

  statements(): void {
    for (let t = this.tokens.next(); t.kind !== "eof"; t = this.tokens.next()) {
      if (t.kind !== "word") syntax(t);
      if (t.text === "path") this.path();
      else if (t.text === "include") this.include();
      else if (t.text === "sainfo") this.sainfo();
      else if (t.text === "remote") this.remote(t);
      else if (t.text === "log") this.wordAndEnd(LOG_LEVELS);
      else if (t.text === "complex_bundle") this.wordAndEnd(["on", "off"]);
      else if (t.text === "gss_id_enc") this.wordAndEnd(["latin1", "utf-16le"]);
      else if (t.text === "pfkey_buffer") {
        this.number();
        this.expect(";");
      } else if (OPAQUE_BLOCKS.includes(t.text)) this.skipBlock();
      else syntax(t);
    }
  }

  private path(): void {
    const type = this.expect("word", PATH_TYPES).text;
    const value = this.expect("string").text;
    this.expect(";");
    if (type === "include") this.includePath = value;
  }

  private include(): void {
    const name = this.expect("string").text;
    const end = this.expect(";");
    // A relative name is joined to `path include` (localconf.c:250-258).
    this.tokens.include(name.startsWith("/") ? name : `${this.includePath}/${name}`, end);
  }

  /** A DH group as pfs_group or dh_group takes it (cfparse.y:2225-2244). */
  private dhGroup(): number {
    const t = this.tokens.next();
    if (t.kind !== "word") syntax(t);
    if (/^\d+$/.test(t.text)) {
      const n = Number(t.text);
      if (!RACOON_DH_NUMBERS.includes(n)) fail(t, "must be DH group");
      if (!RACOON_DH_GROUPS.includes(n)) fail(t, `DH group ${n} (EC2N) is parsed but racoon has no implementation of it`);
      return n;
    }
    if (algorithmName(t.text) === null) syntax(t);
    const problem = algorithmProblem("dh", t.text, null);
    if (problem) fail(t, problem);
    return Number(/\d+$/.exec(t.text)![0]);
  }

  /** `name [keylen]`: one algorithm of a class. */
  private algorithm(cls: AlgorithmClass): void {
    const t = this.tokens.next();
    if (t.kind !== "word" || algorithmName(t.text) === null) syntax(t);
    const problem = algorithmProblem(cls, t.text, this.optionalNumber());
    if (problem) fail(t, problem);
  }

  private lifetime(): void {
    const kind = this.expect("word", ["time", "byte"]);
    if (kind.text === "byte") fail(kind, "byte lifetime support is deprecated");
    this.number();
    const unit = this.tokens.next();
    if (unit.kind !== "word" || !Object.hasOwn(UNITS, unit.text)) syntax(unit);
    this.expect(";");
  }

  /** `address 10.0.0.0/24 [any] any`, or `fqdn "x"`: returns its text, for the duplicate check. */
  private sainfoId(first: Token): string {
    if (!ID_TYPES.includes(first.text)) syntax(first);
    if (first.text !== "address" && first.text !== "subnet") return `${first.text} ${this.expect("string").text}`;
    const parts = [first.text, this.expect("word").text];
    if (!ADDRESS.test(parts[1]!)) syntax(this.tokens.peek());
    for (let t = this.tokens.peek(); t.kind === "word" && /^(\/\d{1,3}|\[(\d+|any)\])$/.test(t.text); t = this.tokens.peek())
      parts.push(this.tokens.next().text);
    const proto = this.tokens.next();
    if (proto.kind !== "word" || !(UL_PROTOS.includes(proto.text) || /^\d+$/.test(proto.text))) syntax(proto);
    return [...parts, proto.text].join(" ");
  }

  private sainfo(): void {
    let t = this.tokens.next();
    const ids: string[] = [];
    if (t.text === "anonymous") {
      ids.push("anonymous");
      const after = this.tokens.peek();
      if (after.kind === "word" && after.text === "clientaddr") ids.push(this.tokens.next().text);
      else if (after.kind === "word" && ID_TYPES.includes(after.text)) ids.push(this.sainfoId(this.tokens.next()));
    } else {
      ids.push(this.sainfoId(t));
      const second = this.tokens.next();
      ids.push(second.text === "anonymous" || second.text === "clientaddr" ? second.text : this.sainfoId(second));
    }
    t = this.tokens.peek();
    if (t.kind === "word" && (t.text === "from" || t.text === "group")) {
      this.tokens.next();
      ids.push(t.text === "from" ? `from ${this.sainfoId(this.tokens.next())}` : `group ${this.expect("string").text}`);
    }
    this.expect("{");
    const seen = new Set<string>();
    for (t = this.tokens.next(); t.kind !== "}"; t = this.tokens.next()) {
      if (t.kind !== "word") syntax(t);
      const cls = Object.hasOwn(SAINFO_CLASSES, t.text) ? SAINFO_CLASSES[t.text]! : null;
      if (t.text === "lifetime") this.lifetime();
      else if (t.text === "pfs_group" || t.text === "remoteid") {
        if (t.text === "pfs_group") this.dhGroup();
        else this.number();
        this.expect(";");
      } else if (cls) {
        this.algorithm(cls);
        while (this.tokens.peek().kind === ",") {
          this.tokens.next();
          this.algorithm(cls);
        }
        this.expect(";");
        seen.add(t.text);
      } else syntax(t);
    }
    // The three checks run when the block's `}` is read (cfparse.y:1308-1323).
    const at = ids.length === 1 ? "loc='ANONYMOUS', rmt='ANONYMOUS', peer='ANY', id=0" : `'${ids.join("', '")}'`;
    for (const keyword of Object.keys(SAINFO_CLASSES)) {
      if (!seen.has(keyword)) fail(t, `no ${keyword.replace("_algorithm", "")} algorithm at ${at}`);
    }
    const key = ids.join(" | ");
    if (!ids.includes("anonymous") && this.sainfoIds.has(key)) fail(t, `duplicated sainfo: ${at}`);
    this.sainfoIds.add(key);
  }

  private proposal(): { dh: number | null } {
    this.expect("{");
    const found = new Map<string, number | null>();
    let t: Token;
    for (t = this.tokens.next(); t.kind !== "}"; t = this.tokens.next()) {
      if (t.kind !== "word") syntax(t);
      const cls = Object.hasOwn(PROPOSAL_CLASSES, t.text) ? PROPOSAL_CLASSES[t.text]! : null;
      if (t.text === "lifetime") this.lifetime();
      else if (cls || t.text === "dh_group" || t.text === "gss_id" || t.text === "gssapi_id") {
        if (cls) this.algorithm(cls);
        else if (t.text === "dh_group") found.set(t.text, this.dhGroup());
        else this.expect("string");
        this.expect(";");
        if (!found.has(t.text)) found.set(t.text, null);
      } else syntax(t);
    }
    // Checked when the remote block closes (set_isakmp_proposal, cfparse.y:2529-2550).
    const missing = PROPOSAL_REQUIRED.find(([keyword]) => !found.has(keyword));
    if (missing) this.proposalErrors.push(missing[1]);
    return { dh: found.get("dh_group") ?? null };
  }

  private remote(start: Token): void {
    // An address (with an optional [port]), anonymous, or a quoted name (0.8.2).
    const index = this.tokens.next();
    const isIndex = index.kind === "string" || (index.kind === "word" && (index.text === "anonymous" || ADDRESS.test(index.text)));
    if (!isIndex) syntax(index);
    const address = index.text;
    let t = this.tokens.peek();
    if (t.kind === "word" && /^\[\d+\]$/.test(t.text)) this.tokens.next();
    t = this.tokens.peek();
    if (t.kind === "word" && t.text === "inherit") {
      this.tokens.next();
      this.tokens.next();
      // `remote x inherit y;` copies y without overriding anything.
      if (this.tokens.peek().kind === ";") {
        this.tokens.next();
        return;
      }
    }
    this.expect("{");
    const modes: string[] = [];
    const proposals: { dh: number | null }[] = [];
    this.proposalErrors = [];
    for (t = this.tokens.next(); t.kind !== "}"; t = this.tokens.next()) {
      if (t.kind !== "word") syntax(t);
      if (t.text === "exchange_mode") {
        // Commas between modes are skipped by the lexer (cftoken.l:316).
        for (let m = this.tokens.next(); m.kind !== ";"; m = this.tokens.next()) {
          if (m.kind === ",") continue;
          if (m.kind !== "word" || !EXCHANGE_MODES.includes(m.text)) syntax(m);
          modes.push(m.text);
        }
      } else if (t.text === "my_identifier" || t.text === "peers_identifier") {
        this.expect("word", ID_TYPES);
        this.skipStatement();
      } else if (t.text === "verify_identifier") this.wordAndEnd(["on", "off"]);
      else if (t.text === "proposal") proposals.push(this.proposal());
      else if (t.text === "lifetime") this.lifetime();
      else if (t.text === "dh_group") fail(t, "dh_group cannot be defined here.");
      else if (LOOSE_REMOTE_SPECS.includes(t.text)) this.skipStatement();
      else syntax(t);
    }
    // process_rmconf (cfparse.y:175-240) runs when the block's `}` is read.
    if (modes.length === 0) fail(t, "no exchange mode specified.");
    if (proposals.length === 0) fail(t, `no remote specification found: ${address}.`);
    if (this.proposalErrors.length) fail(t, this.proposalErrors[0]!);
    if (modes.includes("aggressive") && new Set(proposals.map((p) => p.dh)).size > 1)
      fail(t, "DH group must be equal in all proposals when aggressive mode is used.");
    this.remotes.push({ address, exchangeModes: modes, path: start.path, line: start.line });
  }
}

/** Two remotes for one peer parse, but every lookup for that peer fails (remoteconf.c:389-405). */
function duplicateRemote(remotes: RacoonRemote[]): string | null {
  const seen = new Map<string, RacoonRemote>();
  for (const r of remotes) {
    const first = seen.get(r.address);
    if (first)
      return `${r.path}:${r.line}: "remote" second remote block for ${r.address} (first at ${first.path}:${first.line}): racoon parses it, then finds "multiple exact configurations" for that peer and negotiates nothing with it`;
    seen.set(r.address, r);
  }
  return null;
}

/**
 * What racoon makes of `entry` (racoon.conf) on a router holding `files` (path → content:
 * every file it may include). `error` is racoon's first complaint, null when it would start.
 */
export function checkRacoonConfig(
  files: ReadonlyMap<string, string> | Record<string, string>,
  entry = "/etc/racoon/racoon.conf",
): RacoonCheck {
  const map = files instanceof Map ? (files as ReadonlyMap<string, string>) : new Map(Object.entries(files));
  let stream: TokenStream | null = null;
  try {
    stream = new TokenStream(map, entry);
    const parser = new Parser(stream);
    parser.statements();
    return { error: duplicateRemote(parser.remotes), remotes: parser.remotes, filesRead: stream.filesRead };
  } catch (e) {
    if (!(e instanceof RacoonError)) throw e;
    return { error: `${e.path}:${e.line}: "${e.token}" ${e.message}`, remotes: [], filesRead: stream?.filesRead ?? [] };
  }
}
