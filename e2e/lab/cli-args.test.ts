import { describe, expect, it } from "vitest";
import { parseLabArgs } from "./cli-args";

describe("parseLabArgs", () => {
  it("reads up with its defaults", () => {
    expect(parseLabArgs(["up"])).toEqual({
      cmd: "up",
      lab: "gwlab",
      sites: 2,
      platforms: ["strongswan"],
      backend: "netns",
      keepOnFailure: false,
      register: false,
      tunnels: false,
    });
  });

  it("reads every option of up, in either --name value or --name=value form", () => {
    expect(
      parseLabArgs([
        "up",
        "--sites",
        "3",
        "--platforms=strongswan,centos-racoon",
        "--backend",
        "vm",
        "--lab",
        "mylab",
        "--keep-on-failure",
        "--register",
        "--tunnels",
      ]),
    ).toEqual({
      cmd: "up",
      lab: "mylab",
      sites: 3,
      platforms: ["strongswan", "centos-racoon"],
      backend: "vm",
      keepOnFailure: true,
      register: true,
      tunnels: true,
    });
  });

  it("reads down and status", () => {
    expect(parseLabArgs(["down"])).toEqual({ cmd: "down", lab: "gwlab" });
    expect(parseLabArgs(["down", "--lab", "other"])).toEqual({ cmd: "down", lab: "other" });
    expect(parseLabArgs(["status"])).toEqual({ cmd: "status", lab: "gwlab", json: false });
    expect(parseLabArgs(["status", "--lab=other", "--json"])).toEqual({ cmd: "status", lab: "other", json: true });
  });

  it.each([
    [[], /no command given/],
    [["start"], /unknown command "start"/],
    [["up", "--site", "3"], /Unknown option '--site'/],
    [["up", "--register", "--tunnel"], /Unknown option '--tunnel'/],
    [["down", "--json"], /Unknown option '--json'/],
    [["status", "--sites", "3"], /Unknown option '--sites'/],
    [["up", "extra"], /Unexpected argument 'extra'/],
    [["up", "--lab"], /argument missing/],
    [["up", "--tunnels"], /--tunnels needs --register/],
    [["up", "--backend", "kvm"], /--backend is netns .* or vm/],
    [["up", "--platforms", "vyos"], /unknown platform "vyos"/],
    [["status", "--lab", "Bad_Name"], /lab name "Bad_Name" must be/],
  ])("refuses %j", (argv, message) => {
    expect(() => parseLabArgs(argv)).toThrow(message);
  });
});
