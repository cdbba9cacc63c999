import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  ifaceNameSchema,
  ipsecIfaceSchema,
  nameLookalike,
  portSchema,
  siteNameSchema,
  sshHostSchema,
  sshUserSchema,
  usernameSchema,
} from "./names";

const msg = (r: { error?: { issues: { message: string }[] } }) => r.error?.issues[0]?.message;

describe("siteNameSchema", () => {
  it.each([
    ["HQ", "HQ"],
    ["  Branch Office 12  ", "Branch Office 12"],
    ["Smith & Sons (Leeds)", "Smith & Sons (Leeds)"],
    ["O'Hare_dc-2.east", "O'Hare_dc-2.east"],
    ["Zürich", "Zürich"],
    ["9th Street", "9th Street"],
  ])("accepts %j", (input, out) => expect(siteNameSchema.parse(input)).toBe(out));
  it.each([
    ["", /Enter a site name/],
    ["   ", /Enter a site name/],
    ["x".repeat(65), /at most 64/],
    ["-dash", /start with a letter or digit/],
    ["(HQ)", /start with a letter or digit/],
    ["HQ; reboot", /can't contain “;”/],
    ["HQ/2", /can't contain “\/”/],
    ["HQ\nx", /U\+000A/],
    ["HQ$x", /“\$”/],
    ["H\u200bQ", /U\+200B/],
  ])("rejects %j", (input, m) => expect(msg(siteNameSchema.safeParse(input))).toMatch(m));
});

describe("ifaceNameSchema", () => {
  it.each(["eth0", "ens3", "br-lan", "vlan.10", "wan_0", "a", "x".repeat(15)])("accepts %s", (s) =>
    expect(ifaceNameSchema.safeParse(s).success).toBe(true),
  );
  it.each([
    ["", /Enter an interface/],
    ["x".repeat(16), /at most 15/],
    [".", /not a valid/],
    ["..", /not a valid/],
    ["eth0:1", /“:”/],
    ["eth/0", /“\/”/],
    ["eth 0", /a space/],
    ["-eth0", /start with “-”/],
    ["eth0;ls", /“;”/],
  ])("rejects %j", (s, m) => expect(msg(ifaceNameSchema.safeParse(s))).toMatch(m));
});

describe("ipsecIfaceSchema", () => {
  it.each(["ipsec0", "ipsec1", "ipsec42", "ipsec999"])("accepts %s", (s) => expect(ipsecIfaceSchema.safeParse(s).success).toBe(true));
  it.each(["ipsec", "ipsec01", "ipsec1000", "IPSEC0", "ipsec-1", "eth0", " ipsec0", "ipsec0\n"])("rejects %j", (s) =>
    expect(msg(ipsecIfaceSchema.safeParse(s))).toMatch(/like ipsec0/),
  );
});

describe("sshUserSchema", () => {
  it.each(["root", "admin", "_svc", "gw-deploy", "a".repeat(32), "user_1"])("accepts %s", (s) =>
    expect(sshUserSchema.safeParse(s).success).toBe(true),
  );
  it.each(["", "Root", "1user", "-oProxyCommand", "a".repeat(33), "us er", "user@host", "user.name"])("rejects %j", (s) =>
    expect(sshUserSchema.safeParse(s).success).toBe(false),
  );
});

describe("sshHostSchema", () => {
  it.each(["198.18.0.10", "localhost", "gw1.example.net", "GW-2.Example.NET", "a", "xn--bcher-kva.example", "10.0.0.1.nip.io"])(
    "accepts %s",
    (s) => expect(sshHostSchema.safeParse(s).success).toBe(true),
  );
  it.each([
    ["-oProxyCommand=sh", /host name/],
    ["gw1.example.net.", /host name/],
    ["gw1..example", /host name/],
    ["gw_1.example", /host name/],
    ["-gw.example", /host name/],
    ["gw-.example", /host name/],
    ["010.0.0.1", /IPv4 address like/],
    ["10.0.0.256", /IPv4 address like/],
    ["1.2.3", /IPv4 address like/],
    ["user@gw1", /host name/],
    ["gw1:22", /host name/],
    ["", /host name/],
    [`${"a".repeat(64)}.example`, /host name/],
  ])("rejects %j", (s, m) => expect(msg(sshHostSchema.safeParse(s))).toMatch(m));
  it("rejects names over 253 characters", () => {
    const long = Array.from({ length: 5 }, () => "a".repeat(60)).join(".");
    expect(sshHostSchema.safeParse(long).success).toBe(false);
  });
});

describe("portSchema", () => {
  it.each([
    ["22", 22],
    [" 2222 ", 2222],
    [1, 1],
    [65535, 65535],
    ["65535", 65535],
  ] as const)("accepts %j", (input, out) => expect(portSchema.parse(input)).toBe(out));
  it.each(["", "0", "65536", "0x16", "1e3", "22.5", "-22", "22;", "abc", 22.5, 0, null, undefined])("rejects %j", (v) =>
    expect(msg(portSchema.safeParse(v))).toBe("Enter a port number from 1 to 65535"),
  );
  it("accepts every port as a string", () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 65535 }), (p) => portSchema.parse(String(p)) === p));
  });
});

describe("usernameSchema", () => {
  it.each([
    ["admin", "admin"],
    [" Alice.Smith ", "alice.smith"],
    ["ops-1_x", "ops-1_x"],
  ])("accepts %j", (input, out) => expect(usernameSchema.parse(input)).toBe(out));
  it.each(["ab", "a".repeat(33), "al ice", "alice@corp", "ålice", ""])("rejects %j", (s) =>
    expect(msg(usernameSchema.safeParse(s))).toMatch(/3–32 characters|Enter a user name/),
  );
});

describe("siteNameSchema normalises to NFKC", () => {
  it.each([
    ["ＨＱ", "HQ"], // fullwidth
    ["Zu\u0308rich", "Zürich"], // decomposed ü
    ["ﬁnance", "finance"], // ligature
  ])("reads %j as %j", (input, out) => expect(siteNameSchema.parse(input)).toBe(out));
});

describe("nameLookalike", () => {
  it.each([
    ["HQ", "hq"],
    ["HQ", "Hq"],
    ["HQ", "\u041dQ"], // Cyrillic Н
    ["hq", "\u041dQ"],
    ["HQ", "ＨＱ"],
    ["Oslo", "0slo"],
    ["Oslo branch", "OSLO BRANCH"],
    ["Il", "il"],
    ["Straße", "STRASSE"],
    ["paypal", "\u0440aypal"], // Cyrillic р
  ])("%j and %j are one name", (a, b) => {
    expect(nameLookalike(a, [b])).toBe(b);
    expect(nameLookalike(b, [a])).toBe(a);
  });
  it.each([
    ["HQ", "HQ2"],
    ["Oslo", "Bergen"],
    ["Zürich", "Zurich 2"],
    ["Łódź", "Lodz branch"],
  ])("%j and %j are different names", (a, b) => {
    expect(nameLookalike(a, [b])).toBeNull();
  });
});
