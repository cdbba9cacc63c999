import { describe, expect, it } from "vitest";
import { parseEnv } from "./env";

describe("GATEWARDEN_ALLOW_SSH_TARGETS", () => {
  it("is empty by default: no loopback, link-local or own address is an SSH target", () => {
    expect(parseEnv({}).sshTargetAllowance).toEqual([]);
  });
  it("reads a list of IPv4 networks, separated by commas or spaces", () => {
    expect(parseEnv({ GATEWARDEN_ALLOW_SSH_TARGETS: "127.0.0.1/32, 169.254.0.0/16 192.0.2.0/24" }).sshTargetAllowance.map((c) => c.text)).toEqual([
      "127.0.0.1/32",
      "169.254.0.0/16",
      "192.0.2.0/24",
    ]);
  });
  it.each(["127.0.0.1", "localhost", "127.0.0.1/33", "10.0.0.1/8"])("refuses %j with a clear message", (value) => {
    expect(() => parseEnv({ GATEWARDEN_ALLOW_SSH_TARGETS: value })).toThrow(/GATEWARDEN_ALLOW_SSH_TARGETS/);
  });
});
