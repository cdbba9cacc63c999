// Last line of defence before text reaches a router: every renderer calls assertTunnelEnd
// even though lib/domain validated the same values, because a value that slipped past
// (a newline in a PSK, a quote in a name) would become a config or shell injection.
// Address checks are lib/domain/ip's, the same strict ones the forms use.
import { isCidr, isIpv4 } from "@/lib/domain/ip";
import { CONNECTION_NAME, RenderError, type TunnelEnd } from "../contract";
import { cryptoProfileSchema } from "../crypto-profiles";

const TUNNEL_ID = /^[A-Za-z0-9_-]{1,64}$/;
const INTERFACE_NAME = /^ipsec(?:0|[1-9]\d{0,2})$/;
/**
 * Printable ASCII minus what breaks one of our formats: quotes and backslash (swanctl
 * strings, bash), `$` and backtick (bash expansion in keys-ipsecN), `#` and `;`
 * (comments in psk.txt / racoon / swanctl), whitespace (psk.txt is "address key").
 */
const PSK = /^[!%&(-:<-\[\]-_a-~]{1,128}$/;

function fail(field: string, message: string): never {
  throw new RenderError("invalid-input", field, message);
}

function assertIpv4(value: unknown, field: string): void {
  if (typeof value !== "string" || !isIpv4(value)) fail(field, `${field} must be a dotted IPv4 address`);
}

export function assertPsk(value: unknown): void {
  if (typeof value !== "string" || !PSK.test(value)) {
    fail("psk", "the pre-shared key must be 1–128 printable ASCII characters without quotes, backslash, $, backtick, #, ; or whitespace");
  }
}

/** Throws RenderError unless every value of the end is in a shape all renderers can emit verbatim. */
export function assertTunnelEnd(end: TunnelEnd): void {
  if (typeof end.tunnelId !== "string" || !TUNNEL_ID.test(end.tunnelId)) fail("tunnelId", "tunnelId must be 1–64 of [A-Za-z0-9_-]");
  if (typeof end.connectionName !== "string" || !CONNECTION_NAME.test(end.connectionName)) {
    fail("connectionName", "connectionName must be 1–63 of [a-z0-9-], starting with a letter or digit");
  }
  if (typeof end.interfaceName !== "string" || !INTERFACE_NAME.test(end.interfaceName))
    fail("interfaceName", "interfaceName must be ipsecN (N = 0–999)");
  if (end.kind !== "host-to-host" && end.kind !== "net-to-net") fail("kind", "kind must be host-to-host or net-to-net");
  for (const side of ["local", "remote"] as const) {
    const s = end[side];
    assertIpv4(s?.publicIp, `${side}.publicIp`);
    if (s.lanAddress !== null) assertIpv4(s.lanAddress, `${side}.lanAddress`);
    if (!Array.isArray(s.subnets)) fail(`${side}.subnets`, `${side}.subnets must be a list`);
    if (end.kind === "net-to-net") {
      if (s.subnets.length === 0) fail(`${side}.subnets`, `a net-to-net tunnel needs at least one ${side} subnet`);
      s.subnets.forEach((c, i) => {
        if (typeof c !== "string" || !isCidr(c))
          fail(`${side}.subnets.${i}`, `${side} subnet ${i + 1} must be an IPv4 CIDR with zero host bits`);
      });
    }
  }
  if (end.local.publicIp === end.remote.publicIp) fail("remote.publicIp", "the two ends need different public addresses");
  assertPsk(end.psk);
  const profile = cryptoProfileSchema.safeParse(end.profile);
  if (!profile.success) {
    const issue = profile.error.issues[0];
    fail(`profile.${issue?.path.join(".") ?? ""}`, `crypto profile: ${issue?.message ?? "invalid"}`);
  }
}
