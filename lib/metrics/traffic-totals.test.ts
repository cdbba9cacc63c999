import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addReading, readingFromJudgement, type SaReading, type TrafficState } from "./traffic-totals";

const t = (s: number) => new Date(Date.UTC(2026, 11, 6, 12, 0, s));
const fromA = (spiIn: string, spiOut: string, bytesIn: number, bytesOut: number): SaReading => ({
  role: "a",
  spiIn,
  spiOut,
  bytesIn,
  bytesOut,
  packetsIn: Math.floor(bytesIn / 100),
  packetsOut: Math.floor(bytesOut / 100),
});

function run(readings: (SaReading | null)[]): TrafficState {
  let state: TrafficState | null = null;
  readings.forEach((r, i) => (state = addReading(state, r, t(i + 1)) ?? state));
  return state!;
}

describe("addReading", () => {
  it("counts a first SA's counters in full (they started at zero with the SA)", () => {
    const s = run([fromA("c1", "c2", 1000, 2000)]);
    expect(s.totals).toEqual({ bytesIn: 1000n, bytesOut: 2000n, packetsIn: 10n, packetsOut: 20n });
  });

  it("adds only what moved on the same SA", () => {
    const s = run([fromA("c1", "c2", 1000, 2000), fromA("c1", "c2", 1500, 2600)]);
    expect(s.totals.bytesIn).toBe(1500n);
    expect(s.totals.bytesOut).toBe(2600n);
  });

  it("keeps growing across a rekey: the new SA (new SPIs) starts at zero and is added in full", () => {
    const s = run([fromA("c1", "c2", 1000, 2000), fromA("c1", "c2", 5000, 6000), fromA("d1", "d2", 300, 400)]);
    expect(s.totals.bytesIn).toBe(5300n);
    expect(s.totals.bytesOut).toBe(6400n);
    expect(s.last?.spiIn).toBe("d1");
  });

  it("treats a counter that went down under the same SPIs as reset and adds it in full", () => {
    const s = run([fromA("c1", "c2", 1000, 2000), fromA("c1", "c2", 100, 2100)]);
    expect(s.totals.bytesIn).toBe(1100n);
    expect(s.totals.bytesOut).toBe(2100n);
  });

  it("ignores a reading older than the stored one (another instance's round that finished later)", () => {
    const newer = addReading(null, fromA("c1", "c2", 5000, 5000), t(10))!;
    expect(addReading(newer, fromA("c1", "c2", 4000, 4000), t(9))).toBeNull();
    expect(addReading(newer, fromA("c1", "c2", 4000, 4000), t(10))).toBeNull();
  });

  it("keeps totals and the last SA while no SA is seen, so the same SA seen again is not added twice", () => {
    const s = run([fromA("c1", "c2", 1000, 2000), null, fromA("c1", "c2", 1200, 2300)]);
    expect(s.totals.bytesIn).toBe(1200n);
    expect(s.totals.bytesOut).toBe(2300n);
  });

  it("turns end b's reading around: the same SA pair seen from b continues a's totals", () => {
    const fromB: SaReading = { role: "b", spiIn: "c2", spiOut: "c1", bytesIn: 2500, bytesOut: 1400, packetsIn: 25, packetsOut: 14 };
    const s = run([fromA("c1", "c2", 1000, 2000), fromB]);
    expect(s.totals).toEqual({ bytesIn: 1400n, bytesOut: 2500n, packetsIn: 14n, packetsOut: 25n });
  });

  it("does not count the difference between the two ends' views of one SA as a reset", () => {
    // b received fewer than a sent (packets lost on the way): nothing new, not "reset".
    const fromB: SaReading = { role: "b", spiIn: "c2", spiOut: "c1", bytesIn: 1900, bytesOut: 1000, packetsIn: 19, packetsOut: 10 };
    const s = run([fromA("c1", "c2", 1000, 2000), fromB]);
    expect(s.totals.bytesOut).toBe(2000n);
  });

  it("compares the same end's counters when the router lists no SPIs", () => {
    const noSpi = (bytes: number): SaReading => ({
      role: "a",
      spiIn: null,
      spiOut: null,
      bytesIn: bytes,
      bytesOut: bytes,
      packetsIn: 1,
      packetsOut: 1,
    });
    const s = run([noSpi(1000), noSpi(1500), noSpi(200)]);
    expect(s.totals.bytesIn).toBe(1700n);
  });

  it("totals never decrease and equal the sum of each SA's last reading, whatever the rekeys and gaps", () => {
    // A made-up history: SAs one after another, each read a few times with growing counters, rounds sometimes blind.
    const sa = fc.record({
      reads: fc.array(fc.nat(10_000), { minLength: 1, maxLength: 5 }),
      blind: fc.array(fc.boolean(), { maxLength: 3 }),
    });
    fc.assert(
      fc.property(fc.array(sa, { minLength: 1, maxLength: 8 }), (sas) => {
        let state: TrafficState | null = null;
        let second = 0;
        let expected = 0n;
        let previous = 0n;
        sas.forEach((s, i) => {
          let counter = 0;
          for (const step of s.reads) {
            counter += step;
            state = addReading(state, fromA(`in${i}`, `out${i}`, counter, counter), t(++second)) ?? state;
            expect(state!.totals.bytesIn >= previous).toBe(true);
            previous = state!.totals.bytesIn;
            for (const b of s.blind) if (b) state = addReading(state, null, t(++second)) ?? state;
          }
          expected += BigInt(counter);
        });
        expect(state!.totals.bytesIn).toBe(expected);
        expect(state!.totals.bytesOut).toBe(expected);
      }),
    );
  });
});

describe("readingFromJudgement", () => {
  it("takes the counting end's role and both SPIs, or null without an installed SA", () => {
    const j = { bytesIn: 10, bytesOut: 20, packetsIn: 1, packetsOut: 2 };
    expect(readingFromJudgement({ ...j, detail: { counters: { role: "b", childSpiIn: "c1", childSpiOut: "c2" } } })).toEqual({
      role: "b",
      spiIn: "c1",
      spiOut: "c2",
      ...j,
    });
    expect(readingFromJudgement({ ...j, detail: { counters: null } })).toBeNull();
  });
});
