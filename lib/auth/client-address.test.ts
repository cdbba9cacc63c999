import { describe, expect, it } from "vitest";
import { parseTrustedProxies, resolveClientAddress, viaTrustedProxy, type TrustedProxies } from "./client-address";

function proxies(text: string): TrustedProxies {
  const r = parseTrustedProxies(text);
  if (!r.ok) throw new Error(r.message);
  return r.proxies;
}

describe("parseTrustedProxies", () => {
  it("reads CIDR ranges and bare addresses, separated by commas or spaces", () => {
    expect(proxies("10.0.0.0/8, 192.0.2.7  ::1,fd00::/8").map(([a, p]) => `${a.toString()}/${p}`)).toEqual([
      "10.0.0.0/8",
      "192.0.2.7/32",
      "::1/128",
      "fd00::/8",
    ]);
    expect(proxies("")).toEqual([]);
  });
  it.each(["10.0.0.0/33", "10.1", "010.0.0.1", "0x7f.0.0.1", "example.com", "10.0.0.0/8/8", "::1/129", "10.0.0.0/x", "10.0.0.0/"])(
    "refuses %j",
    (text) => {
      const r = parseTrustedProxies(text);
      expect(r.ok).toBe(false);
      expect(!r.ok && r.message).toContain(JSON.stringify(text));
    },
  );
});

describe("resolveClientAddress", () => {
  const none = proxies("");
  const edge = proxies("10.0.0.0/8, ::1");

  it("is the socket address when no proxy is trusted, whatever X-Forwarded-For says", () => {
    expect(resolveClientAddress({ peer: "198.51.100.9", forwardedFor: "203.0.113.1" }, none)).toBe("198.51.100.9");
    expect(resolveClientAddress({ peer: "127.0.0.1", forwardedFor: "203.0.113.1" }, none)).toBe("127.0.0.1");
  });

  it("ignores X-Forwarded-For from a peer that is not a trusted proxy", () => {
    expect(resolveClientAddress({ peer: "198.51.100.9", forwardedFor: "203.0.113.1" }, edge)).toBe("198.51.100.9");
  });

  it("takes the hop a trusted proxy appended, not what the client wrote before it", () => {
    expect(resolveClientAddress({ peer: "10.0.0.2", forwardedFor: "203.0.113.1, 198.51.100.9" }, edge)).toBe("198.51.100.9");
  });

  it("walks past a chain of trusted proxies", () => {
    expect(resolveClientAddress({ peer: "10.0.0.2", forwardedFor: "198.51.100.9, 10.0.0.3" }, edge)).toBe("198.51.100.9");
  });

  it("reads ports and brackets as proxies write them", () => {
    expect(resolveClientAddress({ peer: "10.0.0.2", forwardedFor: "198.51.100.9:51234" }, edge)).toBe("198.51.100.9");
    expect(resolveClientAddress({ peer: "::1", forwardedFor: "[2001:db8::7]:443" }, edge)).toBe("2001:db8::7");
  });

  it("stops at the last believable hop when a hop is garbage", () => {
    expect(resolveClientAddress({ peer: "10.0.0.2", forwardedFor: "198.51.100.9, not-an-ip" }, edge)).toBe("10.0.0.2");
  });

  it("is the proxy itself when the proxy forwarded nothing", () => {
    expect(resolveClientAddress({ peer: "10.0.0.2", forwardedFor: null }, edge)).toBe("10.0.0.2");
  });

  it("reads IPv4-mapped IPv6 peers as IPv4, so 10.0.0.0/8 matches them", () => {
    expect(resolveClientAddress({ peer: "::ffff:10.0.0.2", forwardedFor: "198.51.100.9" }, edge)).toBe("198.51.100.9");
    expect(resolveClientAddress({ peer: "::ffff:198.51.100.9", forwardedFor: null }, none)).toBe("198.51.100.9");
  });

  it("says unknown when the server could not tell the peer", () => {
    expect(resolveClientAddress({ peer: undefined, forwardedFor: "203.0.113.1" }, edge)).toBe("unknown");
  });

  it("knows which peers may set the other forwarding headers", () => {
    expect(viaTrustedProxy("10.1.2.3", edge)).toBe(true);
    expect(viaTrustedProxy("198.51.100.9", edge)).toBe(false);
    expect(viaTrustedProxy(undefined, edge)).toBe(false);
  });
});
