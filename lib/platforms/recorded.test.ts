// One suite for every platform's parsers over recorded router output (NAPALM's getters test
// with mocked_data): each case under lib/platforms/<platform>/__recorded__ was printed by a
// lab router (scripts/record-router-output.ts) and must parse into its reviewed
// expected.json; independently of that file, it must show what the case is named for.
import { describe, expect, it } from "vitest";
import type { ChildSa, Platform, PlatformId, TunnelStatus } from "./contract";
import { PLATFORM_IDS, getPlatform } from "./index";
import { REQUIRED_CASES, currentSummaries, judge, listCases, readCase, routerArgv, type RecordedCase } from "./recorded-cases";

type Judged = { label: string; router: string; status: TunnelStatus };

/** Every end of every sample, as the platform's parseStatus reads it. */
function judged(platform: Platform, c: RecordedCase): Judged[][] {
  return c.samples.map(([, sample]) =>
    Object.entries(c.ends).map(([label, e]) => ({ label, router: e.router, status: judge(platform, e, sample).status })),
  );
}

const installedChild = (s: TunnelStatus): ChildSa | undefined => s.ikeSa?.children.find((ch) => ch.state === "INSTALLED");

/** What each case is named for, checked on the parsed recordings (not on expected.json). */
// CentOS's status is the kernel's SAD (setkey -D), which racoon does not own: it lists SAs
// whether or not the IKE daemon runs, and PF_KEY keeps no packet counter (FACTS.md).
const kernelSad = (id: PlatformId) => id === "centos-racoon";

const CLAIMS: Record<string, (samples: Judged[][], id: PlatformId) => void> = {
  up: ([ends]) => {
    for (const e of ends!) expect([e.label, e.status.state, installedChild(e.status)?.state]).toEqual([e.label, "up", "INSTALLED"]);
  },
  down: ([ends]) => {
    for (const e of ends!)
      expect(
        e.status.ikeSas.filter((sa) => sa.state === "ESTABLISHED"),
        e.label,
      ).toEqual([]);
    expect(ends!.some((e) => e.status.state === "down")).toBe(true);
  },
  "daemon-stopped": ([ends], id) => {
    if (!kernelSad(id))
      expect(
        ends!.some((e) => e.status.error !== null),
        "the stopped router's listing fails",
      ).toBe(true);
    for (const e of ends!) expect(e.status.state, e.label).not.toBe("up");
  },
  "one-end-up": ([ends]) => {
    expect(ends!.filter((e) => e.status.state === "up")).toHaveLength(1);
    expect(ends!.some((e) => e.status.state !== "up")).toBe(true);
  },
  connecting: ([ends], id) => {
    for (const e of ends!) {
      expect(e.status.state, e.label).not.toBe("up");
      // Phase 1 leaves nothing in the kernel: the policies and the route are all there is.
      if (kernelSad(id)) {
        expect([e.label, e.status.state, e.status.ikeSas]).toEqual([e.label, "configured", []]);
        continue;
      }
      expect(
        e.status.ikeSas.map((sa) => sa.state),
        e.label,
      ).toContain("CONNECTING");
    }
  },
  "rekey-in-progress": ([ends]) => {
    expect(Math.max(...ends!.map((e) => e.status.ikeSas.length)), "two IKE SAs of the tunnel at once").toBeGreaterThanOrEqual(2);
  },
  "auth-failed": ([ends]) => {
    for (const e of ends!) expect(e.status.state, e.label).not.toBe("up");
  },
  // make_before_break: the new IKE SA failed to authenticate, the old one still carries the tunnel.
  "auth-failed-reauth": ([ends]) => {
    for (const e of ends!)
      expect([e.label, e.status.state, e.status.ikeSas.filter((sa) => sa.state === "ESTABLISHED").length]).toEqual([e.label, "up", 1]);
  },
  "hub-two-tunnels": ([ends]) => {
    const routers = [...new Set(ends!.map((e) => e.router))];
    const hub = routers.map((r) => ends!.filter((e) => e.router === r)).find((onRouter) => onRouter.length >= 2);
    expect(hub, "one router judged for two tunnels").toBeDefined();
    for (const e of ends!) expect(e.status.state, e.label).toBe("up");
    expect(new Set(hub!.map((e) => e.status.ikeSa?.uniqueId)).size, "each tunnel its own IKE SA").toBe(hub!.length);
  },
  "counters-moving": (samples, id) => {
    expect(samples.length).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < samples.length; i++) {
      samples[i]!.forEach((now, j) => {
        const [a, b] = [installedChild(samples[i - 1]![j]!.status), installedChild(now.status)];
        expect(b?.inbound?.spi, "the same CHILD SA in both samples").toBe(a?.inbound?.spi);
        for (const dir of ["inbound", "outbound"] as const) {
          expect(b![dir]!.bytes, `${now.label} ${dir} bytes`).toBeGreaterThan(a![dir]!.bytes);
          if (!kernelSad(id)) expect(b![dir]!.packets, `${now.label} ${dir} packets`).toBeGreaterThan(a![dir]!.packets);
        }
      });
    }
  },
  ikev1: ([ends]) => {
    for (const e of ends!)
      expect([e.label, e.status.state, e.status.ikeSa?.version, installedChild(e.status)?.state]).toEqual([e.label, "up", 1, "INSTALLED"]);
  },
  "ikev1-aggressive-ipcomp": (samples, id) => CLAIMS.ikev1!(samples, id),
  // A key switch without make-before-break: the tunnel is up again on a new IKE SA and new CHILD SAs.
  "key-switched": ([before, after]) => {
    expect(after, "a sample after the switch").toBeDefined();
    after!.forEach((e, j) => {
      const old = before![j]!.status;
      expect([e.label, e.status.state]).toEqual([e.label, "up"]);
      expect(e.status.ikeSa!.uniqueId, e.label).not.toBe(old.ikeSa!.uniqueId);
      expect(installedChild(e.status)!.inbound!.spi, e.label).not.toBe(installedChild(old)!.inbound!.spi);
    });
  },
  "host-to-host": ([ends]) => {
    for (const e of ends!)
      expect([e.label, e.status.state, installedChild(e.status)?.localTs[0]]).toEqual([e.label, "up", expect.stringMatching(/\/32$/)]);
  },
};

describe.each(PLATFORM_IDS)("recorded router output: %s", (id) => {
  const platform = getPlatform(id);
  const cases = listCases(id);

  // racoon has no reauthentication: a CentOS tunnel never holds two negotiations of one key at once by design.
  it.each([...REQUIRED_CASES].filter((n) => !(kernelSad(id) && n === "rekey-in-progress")))("has a recorded %s case", (name) => {
    expect(cases).toContain(name);
  });

  describe.each(cases)("%s", (name) => {
    const c = readCase(id, name);

    it("says what it shows, how it was made and on what software", () => {
      expect(c.meta).toMatchObject({ case: name, platform: id, description: expect.any(String), recordedAt: expect.any(String) });
      expect(c.meta, "constructed: null, or how and why it was built").toHaveProperty("constructed");
      const routers = new Set(c.samples.flatMap(([, s]) => Object.keys(s)));
      // The IKE daemon that printed the outputs, as it names its own version.
      const daemon =
        id === "libreswan" ? { libreswan: expect.stringMatching(/Libreswan/) } : { strongswan: expect.stringMatching(/strongSwan/) };
      for (const r of routers) {
        expect((c.meta.routers as Record<string, unknown>)[r], r).toMatchObject({
          kind: id,
          ...daemon,
          iproute2: expect.stringMatching(/iproute2/),
          kernel: expect.any(String),
        });
      }
    });

    it("holds the outputs of the platform's current status commands, once per router", () => {
      for (const [sample, outputs] of c.samples) {
        for (const [router, results] of Object.entries(outputs)) {
          const ends = Object.values(c.ends)
            .filter((e) => e.router === router)
            .map((e) => e.end);
          expect(
            results.map((r) => r.argv),
            `${sample}/${router}`,
          ).toEqual(routerArgv(ends.map((e) => platform.statusCommands(e))));
        }
      }
    });

    it("parses into the reviewed expected.json", () => {
      expect(c.expected, "expected.json is missing: record, review the diff, then --accept").not.toBeNull();
      expect(currentSummaries(platform, c)).toEqual(c.expected);
    });

    it("lists the same IKE SAs through parseSaList as through parseStatus", () => {
      for (const [, sample] of c.samples) {
        for (const e of Object.values(c.ends)) {
          const { status, saList } = judge(platform, e, sample);
          if (saList !== null) expect(saList).toEqual(status.ikeSas);
          else expect(status.error !== null || !status.canListSas || platform.saListCommands(e.end).length === 0).toBe(true);
        }
      }
    });

    it("shows what the case is named for", () => {
      const claim = CLAIMS[name];
      expect(claim, `no claim written for case ${name}`).toBeDefined();
      claim!(judged(platform, c), id);
    });
  });
});
