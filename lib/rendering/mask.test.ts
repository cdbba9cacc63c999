import { describe, expect, it } from "vitest";
import { getPlatform } from "@/lib/platforms";
import type { TunnelEnd } from "@/lib/platforms/contract";
import { MODERN_IKEV1_PROFILE } from "@/lib/platforms/crypto-profiles";
import { maskSecrets, maskText, PSK_MASK } from "./mask";

const PSK = "Kx7-vQ2_mT9.zR4:pL8@wN3^bH6~";
const END: TunnelEnd = {
  tunnelId: "t1",
  connectionName: "gw-t1",
  kind: "host-to-host",
  interfaceName: "ipsec0",
  local: { publicIp: "198.18.0.1", lanAddress: null, subnets: [] },
  remote: { publicIp: "198.18.0.2", lanAddress: null, subnets: [] },
  psk: PSK,
  profile: MODERN_IKEV1_PROFILE,
};

describe("maskSecrets", () => {
  it("masks the PSK in keys-ipsecN and in ifup's psk.txt preview, leaving the rest", () => {
    const racoon = getPlatform("centos-racoon");
    const files = maskSecrets([...racoon.render(END), ...racoon.preview(END)], [PSK]);
    expect(files.find((f) => f.path.endsWith("keys-ipsec0"))!.content).toBe(`IKE_PSK="${PSK_MASK}"\n`);
    expect(files.find((f) => f.path === "/etc/racoon/psk.txt")!.content).toBe(`198.18.0.2  ${PSK_MASK}\n`);
    expect(files.find((f) => f.path.endsWith("ifcfg-ipsec0"))!.content).toBe(racoon.render(END)[0]!.content);
    expect(JSON.stringify(files)).not.toContain(PSK);
  });

  it("masks the hex form swanctl uses for a key starting with 0s", () => {
    const psk = "0s-looks-like-base64-but-is-not";
    const files = maskSecrets(getPlatform("strongswan").render({ ...END, psk }), [psk]);
    const secrets = files.find((f) => f.secret)!;
    expect(secrets.content).toContain(`secret = 0x${PSK_MASK}`);
    expect(secrets.content).not.toContain(Buffer.from(psk).toString("hex"));
  });

  it("keeps path, mode, scope and secret flag, and does not change its input", () => {
    const files = getPlatform("strongswan").render(END);
    const before = structuredClone(files);
    const masked = maskSecrets(files, [PSK]);
    expect(masked.map(({ content: _c, ...rest }) => rest)).toEqual(before.map(({ content: _c, ...rest }) => rest));
    expect(files).toEqual(before);
  });

  it("masks every given key, and nothing when there is none", () => {
    expect(maskText("a=first-key-000000000 b=second-key-11111111", ["first-key-000000000", "second-key-11111111"])).toBe(
      `a=${PSK_MASK} b=${PSK_MASK}`,
    );
    expect(maskText("nothing secret", [])).toBe("nothing secret");
  });
});
