// Why a Libreswan tunnel is down, when pluto's log says so: the last authentication
// failure of this tunnel's connection that no later "established" superseded. pluto
// prefixes every line about a connection with its name in quotes and the state's serial
// ("gw-t1" #8: …), so no peer has to be guessed. Works on pluto's own log file
// ("Dec  6 20:19:29.635101: "gw-t1" #8: …", as the VM lab records it), on syslog files
// and on journald's short output ("… pluto[812]: "gw-t1" #8: …"). Libreswan 3.x (IKEv1
// state names) and 4.x/5.x (IKEv2 wording) alike.
import type { CommandResult, TunnelEnd } from "../contract";

const TIME = /^(?<time>[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d)/;
/** `"name"` or an instance `"name"[1] 198.18.0.12`, then the state serial. */
const CONN = /"(?<conn>[^"]+)"(?:\[\d+\](?: \S+)?)? #\d+: (?<text>.*)$/;

/** What pluto writes when the pre-shared keys differ (or one is missing). */
const AUTH_FAILURES = [
  // IKEv2, the initiator: the responder refused our AUTH.
  /IKE SA authentication request rejected by peer: AUTHENTICATION_FAILED/,
  // IKEv2, the responder: the initiator's AUTH payload did not verify with our key.
  /authentication failed: computed hash does not match hash received from peer/,
  /responding to IKE_AUTH message .* with encrypted notification AUTHENTICATION_FAILED/,
  // IKEv1 main mode: the peer's encrypted ID cannot be read with our key.
  /probable authentication failure \(mismatch of preshared secrets\?\)/,
  /[Pp]ossible authentication failure: no acceptable response to our first encrypted message/,
  // No key for this peer at all.
  /Can't authenticate: no preshared key found/,
];
const ESTABLISHED = /established (?:IKE|Child) SA|(?:ISAKMP|PARENT|IPsec) SA established/;

export type PlutoFailure = { text: string; at: string | null };

export function lastPlutoAuthFailure(log: string, connectionName: string): PlutoFailure | null {
  let last: PlutoFailure | null = null;
  for (const raw of log.split("\n")) {
    const m = CONN.exec(raw);
    if (!m?.groups || m.groups.conn !== connectionName) continue;
    const text = m.groups.text!.trim();
    if (ESTABLISHED.test(text)) last = null;
    else if (AUTH_FAILURES.some((re) => re.test(text))) last = { text, at: TIME.exec(raw.trim())?.groups?.time ?? null };
  }
  return last;
}

/** The reason for health, from the outputs of the log commands (any that printed something). */
export function parsePlutoFailureLog(end: TunnelEnd, results: CommandResult[]): string | null {
  const log = results.map((r) => r?.stdout ?? "").join("\n");
  const f = lastPlutoAuthFailure(log, end.connectionName);
  if (!f) return null;
  return `AUTH_FAILED: the pre-shared keys of the two ends differ (pluto${f.at ? ` at ${f.at.replace(/\s+/g, " ")}` : ""}: ${f.text})`;
}
