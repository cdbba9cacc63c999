// Per-tunnel traffic totals that only grow, for Prometheus counters (rate() across
// rekeys). A router's CHILD SA counters start at zero with every new SA (a rekey, a
// reauthentication, a restart), so the raw values go up and down; each health round adds
// what moved since the last reading instead. Pure: lib/db/tunnel-metrics.ts stores the
// state between rounds (in the database, so totals survive restarts and a change of
// polling leader), the unit tests feed it readings.
//
// Totals are oriented from end "a": in = received by a from b, out = sent by a to b.
// A reading from end "b" (a's SA gone) is turned around, so the totals keep one meaning.

/** One CHILD SA's counters as one end reported them (lib/health/evaluate: Judgement + detail.counters). */
export type SaReading = {
  role: "a" | "b";
  spiIn: string | null;
  spiOut: string | null;
  bytesIn: number | null;
  bytesOut: number | null;
  packetsIn: number | null;
  packetsOut: number | null;
};

export type TrafficTotals = { bytesIn: bigint; bytesOut: bigint; packetsIn: bigint; packetsOut: bigint };

export type TrafficState = {
  /** When the reading these totals include was taken; older readings are ignored. */
  observedAt: Date;
  /** The last SA reading added (kept while no SA is seen, so the same SA seen again is not added twice). */
  last: SaReading | null;
  totals: TrafficTotals;
};

export const ZERO_TOTALS: TrafficTotals = { bytesIn: 0n, bytesOut: 0n, packetsIn: 0n, packetsOut: 0n };

const FIELDS = ["bytesIn", "bytesOut", "packetsIn", "packetsOut"] as const;
type Field = (typeof FIELDS)[number];

/** The reading as end "a" sees the SA pair: SPIs by direction, counters with a's in/out. */
function fromA(r: SaReading) {
  if (r.role === "a")
    return { toA: r.spiIn, fromA: r.spiOut, bytesIn: r.bytesIn, bytesOut: r.bytesOut, packetsIn: r.packetsIn, packetsOut: r.packetsOut };
  return { toA: r.spiOut, fromA: r.spiIn, bytesIn: r.bytesOut, bytesOut: r.bytesIn, packetsIn: r.packetsOut, packetsOut: r.packetsIn };
}

/** How much of one counter is new since `before` (same SA pair), or the whole value (a new SA starts at zero). */
function delta(now: number | null, before: number | null, sameSa: boolean, sameEnd: boolean): bigint {
  if (now === null || now < 0) return 0n;
  const cur = BigInt(Math.trunc(now));
  if (!sameSa) return cur;
  // Same SA, but no earlier value to compare with: nothing is known to be new.
  if (before === null) return 0n;
  const d = cur - BigInt(Math.trunc(before));
  if (d >= 0n) return d;
  // Went down on the same end under the same SPIs: the counter was reset (daemon restart); all of it is new.
  // Across ends the two views of one SA differ by packets in flight or lost: nothing new.
  return sameEnd ? cur : 0n;
}

/**
 * The state after a round's reading taken at `at`: null when there is nothing to store
 * (an older reading than the stored one, e.g. a "Check now" on another instance that
 * finished after a newer round). `reading` null: no installed SA was seen (or no end was
 * reached): the totals stay, and so does the last reading.
 */
export function addReading(state: TrafficState | null, reading: SaReading | null, at: Date): TrafficState | null {
  if (state && at.getTime() <= state.observedAt.getTime()) return null;
  const totals = state?.totals ?? ZERO_TOTALS;
  if (!reading) return { observedAt: at, last: state?.last ?? null, totals };
  const now = fromA(reading);
  const last = state?.last ? fromA(state.last) : null;
  const sameEnd = state?.last?.role === reading.role;
  const spisKnown = now.toA !== null && now.fromA !== null;
  // Without SPIs (a router that does not list them) the same end's counters are compared as they are.
  const sameSa = last !== null && (spisKnown ? now.toA === last.toA && now.fromA === last.fromA : sameEnd && last.toA === null);
  const next = { ...totals };
  for (const f of FIELDS as readonly Field[]) next[f] = totals[f] + delta(now[f], last ? last[f] : null, sameSa, sameEnd);
  return { observedAt: at, last: reading, totals: next };
}

/** The SA reading in a health judgement (lib/health/evaluate), or null when no end had an installed CHILD SA. */
export function readingFromJudgement(j: {
  bytesIn: number | null;
  bytesOut: number | null;
  packetsIn: number | null;
  packetsOut: number | null;
  detail: { counters: { role: "a" | "b"; childSpiIn: string | null; childSpiOut?: string | null } | null };
}): SaReading | null {
  const c = j.detail.counters;
  if (!c) return null;
  return {
    role: c.role,
    spiIn: c.childSpiIn,
    spiOut: c.childSpiOut ?? null,
    bytesIn: j.bytesIn,
    bytesOut: j.bytesOut,
    packetsIn: j.packetsIn,
    packetsOut: j.packetsOut,
  };
}
