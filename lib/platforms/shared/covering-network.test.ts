import { describe, expect, it } from "vitest";
import { coveringNetwork, oneSubnetAdvice } from "./covering-network";

describe("coveringNetwork", () => {
  it("is the smallest aligned network holding every subnet", () => {
    expect(coveringNetwork(["192.168.2.0/24", "192.168.3.0/24"])).toBe("192.168.2.0/23");
    expect(coveringNetwork(["192.168.1.0/24", "192.168.2.0/24"])).toBe("192.168.0.0/22");
    expect(coveringNetwork(["10.0.0.0/8", "10.1.0.0/16"])).toBe("10.0.0.0/8");
    expect(coveringNetwork(["10.0.0.0/24", "192.168.0.0/24"])).toBe("0.0.0.0/0");
    expect(coveringNetwork(["172.16.5.0/24"])).toBe("172.16.5.0/24");
  });
});

describe("oneSubnetAdvice", () => {
  it("names the covering network and the platform that carries several subnets", () => {
    expect(oneSubnetAdvice(["192.168.2.0/24", "192.168.3.0/24"])).toBe(
      "Give the site one network instead: 192.168.2.0/23 is the smallest network holding 192.168.2.0/24 and 192.168.3.0/24 (only if nothing else uses its other addresses), or put this gateway on the strongswan platform, which carries several subnets in one tunnel.",
    );
    expect(oneSubnetAdvice(["10.0.0.0/24", "10.0.1.0/24", "192.168.0.0/24"])).toBe(
      "No small network holds 10.0.0.0/24, 10.0.1.0/24 and 192.168.0.0/24: put this gateway on the strongswan platform, which carries several subnets in one tunnel.",
    );
  });
});
