// The situations scripts/record-router-output.ts brings about on a fresh three-router lab
// (hq, branch1, branch2, all of one platform) before it records the status commands.
// Each returns the ends to judge, the samples, and — when a case could not be caught as
// it happens and was built instead — why and how (meta.json says so).
import { pingFromHost, stopCharon } from "@/e2e/lab/lab";
import type { PlatformId, TunnelEnd } from "@/lib/platforms/contract";
import type { CaseEnd, Sample } from "@/lib/platforms/recorded-cases";
import { sleep, type Rig } from "./lab-tunnels";

export type Recording = {
  ends: Record<string, CaseEnd>;
  samples: [string, Sample][];
  /** Set when the recording was built rather than caught live: how, and why. */
  constructed?: string;
  /** Anything a reader of the recording must know (e.g. a step no real router of the platform has). */
  note?: string;
};

export type CaseScript = {
  name: string;
  /** What the case shows, for meta.json. */
  description: string;
  platforms: PlatformId[];
  run(rig: Rig): Promise<Recording>;
};

// charon's words for a pre-shared key that does not match (IKEv2 and IKEv1).
const AUTH_EVIDENCE = "AUTHENTICATION_FAILED|authentication of .* failed|tried .* shared key|INVALID_HASH|invalid HASH|message parsing failed|retransmit .* of request";

const BOTH: PlatformId[] = ["strongswan", "centos-racoon"];
const at = (router: string, end: TunnelEnd): CaseEnd => ({ router, end });

/** hq ↔ branch1, deployed and up. */
async function upPair(rig: Rig, kind: "net-to-net" | "host-to-host" = "net-to-net") {
  const t = rig.tunnel("t1", "hq", "branch1", kind);
  await rig.deploy(["hq", "branch1"]);
  await rig.waitUp(["hq", "branch1"]);
  return { hq: t.hq!, branch1: t.branch1! };
}

/** Pings from hq's LAN host to branch1's, through the tunnel. */
async function lanPing(rig: Rig, count: number): Promise<void> {
  const r = await pingFromHost(rig.lab, "hq", rig.router("branch1").lanHost.ip, { count, intervalMs: 200 });
  rig.step(`hq's LAN host → branch1's LAN host: ${r.received}/${r.sent} pings answered`);
  if (r.received === 0) throw new Error("no ping crossed the tunnel");
}

/** The IKE daemon's connection name for an end: ours on strongSwan, the lab ifup's on the CentOS emulation. */
const ikeName = (rig: Rig, end: TunnelEnd) => (rig.platformId === "strongswan" ? end.connectionName : `ifup-${end.interfaceName}`);

async function killCharon(rig: Rig, router: string): Promise<void> {
  const pid = rig.charonPid(router);
  if (!pid) throw new Error(`${router} has no charon to kill`);
  // SIGKILL: no DELETE reaches the peer, as when a router loses power.
  process.kill(pid, "SIGKILL");
  for (let i = 0; i < 100 && rig.charonPid(router); i++) await sleep(50);
  rig.step(`${router}: charon killed (SIGKILL, pid ${pid})`);
}

/** A wrong key in the end's secret files, as a botched rotation would leave it. */
async function writeWrongKey(rig: Rig, router: string, end: TunnelEnd): Promise<void> {
  const files = rig.platform.render({ ...end, psk: `wrong-lab-key-${end.tunnelId}` }).filter((f) => f.secret);
  await rig.writeFiles(router, files);
}

export const CASES: CaseScript[] = [
  {
    name: "up",
    description: "hq ↔ branch1 net-to-net, deployed and up, 3 pings from hq's LAN host to branch1's; recorded on both ends.",
    platforms: BOTH,
    async run(rig) {
      const e = await upPair(rig);
      await lanPing(rig, 3);
      return { ends: { hq: at("hq", e.hq), branch1: at("branch1", e.branch1) }, samples: [["sample-1", await rig.sample(["hq", "branch1"])]] };
    },
  },
  {
    name: "down",
    description: "hq ↔ branch1 was up; hq ran the platform's teardown commands (files stay in place). Recorded on both ends.",
    platforms: BOTH,
    async run(rig) {
      const e = await upPair(rig);
      await rig.run("hq", rig.platform.teardownCommands(e.hq));
      await sleep(1000);
      return { ends: { hq: at("hq", e.hq), branch1: at("branch1", e.branch1) }, samples: [["sample-1", await rig.sample(["hq", "branch1"])]] };
    },
  },
  {
    name: "daemon-stopped",
    description: "hq ↔ branch1 was up; branch1's charon was stopped (SIGTERM: it deletes its SAs on the way out). Recorded on both ends.",
    platforms: BOTH,
    async run(rig) {
      const e = await upPair(rig);
      await stopCharon(rig.lab, "branch1");
      rig.step("branch1: charon stopped (SIGTERM)");
      await sleep(1000);
      return { ends: { hq: at("hq", e.hq), branch1: at("branch1", e.branch1) }, samples: [["sample-1", await rig.sample(["hq", "branch1"])]] };
    },
  },
  {
    name: "one-end-up",
    description: "hq ↔ branch1 was up; branch1's charon was killed (SIGKILL, no DELETE sent), so hq still shows the SA until DPD notices. Recorded on both ends.",
    platforms: BOTH,
    async run(rig) {
      const e = await upPair(rig);
      await killCharon(rig, "branch1");
      await sleep(500);
      return { ends: { hq: at("hq", e.hq), branch1: at("branch1", e.branch1) }, samples: [["sample-1", await rig.sample(["hq", "branch1"])]] };
    },
  },
  {
    name: "connecting",
    description: "hq brings its end up while branch1's charon is stopped: hq's IKE SA stays CONNECTING (retransmitting). Recorded on hq mid-negotiation.",
    platforms: BOTH,
    async run(rig) {
      const t = rig.tunnel("t1", "hq", "branch1");
      await stopCharon(rig.lab, "branch1");
      rig.step("branch1: charon stopped");
      await rig.writeFiles("hq", rig.platform.render(t.hq!));
      // Not awaited: ifup (CentOS) waits for the SA; swanctl --initiate for its timeout.
      const applying = rig.run("hq", rig.platform.applyCommands(t.hq!), true).catch((e: unknown) => e);
      await sleep(2500);
      const sample = await rig.sample(["hq"]);
      await applying;
      return { ends: { hq: at("hq", t.hq!) }, samples: [["sample-1", sample]] };
    },
  },
  {
    name: "rekey-in-progress",
    description: "hq ↔ branch1 up; branch1 reauthenticates (`swanctl --rekey --ike <conn> --reauth`, make-before-break) and is recorded while both IKE SAs exist.",
    platforms: BOTH,
    async run(rig) {
      const e = await upPair(rig);
      const reauth = ["swanctl", "--rekey", "--ike", ikeName(rig, e.branch1), "--reauth"];
      for (let attempt = 1; attempt <= 40; attempt++) {
        let done = false;
        const rekey = rig.exec("branch1", reauth).finally(() => (done = true));
        let caught: Sample | null = null;
        while (!done && !caught) {
          const outputs = await rig.record("branch1");
          const listing = rig.platform.saListCommands(e.branch1).map((c) => outputs.find((o) => o.argv.join("\0") === c.argv.join("\0"))!);
          if ((rig.platform.parseSaList(e.branch1, listing)?.length ?? 0) >= 2) caught = { branch1: outputs };
        }
        const r = await rekey;
        rig.step(`branch1: ${reauth.join(" ")} → exit ${r.exitCode} (attempt ${attempt}${caught ? ", two IKE SAs caught" : ""})`);
        if (caught) {
          const note = rig.platformId === "centos-racoon"
            ? "The CentOS platform has no reauthentication (a new key is read by ifdown/ifup); this one was driven with swanctl in the lab's racoon emulation (charon speaking IKEv1), which a real racoon router does not have."
            : undefined;
          return { ends: { branch1: at("branch1", e.branch1) }, samples: [["sample-1", caught]], ...(note ? { note } : {}) };
        }
        await sleep(1500);
      }
      throw new Error("two IKE SAs were never caught during 40 reauthentications");
    },
  },
  {
    name: "auth-failed",
    description: "hq ↔ branch1 was up; the tunnel was stopped, branch1 got a wrong pre-shared key, and the tunnel was started again (AUTH_FAILED). Recorded on both ends afterwards.",
    platforms: BOTH,
    async run(rig) {
      const e = await upPair(rig);
      await writeWrongKey(rig, "branch1", e.branch1);
      if (rig.platformId === "strongswan") {
        await rig.run("hq", rig.platform.keySwitch.stop(e.hq));
        await rig.run("branch1", rig.platform.keySwitch.load(e.branch1));
        // The initiate fails: its exit is logged, not fatal (the start command may fail while the peer disagrees).
        await rig.run("hq", rig.platform.keySwitch.start(e.hq).map((c) => ({ ...c, allowFailure: true })));
      } else {
        // ifup rereads keys-ipsecN: branch1 stops the tunnel and starts it with the wrong key.
        await rig.run("branch1", rig.platform.keySwitch.stop(e.branch1));
        await rig.run("branch1", rig.platform.keySwitch.start(e.branch1).map((c) => ({ ...c, allowFailure: true })));
      }
      await sleep(1000);
      for (const r of ["hq", "branch1"]) await rig.charonLog(r, AUTH_EVIDENCE);
      const note = rig.platformId === "centos-racoon"
        ? "IKEv1 main mode (the Modern IKEv1 profile) encrypts the identity exchange with keys derived from the PSK: with a wrong key the peer cannot decrypt it (charon.log: 'message parsing failed', 'decryption failed?'), no AUTHENTICATION_FAILED notify comes back, and ifup gives up after its timeout. ifup leaves its route in place."
        : undefined;
      const samples: [string, Sample][] = [["sample-1", await rig.sample(["hq", "branch1"])]];
      return { ends: { hq: at("hq", e.hq), branch1: at("branch1", e.branch1) }, samples, ...(note ? { note } : {}) };
    },
  },
  {
    name: "auth-failed-reauth",
    description: "hq ↔ branch1 up; branch1 got a wrong key (loaded), hq reauthenticated: the new IKE SA fails to authenticate and, with make_before_break, the old SA keeps running. Recorded on both ends afterwards.",
    platforms: ["strongswan"],
    async run(rig) {
      const e = await upPair(rig);
      await writeWrongKey(rig, "branch1", e.branch1);
      await rig.run("branch1", rig.platform.keySwitch.load(e.branch1));
      await rig.run("hq", rig.platform.keySwitch.reauthenticate(e.hq).map((c) => ({ ...c, allowFailure: true })));
      await sleep(2000);
      for (const r of ["hq", "branch1"]) await rig.charonLog(r, AUTH_EVIDENCE);
      return { ends: { hq: at("hq", e.hq), branch1: at("branch1", e.branch1) }, samples: [["sample-1", await rig.sample(["hq", "branch1"])]] };
    },
  },
  {
    name: "hub-two-tunnels",
    description: "hq is a hub with two net-to-net tunnels (to branch1 and branch2), both up; one recording of hq judged for each of its tunnels, and each spoke's recording for its own.",
    platforms: BOTH,
    async run(rig) {
      const t1 = rig.tunnel("t1", "hq", "branch1");
      const t2 = rig.tunnel("t2", "hq", "branch2");
      await rig.deploy(["hq", "branch1", "branch2"]);
      await rig.waitUp(["hq", "branch1", "branch2"]);
      const ends = { "hq-to-branch1": at("hq", t1.hq!), "hq-to-branch2": at("hq", t2.hq!), branch1: at("branch1", t1.branch1!), branch2: at("branch2", t2.branch2!) };
      return { ends, samples: [["sample-1", await rig.sample(["hq", "branch1", "branch2"])]] };
    },
  },
  {
    name: "counters-moving",
    description: "hq ↔ branch1 up, 3 pings from hq's LAN host to branch1's; both ends recorded, then 5 more pings, then both recorded again 3 s after the first recording.",
    platforms: BOTH,
    async run(rig) {
      const e = await upPair(rig);
      // Traffic before the first sample too: counters that move, not counters that start.
      await lanPing(rig, 3);
      const first = await rig.sample(["hq", "branch1"]);
      const started = Date.now();
      await lanPing(rig, 5);
      await sleep(Math.max(0, 3000 - (Date.now() - started)));
      return { ends: { hq: at("hq", e.hq), branch1: at("branch1", e.branch1) }, samples: [["sample-1", first], ["sample-2", await rig.sample(["hq", "branch1"])]] };
    },
  },
  {
    name: "host-to-host",
    description: "hq ↔ branch1 host-to-host (the two public addresses, tunnel mode with /32 selectors in the lab), up; recorded on both ends.",
    platforms: BOTH,
    async run(rig) {
      const e = await upPair(rig, "host-to-host");
      return { ends: { hq: at("hq", e.hq), branch1: at("branch1", e.branch1) }, samples: [["sample-1", await rig.sample(["hq", "branch1"])]] };
    },
  },
];
