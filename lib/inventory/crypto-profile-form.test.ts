import { describe, expect, it } from "vitest";
import { parseCryptoProfileForm } from "./crypto-profile-form";

function form(fields: Record<string, string | string[]>): FormData {
  const fd = new FormData();
  for (const [k, v] of Object.entries(fields)) for (const value of [v].flat()) fd.append(k, value);
  return fd;
}

const VALID = {
  name: "Branch IKEv1 (aes128)",
  ikeVersion: "1",
  exchangeModes: ["main"],
  "ike.encryption": "aes128",
  "ike.integrity": "sha256",
  "ike.dhGroup": "14",
  "esp.encryption": ["aes256", "aes128"],
  "esp.integrity": ["sha256"],
  "esp.pfsGroup": "14",
  ikeLifetimeSeconds: "28800",
  childLifetimeSeconds: "3600",
};

describe("parseCryptoProfileForm", () => {
  it("builds the profile from selects and checkboxes, keeping the checkbox order", () => {
    const r = parseCryptoProfileForm(form(VALID));
    expect(r).toEqual({
      ok: true,
      profile: {
        name: "Branch IKEv1 (aes128)",
        ikeVersion: 1,
        exchangeModes: ["main"],
        ike: { encryption: "aes128", integrity: "sha256", dhGroup: 14 },
        esp: { encryption: ["aes256", "aes128"], integrity: ["sha256"], pfsGroup: 14, compression: null },
        ikeLifetimeSeconds: 28_800,
        childLifetimeSeconds: 3_600,
      },
    });
  });

  it("reads 'none' as no PFS, the deflate box as compression, and drops exchange modes for IKEv2", () => {
    const r = parseCryptoProfileForm(form({ ...VALID, ikeVersion: "2", "esp.pfsGroup": "none", "esp.compression": "deflate" }));
    expect(r.ok && r.profile).toMatchObject({ ikeVersion: 2, exchangeModes: [], esp: { pfsGroup: null, compression: "deflate" } });
  });

  it("refuses a name outside the allow-list, next to the name field", () => {
    const r = parseCryptoProfileForm(form({ ...VALID, name: "x; rm -rf /" }));
    expect(r).toEqual({ ok: false, fieldErrors: { name: "letters, digits, spaces and ()._- only" } });
  });

  it("refuses algorithm names that are not in the allow-lists (a forged form)", () => {
    const r = parseCryptoProfileForm(
      form({ ...VALID, "ike.encryption": "aes256;\ninclude /etc/shadow", "esp.integrity": ["sha256", "crc32"], "ike.dhGroup": "3" }),
    );
    expect(r.ok).toBe(false);
    expect(Object.keys(!r.ok ? r.fieldErrors : {}).sort()).toEqual(["esp.integrity.1", "ike.dhGroup", "ike.encryption"]);
  });

  it("says what is missing in plain words", () => {
    const r = parseCryptoProfileForm(
      form({ ...VALID, name: "", "esp.encryption": [], ikeLifetimeSeconds: "60", childLifetimeSeconds: "" }),
    );
    expect(r).toEqual({
      ok: false,
      fieldErrors: {
        name: "Give the profile a name of up to 64 letters, digits, spaces and ()._-",
        "esp.encryption": "Pick at least one ESP cipher",
        ikeLifetimeSeconds: "Whole seconds from 300 (5 minutes) to 86400 (1 day)",
        childLifetimeSeconds: "Whole seconds from 300 (5 minutes) to 86400 (1 day)",
      },
    });
    // The schema's cross-field rules speak for themselves once the fields are well-formed.
    expect(parseCryptoProfileForm(form({ ...VALID, exchangeModes: [] }))).toEqual({
      ok: false,
      fieldErrors: { exchangeModes: "IKEv1 needs at least one exchange mode" },
    });
  });
});

describe("lifetimes are whole seconds written in decimal digits", () => {
  // Number() reads "1e3" as 1000 and "0x12C" as 300: a value the admin did not write
  // would reach the routers' configs.
  it.each(["1e3", "0x12C", "3.6e3", "0b100101100", "0o454", "Infinity", "300.0", "+300", "-300", "3 600"])("refuses %j", (value) => {
    for (const field of ["ikeLifetimeSeconds", "childLifetimeSeconds"] as const) {
      const r = parseCryptoProfileForm(form({ ...VALID, [field]: value }));
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.fieldErrors[field]).toMatch(/Whole seconds from 300/);
    }
  });

  it("accepts plain digits, with spaces around them", () => {
    const r = parseCryptoProfileForm(form({ ...VALID, ikeLifetimeSeconds: " 28800 ", childLifetimeSeconds: "300" }));
    expect(r).toMatchObject({ ok: true, profile: { ikeLifetimeSeconds: 28_800, childLifetimeSeconds: 300 } });
  });
});
