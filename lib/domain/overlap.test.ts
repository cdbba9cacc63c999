import { describe, expect, it } from "vitest";
import { CANDIDATE_LABEL, findSubnetOverlaps, nextFreeIpsecInterface } from "./overlap";
import { DomainError } from "./errors";

const existing = [
  { cidr: "10.1.0.0/16", label: "Leeds LAN" },
  { cidr: "192.168.10.0/24", label: "HQ servers" },
];

describe("findSubnetOverlaps", () => {
  it("finds nothing for disjoint subnets", () => {
    expect(findSubnetOverlaps(["10.2.0.0/16", "192.168.11.0/24"], existing)).toEqual([]);
  });
  it("reports candidates that overlap existing subnets, in either direction", () => {
    expect(findSubnetOverlaps(["10.1.5.0/24", "192.168.0.0/16"], existing)).toEqual([
      { cidr: "10.1.5.0/24", conflictsWith: "10.1.0.0/16", label: "Leeds LAN" },
      { cidr: "192.168.0.0/16", conflictsWith: "192.168.10.0/24", label: "HQ servers" },
    ]);
  });
  it("reports overlaps among the candidates once, on the later one", () => {
    expect(findSubnetOverlaps(["172.16.0.0/12", "172.20.1.0/24", "172.16.0.0/12"], [])).toEqual([
      { cidr: "172.20.1.0/24", conflictsWith: "172.16.0.0/12", label: CANDIDATE_LABEL },
      { cidr: "172.16.0.0/12", conflictsWith: "172.16.0.0/12", label: CANDIDATE_LABEL },
      { cidr: "172.16.0.0/12", conflictsWith: "172.20.1.0/24", label: CANDIDATE_LABEL },
    ]);
  });
  it("skips entries that are not valid networks", () => {
    expect(findSubnetOverlaps(["10.1.0.1/16", "bogus"], [{ cidr: "x", label: "bad" }, ...existing])).toEqual([]);
  });
  it("treats 0.0.0.0/0 as overlapping everything", () => {
    expect(findSubnetOverlaps(["0.0.0.0/0"], existing)).toHaveLength(2);
  });
});

describe("nextFreeIpsecInterface", () => {
  it.each([
    [[], "ipsec0"],
    [["ipsec0", "ipsec1"], "ipsec2"],
    [["ipsec1", "ipsec2"], "ipsec0"],
    [["ipsec0", "ipsec2"], "ipsec1"],
    [["eth0", "ipsec01", "ipsec0"], "ipsec1"],
  ])("%j → %s", (used, want) => expect(nextFreeIpsecInterface(used)).toBe(want));
  it("throws when all are used", () => {
    const all = Array.from({ length: 1000 }, (_, i) => `ipsec${i}`);
    expect(() => nextFreeIpsecInterface(all)).toThrow(DomainError);
  });
});
