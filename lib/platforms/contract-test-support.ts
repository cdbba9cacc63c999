// Test support for contract.test.ts: random valid tunnel ends within a platform's
// capabilities, and per-platform readers that recover the tunnel's values from the
// rendered files (so a property test can compare them with what went in).
import fc from "fast-check";
import { formatIpv4 } from "@/lib/domain/ip";
import type { CryptoProfile, Platform, PlatformId, RenderedFile, TunnelEnd } from "./contract";
import { DH_GROUPS, ESP_ENCRYPTIONS, IKE_ENCRYPTIONS, INTEGRITIES } from "./crypto-profiles";
import { parseIfcfg } from "./centos-racoon/parse";
import { centosProfileProblems, RACOON_PHASE1_LIFETIME_SECONDS } from "./centos-racoon/profile-problems";
import { libreswanProfileProblems } from "./libreswan/algorithms";
import { parseIpsecConf, parseIpsecSecrets } from "./libreswan/parse-ipsec-conf";
import { parseSwanctlConf, section } from "./strongswan/parse-swanctl-conf";

const PSK_CHARS = [..."!%&()*+,-./0123456789:<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_abcdefghijklmnopqrstuvwxyz{|}~"];

const ipInt = fc.integer({ min: 0x01000000, max: 0xdfffffff });

/** An aligned CIDR plus an address inside it (the router's LAN address). */
const subnet = fc.tuple(ipInt, fc.integer({ min: 8, max: 30 }), fc.nat()).map(([n, prefix, pick]) => {
  const size = 2 ** (32 - prefix);
  const network = n - (n % size);
  return { cidr: `${formatIpv4(network)}/${prefix}`, lan: formatIpv4(network + 1 + (pick % (size - 2))) };
});

/**
 * Profiles a platform refuses by design (Libreswan: no modp768/modp1024, no ECP group for
 * IKEv1 PFS; racoon: no ECP group at all) are left out of the random ones; each refusal has its platform's own test.
 */
const CAN_RUN: Partial<Record<PlatformId, (profile: CryptoProfile) => boolean>> = {
  libreswan: (profile) => libreswanProfileProblems(profile).length === 0,
  "centos-racoon": (profile) => centosProfileProblems(profile).length === 0,
};

/** Settings a platform has one fixed value for (racoon's phase-1 lifetime: ifup writes none). */
const FIXED: Partial<Record<PlatformId, Partial<CryptoProfile>>> = {
  "centos-racoon": { ikeLifetimeSeconds: RACOON_PHASE1_LIFETIME_SECONDS },
};

function profileArbitrary(platform: Platform): fc.Arbitrary<CryptoProfile> {
  const canRun = CAN_RUN[platform.id] ?? (() => true);
  const fixed = FIXED[platform.id] ?? {};
  return fc
    .record({
      name: fc.constant("Random"),
      ikeVersion: fc.constantFrom(...platform.capabilities.ikeVersions),
      exchangeModes: fc.constantFrom<CryptoProfile["exchangeModes"]>(
        ["main"],
        ["aggressive"],
        ["main", "aggressive"],
        ["aggressive", "main"],
      ),
      ike: fc.record({
        encryption: fc.constantFrom(...IKE_ENCRYPTIONS),
        integrity: fc.constantFrom(...INTEGRITIES),
        dhGroup: fc.constantFrom(...DH_GROUPS),
      }),
      esp: fc.record({
        // Keep one cipher every platform can express (strongSwan has no Blowfish-448).
        encryption: fc
          .uniqueArray(fc.constantFrom(...ESP_ENCRYPTIONS), { minLength: 1, maxLength: 4 })
          .filter((l) => l.some((e) => e !== "blowfish448")),
        integrity: fc.uniqueArray(fc.constantFrom(...INTEGRITIES), { minLength: 1, maxLength: 3 }),
        pfsGroup: fc.option(fc.constantFrom(...DH_GROUPS), { nil: null }),
        compression: fc.constantFrom("deflate" as const, null),
      }),
      ikeLifetimeSeconds: fc.integer({ min: 300, max: 86_400 }),
      childLifetimeSeconds: fc.integer({ min: 300, max: 86_400 }),
    })
    .map((p) => ({ ...p, ...fixed }))
    .filter(canRun);
}

export function tunnelEndArbitrary(platform: Platform): fc.Arbitrary<TunnelEnd> {
  const maxNets = platform.capabilities.maxSubnetsPerSide ?? 3;
  return fc
    .record({
      id: fc.stringMatching(/^[a-z0-9]{1,20}$/),
      kind: fc.constantFrom("host-to-host" as const, "net-to-net" as const),
      iface: fc.integer({ min: 0, max: 999 }),
      localIp: ipInt.map(formatIpv4),
      remoteIp: ipInt.map(formatIpv4),
      localNets: fc.array(subnet, { minLength: 1, maxLength: maxNets }),
      remoteNets: fc.array(subnet, { minLength: 1, maxLength: maxNets }),
      // Long enough that the PSK cannot occur by chance in a non-secret file.
      psk: fc.string({ unit: fc.constantFrom(...PSK_CHARS), minLength: 16, maxLength: 64 }).filter((p) => !/^0[xXsS]/.test(p)),
      profile: profileArbitrary(platform),
    })
    .filter((r) => r.localIp !== r.remoteIp)
    .map((r): TunnelEnd => ({
      tunnelId: r.id,
      connectionName: `gw-${r.id}`,
      kind: r.kind,
      interfaceName: `ipsec${r.iface}`,
      local: {
        publicIp: r.localIp,
        lanAddress: r.localNets[0]!.lan,
        subnets: r.kind === "net-to-net" ? r.localNets.map((n) => n.cidr) : [],
      },
      remote: {
        publicIp: r.remoteIp,
        lanAddress: r.remoteNets[0]!.lan,
        subnets: r.kind === "net-to-net" ? r.remoteNets.map((n) => n.cidr) : [],
      },
      psk: r.psk,
      profile: r.profile,
    }));
}

export interface ReadBack {
  localIp: string;
  remoteIp: string;
  /** Protected traffic; host-to-host reads back as the two public /32s. */
  localNets: string[];
  remoteNets: string[];
  psk: string;
}

const content = (files: RenderedFile[], suffix: string) => {
  const f = files.find((x) => x.path.endsWith(suffix));
  if (!f) throw new Error(`no file *${suffix}`);
  return f.content;
};

function readBackCentos(files: RenderedFile[]): ReadBack {
  const ifcfg = parseIfcfg(files.find((f) => /\/ifcfg-ipsec\d+$/.test(f.path))!.content);
  const keys = parseIfcfg(files.find((f) => /\/keys-ipsec\d+$/.test(f.path))!.content);
  const nets = (key: string, ip: string) => (ifcfg[key] ? [ifcfg[key]] : [`${ip}/32`]);
  return {
    localIp: ifcfg.SRC!,
    remoteIp: ifcfg.DST!,
    localNets: nets("SRCNET", ifcfg.SRC!),
    remoteNets: nets("DSTNET", ifcfg.DST!),
    psk: keys.IKE_PSK!,
  };
}

function readBackStrongswan(files: RenderedFile[]): ReadBack {
  const conf = parseSwanctlConf(files.find((f) => !f.secret)!.content);
  const [name] = Object.keys(section(conf, "connections"));
  const conn = section(conf, "connections", name!);
  const child = section(conn, "children", name!);
  const secret = Object.values(section(parseSwanctlConf(content(files, ".secrets.conf")), "secrets"))[0] as Record<string, string>;
  const raw = secret.secret!;
  const psk = raw.startsWith("0x") ? Buffer.from(raw.slice(2), "hex").toString("latin1") : raw;
  return {
    localIp: conn.local_addrs as string,
    remoteIp: conn.remote_addrs as string,
    localNets: (child.local_ts as string).split(","),
    remoteNets: (child.remote_ts as string).split(","),
    psk,
  };
}

function readBackLibreswan(files: RenderedFile[]): ReadBack {
  const conns = Object.values(parseIpsecConf(files.find((f) => !f.secret)!.content));
  if (conns.length !== 1) throw new Error(`expected one conn, found ${conns.length}`);
  const conn = conns[0]!;
  const [secret, ...more] = parseIpsecSecrets(content(files, ".secrets"));
  if (!secret || more.length) throw new Error("expected one PSK entry");
  const transport = conn.type === "transport";
  return {
    localIp: conn.left!,
    remoteIp: conn.right!,
    localNets: [transport ? `${conn.left}/32` : conn.leftsubnet!],
    remoteNets: [transport ? `${conn.right}/32` : conn.rightsubnet!],
    // The entry must be indexed by the two IDs the conn authenticates with.
    psk: secret.ids.join(" ") === `${conn.leftid} ${conn.rightid}` ? secret.psk : `(indexed by ${secret.ids.join(" ")})`,
  };
}

const READERS: Record<PlatformId, (files: RenderedFile[]) => ReadBack> = {
  "centos-racoon": readBackCentos,
  libreswan: readBackLibreswan,
  strongswan: readBackStrongswan,
};

export function readBack(id: PlatformId, files: RenderedFile[]): ReadBack {
  return READERS[id](files);
}
