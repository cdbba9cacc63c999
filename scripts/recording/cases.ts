// The situations scripts/record-router-output.ts brings about on a three-router lab (hq,
// branch1, branch2, all of one platform; fresh per case, or reset between cases on the
// VM backend) before it records the status commands.
// Each returns the ends to judge, the samples, and — when a case could not be caught as
// it happens and was built instead — why and how (meta.json says so).
import { stopCharon } from "@/e2e/lab/lab";
import { labSwanctl } from "@/e2e/lab/router-files";
import type { PlatformId, TunnelEnd } from "@/lib/platforms/contract";
import type { Sample } from "@/lib/platforms/recorded-cases";
import { at, ikeSas, lanPing, upPair, type CaseScript } from "./case-support";
import { sleep, type Rig } from "./lab-tunnels";
import { LIBRESWAN_CASES, libreswanIkeRekey } from "./libreswan-cases";
import { killPluto } from "./libreswan-router";

// charon's and pluto's words for a pre-shared key that does not match (IKEv2 and IKEv1).
const AUTH_EVIDENCE =
  "AUTHENTICATION_FAILED|authentication of .* failed|authentication failed|tried .* shared key|INVALID_HASH|invalid HASH|message parsing failed|retransmit .* of request";

// pluto reviving a connection it was told to keep up, whose SA the peer deleted.
const REVIVAL_EVIDENCE = "REVIVE|must remain up|initiating IKEv2";

const ALL: PlatformId[] = ["strongswan", "centos-racoon", "libreswan"];
/** The router's IKE daemon, as the descriptions name it. */
const daemon = (p: PlatformId) => (p === "libreswan" ? "pluto" : "charon");

/** The IKE daemon's connection name for an end: ours on strongSwan, the lab's emulated racoon's (one per peer) on CentOS. */
const ikeName = (rig: Rig, end: TunnelEnd) =>
  rig.platformId === "strongswan" ? end.connectionName : `racoon-${end.remote.publicIp.replaceAll(".", "-")}`;

async function killIkeDaemon(rig: Rig, router: string): Promise<void> {
  if (rig.platformId === "libreswan") return killPluto(rig, router);
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
    platforms: ALL,
    async run(rig) {
      const e = await upPair(rig);
      await lanPing(rig, 3);
      return {
        ends: { hq: at("hq", e.hq), branch1: at("branch1", e.branch1) },
        samples: [["sample-1", await rig.sample(["hq", "branch1"])]],
      };
    },
  },
  {
    name: "down",
    description: "hq ↔ branch1 was up; hq ran the platform's teardown commands (files stay in place). Recorded on both ends.",
    platforms: ALL,
    async run(rig) {
      const e = await upPair(rig);
      await rig.run("hq", rig.platform.teardownCommands(e.hq));
      await sleep(1000);
      const samples: [string, Sample][] = [["sample-1", await rig.sample(["hq", "branch1"])]];
      if (rig.platformId !== "libreswan") return { ends: { hq: at("hq", e.hq), branch1: at("branch1", e.branch1) }, samples };
      await rig.ikeLog("branch1", REVIVAL_EVIDENCE);
      const note =
        "branch1 initiated the tunnel in the deploy (`ipsec auto --up`), which tells pluto to keep it up: after hq's Delete it schedules a revival (EVENT_REVIVE_CONNS) and initiates again and again, towards hq, which no longer has the connection; its route stays.";
      return { ends: { hq: at("hq", e.hq), branch1: at("branch1", e.branch1) }, samples, note };
    },
  },
  {
    name: "daemon-stopped",
    description: (p) =>
      `hq ↔ branch1 was up; branch1's ${daemon(p)} was stopped (${p === "libreswan" ? "`ipsec whack --shutdown`" : "SIGTERM"}: it deletes its SAs on the way out). Recorded on both ends.`,
    platforms: ALL,
    async run(rig) {
      const e = await upPair(rig);
      await stopCharon(rig.lab, "branch1");
      rig.step(rig.platformId === "libreswan" ? "branch1: pluto stopped (ipsec whack --shutdown)" : "branch1: charon stopped (SIGTERM)");
      await sleep(1000);
      const samples: [string, Sample][] = [["sample-1", await rig.sample(["hq", "branch1"])]];
      if (rig.platformId !== "libreswan") return { ends: { hq: at("hq", e.hq), branch1: at("branch1", e.branch1) }, samples };
      await rig.ikeLog("hq", `deleting state|${REVIVAL_EVIDENCE}`);
      const routed = await rig.exec("hq", ["sh", "-c", 'ipsec status | grep erouted | grep -F -- "$0"', e.hq.connectionName]);
      rig.step(`hq: ipsec status: ${routed.stdout.trim()}`);
      const note =
        "hq only loaded the connection in the deploy (`--add`; branch1 initiated): after branch1's Delete it keeps no state and does not renegotiate by itself, but the connection stays routed (\"prospective erouted\"): its route and a kernel trap policy stay, so traffic to branch1's LAN starts a negotiation.";
      return { ends: { hq: at("hq", e.hq), branch1: at("branch1", e.branch1) }, samples, note };
    },
  },
  {
    name: "one-end-up",
    description: (p) =>
      `hq ↔ branch1 was up; branch1's ${daemon(p)} was killed (SIGKILL, no DELETE sent), so hq still shows the SA until DPD notices. Recorded on both ends.`,
    platforms: ALL,
    async run(rig) {
      const e = await upPair(rig);
      await killIkeDaemon(rig, "branch1");
      await sleep(500);
      return {
        ends: { hq: at("hq", e.hq), branch1: at("branch1", e.branch1) },
        samples: [["sample-1", await rig.sample(["hq", "branch1"])]],
      };
    },
  },
  {
    name: "connecting",
    description: (p) =>
      `hq brings its end up while branch1's ${daemon(p)} is stopped: hq's IKE SA stays CONNECTING (retransmitting). Recorded on hq mid-negotiation.`,
    platforms: ALL,
    async run(rig) {
      const t = rig.tunnel("t1", "hq", "branch1");
      await stopCharon(rig.lab, "branch1");
      rig.step(`branch1: ${daemon(rig.platformId)} stopped`);
      await rig.writeFiles("hq", rig.platform.render(t.hq!));
      // Libreswan's --add never initiates (auto= acts only when pluto starts): hq is deployed as
      // when its peer is configured, so its --up (needsPeer) runs and starts the negotiation.
      const peerPending = rig.platformId !== "libreswan";
      // Not awaited: swanctl --initiate waits for its timeout.
      const applying = rig.run("hq", rig.platform.applyCommands(t.hq!), peerPending).catch((e: unknown) => e);
      await sleep(2500);
      const sample = await rig.sample(["hq"]);
      await applying;
      return { ends: { hq: at("hq", t.hq!) }, samples: [["sample-1", sample]] };
    },
  },
  {
    name: "rekey-in-progress",
    description: (p) =>
      p === "libreswan"
        ? "hq ↔ branch1 up; branch1 rekeys its IKE SA (`ipsec whack --rekey-ike --name <conn>`: CREATE_CHILD_SA, no new authentication) and is recorded back to back in the router while both IKE SAs exist, rekey after rekey until it caught the new IKE SA still negotiating (STATE_V2_REKEY_IKE_I0/I1: sample-1) and, in the same or a later rekey, the new one established beside the old one not yet deleted (sample-2); the steps say which rekey gave which."
        : "hq ↔ branch1 up; branch1 reauthenticates (`swanctl --rekey --ike <conn> --reauth`, make-before-break) and is recorded while both IKE SAs exist.",
    // Not CentOS: racoon has no reauthentication (ifdown/ifup reads a new key), and its status
    // is the kernel's SAD, whose emulated listing takes longer than the lab's overlap lasts.
    platforms: ["strongswan", "libreswan"],
    async run(rig) {
      const e = await upPair(rig);
      if (rig.platformId === "libreswan") return libreswanIkeRekey(rig, e.branch1);
      const reauth = [labSwanctl(rig.platformId), "--rekey", "--ike", ikeName(rig, e.branch1), "--reauth"];
      for (let attempt = 1; attempt <= 40; attempt++) {
        let done = false;
        const rekey = rig.exec("branch1", reauth).finally(() => (done = true));
        let caught: Sample | null = null;
        while (!done && !caught) {
          const outputs = await rig.record("branch1");
          if (ikeSas(rig, e.branch1, outputs).length >= 2) caught = { branch1: outputs };
        }
        const r = await rekey;
        rig.step(`branch1: ${reauth.join(" ")} → exit ${r.exitCode} (attempt ${attempt}${caught ? ", two IKE SAs caught" : ""})`);
        if (caught) return { ends: { branch1: at("branch1", e.branch1) }, samples: [["sample-1", caught]] };
        await sleep(1500);
      }
      throw new Error("two IKE SAs were never caught during 40 reauthentications");
    },
  },
  {
    name: "auth-failed",
    description: (p) =>
      p === "libreswan"
        ? "hq ↔ branch1 was up; branch1 got a wrong pre-shared key and loaded it (`--rereadsecrets`, the key switch's load), then hq stopped and started the tunnel (`--down`, `--asynchronous --up`): IKE_AUTH fails with AUTHENTICATION_FAILED, and both ends keep renegotiating (auto=start revives the connection). Recorded on both ends 4 s later."
        : "hq ↔ branch1 was up; the tunnel was stopped, branch1 got a wrong pre-shared key, and the tunnel was started again (AUTH_FAILED). Recorded on both ends afterwards.",
    platforms: ALL,
    async run(rig) {
      const e = await upPair(rig);
      await writeWrongKey(rig, "branch1", e.branch1);
      if (rig.platformId === "libreswan") {
        // Load before the stop, as the key switch does: a peer with auto=start renegotiates as
        // soon as hq's --down deletes the SA, with whatever key it holds at that moment.
        await rig.run("branch1", rig.platform.keySwitch.load(e.branch1));
        await rig.run("hq", [...rig.platform.keySwitch.stop(e.hq), ...rig.platform.keySwitch.start(e.hq)]);
      } else if (rig.platformId === "strongswan") {
        await rig.run("hq", rig.platform.keySwitch.stop(e.hq));
        await rig.run("branch1", rig.platform.keySwitch.load(e.branch1));
        // The initiate fails: its exit is logged, not fatal (the start command may fail while the peer disagrees).
        await rig.run(
          "hq",
          rig.platform.keySwitch.start(e.hq).map((c) => ({ ...c, allowFailure: true })),
        );
      } else {
        // ifup rereads keys-ipsecN: branch1 stops the tunnel and starts it with the wrong key.
        await rig.run("branch1", rig.platform.keySwitch.stop(e.branch1));
        await rig.run(
          "branch1",
          rig.platform.keySwitch.start(e.branch1).map((c) => ({ ...c, allowFailure: true })),
        );
      }
      // Libreswan's start (--asynchronous --up) returns before the IKE_AUTH exchange.
      await sleep(rig.platformId === "libreswan" ? 4000 : 1000);
      for (const r of ["hq", "branch1"]) await rig.ikeLog(r, AUTH_EVIDENCE);
      const note =
        rig.platformId === "centos-racoon"
          ? "IKEv1 main mode (the Modern IKEv1 profile) encrypts the identity exchange with keys derived from the PSK: with a wrong key the peer cannot decrypt it (charon.log: 'message parsing failed', 'decryption failed?'), no AUTHENTICATION_FAILED notify comes back. ifup returned 0 at once, as the real one does, and left its route and policies in place; the kernel holds no SA for the tunnel."
          : undefined;
      const samples: [string, Sample][] = [["sample-1", await rig.sample(["hq", "branch1"])]];
      return { ends: { hq: at("hq", e.hq), branch1: at("branch1", e.branch1) }, samples, ...(note ? { note } : {}) };
    },
  },
  {
    name: "auth-failed-reauth",
    description:
      "hq ↔ branch1 up; branch1 got a wrong key (loaded), hq reauthenticated: the new IKE SA fails to authenticate and, with make_before_break, the old SA keeps running. Recorded on both ends afterwards.",
    platforms: ["strongswan"],
    async run(rig) {
      const e = await upPair(rig);
      await writeWrongKey(rig, "branch1", e.branch1);
      await rig.run("branch1", rig.platform.keySwitch.load(e.branch1));
      await rig.run(
        "hq",
        rig.platform.keySwitch.reauthenticate(e.hq).map((c) => ({ ...c, allowFailure: true })),
      );
      await sleep(2000);
      for (const r of ["hq", "branch1"]) await rig.ikeLog(r, AUTH_EVIDENCE);
      return {
        ends: { hq: at("hq", e.hq), branch1: at("branch1", e.branch1) },
        samples: [["sample-1", await rig.sample(["hq", "branch1"])]],
      };
    },
  },
  {
    name: "hub-two-tunnels",
    description:
      "hq is a hub with two net-to-net tunnels (to branch1 and branch2), both up; one recording of hq judged for each of its tunnels, and each spoke's recording for its own.",
    platforms: ALL,
    async run(rig) {
      const t1 = rig.tunnel("t1", "hq", "branch1");
      const t2 = rig.tunnel("t2", "hq", "branch2");
      await rig.deploy(["hq", "branch1", "branch2"]);
      await rig.waitUp(["hq", "branch1", "branch2"]);
      const ends = {
        "hq-to-branch1": at("hq", t1.hq!),
        "hq-to-branch2": at("hq", t2.hq!),
        branch1: at("branch1", t1.branch1!),
        branch2: at("branch2", t2.branch2!),
      };
      return { ends, samples: [["sample-1", await rig.sample(["hq", "branch1", "branch2"])]] };
    },
  },
  {
    name: "counters-moving",
    description:
      "hq ↔ branch1 up, 3 pings from hq's LAN host to branch1's; both ends recorded, then 5 more pings, then both recorded again 3 s after the first recording.",
    platforms: ALL,
    async run(rig) {
      const e = await upPair(rig);
      // Traffic before the first sample too: counters that move, not counters that start.
      await lanPing(rig, 3);
      const first = await rig.sample(["hq", "branch1"]);
      const started = Date.now();
      await lanPing(rig, 5);
      await sleep(Math.max(0, 3000 - (Date.now() - started)));
      return {
        ends: { hq: at("hq", e.hq), branch1: at("branch1", e.branch1) },
        samples: [
          ["sample-1", first],
          ["sample-2", await rig.sample(["hq", "branch1"])],
        ],
      };
    },
  },
  {
    name: "host-to-host",
    description: (p) =>
      `hq ↔ branch1 host-to-host (the two public addresses, ${p === "libreswan" ? "transport mode" : "tunnel mode with /32 selectors in the lab"}), up; recorded on both ends.`,
    platforms: ALL,
    async run(rig) {
      const e = await upPair(rig, "host-to-host");
      return {
        ends: { hq: at("hq", e.hq), branch1: at("branch1", e.branch1) },
        samples: [["sample-1", await rig.sample(["hq", "branch1"])]],
      };
    },
  },
  ...LIBRESWAN_CASES,
];
