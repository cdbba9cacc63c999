// Why a CentOS (racoon) tunnel is down, when racoon's log says so. racoon (ipsec-tools)
// is one process and logs phase 1 one negotiation after another: "initiate/respond new
// phase 1 negotiation: LOCAL[500]<=>PEER[500]" names the peer the lines after it are
// about, "ISAKMP-SA established LOCAL[500]-PEER[500]" ends a failure with that peer.
// With a wrong pre-shared key, racoon says "HASH mismatched" (oakley.c, the peer's
// phase 1 hash does not verify); with none, "couldn't find the pskey for PEER.". Works on
// racoon's own log file (-l: "2026-12-06 19:40:17: ERROR: …"), on syslog files
// ("Dec  6 19:40:17 hq racoon: ERROR: …", where other daemons' lines are skipped) and
// on journald's short output.
import type { CommandResult, TunnelEnd } from "../contract";

const LINE =
  /^(?:(?<iso>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d):|(?<sys>[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d) \S+ racoon(?:\[\d+\])?:)\s*(?:(?:INFO|NOTIFY|WARNING|ERROR|DEBUG|DEBUG2):\s*)?(?<text>.*)$/;
const NEGOTIATION = /new phase 1 negotiation: [^\s<]+\[\d+\]<=>(?<peer>[^\s[]+)\[\d+\]/;
const ESTABLISHED = /^ISAKMP-SA established [^\s-]+\[\d+\]-(?<peer>[^\s[]+)\[\d+\]/;
const NO_KEY = /^couldn't find the pskey for (?<peer>[^\s]+?)\.?$/;
const HASH_MISMATCH = /^HASH mismatched/;

export type RacoonFailure = { text: string; at: string | null; missingKey: boolean };

export function lastRacoonAuthFailure(log: string, peerIp: string): RacoonFailure | null {
  let peer: string | null = null;
  let last: RacoonFailure | null = null;
  for (const raw of log.split("\n")) {
    const m = LINE.exec(raw.trim());
    if (!m?.groups) continue;
    const text = m.groups.text!.trim();
    const at = m.groups.iso ?? m.groups.sys ?? null;
    const started = NEGOTIATION.exec(text);
    if (started) peer = started.groups!.peer!;
    const est = ESTABLISHED.exec(text);
    if (est?.groups?.peer === peerIp) last = null;
    const noKey = NO_KEY.exec(text);
    if (noKey && noKey.groups!.peer === peerIp) last = { text, at, missingKey: true };
    else if (HASH_MISMATCH.test(text) && peer === peerIp) last = { text, at, missingKey: false };
  }
  return last;
}

/** The reason for health, from the outputs of the log commands (any that printed something). */
export function parseRacoonFailureLog(end: TunnelEnd, results: CommandResult[]): string | null {
  const log = results.map((r) => r?.stdout ?? "").join("\n");
  const f = lastRacoonAuthFailure(log, end.remote.publicIp);
  if (!f) return null;
  const what = f.missingKey ? "racoon has no pre-shared key for the peer" : "the pre-shared keys of the two ends differ";
  return `AUTH_FAILED: ${what} (racoon${f.at ? ` at ${f.at.replace(/\s+/g, " ")}` : ""}: ${f.text})`;
}
