// Why a strongSwan tunnel is down, when charon's log says so: the last authentication
// failure with this tunnel's peer that no later "established" superseded. charon logs
// each line with its worker thread ("16[IKE] …"); a failure line names no peer, so the
// peer is the one that thread last sent to or received from. Works on the lab's filelog
// ("Dec  6 19:40:17 16[IKE] …") and on journald's short output ("… charon[42]: 16[IKE] …").
import type { CommandResult, TunnelEnd } from "../contract";

const LINE = /^(?<time>[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d)?.*?\b(?<thread>\d{1,3})\[(?<group>[A-Z]{2,4})\] (?<text>.*)$/;
const PEER_OF_PACKET = /^(?:received packet: from (?<from>[\d.]+)\[|sending packet: from [\d.]+\[\d+\] to (?<to>[\d.]+)\[)/;
const INITIATING = /^initiating (?:IKE_SA|Main Mode IKE_SA|Aggressive Mode IKE_SA) \S+ to (?<peer>[\d.]+)/;
const ESTABLISHED = /^IKE_SA \S+ established between [^.\s]*[\d.]+\[[^\]]*\]\.\.\.(?<peer>[\d.]+)\[/;
const TRIED_KEYS = /^tried \d+ shared keys? for '(?<local>[^']*)' - '(?<remote>[^']*)', but MAC mismatched/;
const NOTIFY = /received AUTHENTICATION_FAILED notify|AUTHENTICATION_FAILED|authentication of '[^']*' with pre-shared key failed/;

export type CharonFailure = { kind: "auth-failed"; text: string; at: string | null };

/** The peer's last word per the log: an authentication failure (returned) or an established IKE SA (null). */
export function lastAuthFailure(log: string, peerIp: string): CharonFailure | null {
  const peerOfThread = new Map<string, string>();
  let last: CharonFailure | null = null;
  for (const raw of log.split("\n")) {
    const m = LINE.exec(raw.trim());
    if (!m?.groups) continue;
    const { thread, text } = m.groups as { thread: string; text: string };
    const at = m.groups.time ?? null;
    const packet = PEER_OF_PACKET.exec(text);
    const init = INITIATING.exec(text);
    const peer = packet?.groups?.from ?? packet?.groups?.to ?? init?.groups?.peer;
    if (peer) peerOfThread.set(thread, peer);
    const est = ESTABLISHED.exec(text);
    if (est?.groups?.peer === peerIp) last = null;
    const tried = TRIED_KEYS.exec(text);
    if (tried) {
      if (tried.groups!.remote === peerIp || peerOfThread.get(thread) === peerIp) last = { kind: "auth-failed", text, at };
      continue;
    }
    if (NOTIFY.test(text) && peerOfThread.get(thread) === peerIp) last = { kind: "auth-failed", text, at };
  }
  return last;
}

/** The reason for health, from the outputs of the log commands (any that printed something). */
export function parseCharonFailureLog(end: TunnelEnd, results: CommandResult[]): string | null {
  const log = results.map((r) => r?.stdout ?? "").join("\n");
  const f = lastAuthFailure(log, end.remote.publicIp);
  if (!f) return null;
  return `AUTH_FAILED: the pre-shared keys of the two ends differ (charon${f.at ? ` at ${f.at.replace(/\s+/g, " ")}` : ""}: ${f.text.trim()})`;
}
