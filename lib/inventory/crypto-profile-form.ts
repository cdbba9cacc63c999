// The "new crypto profile" form: FormData (selects and checkboxes built from the
// allow-lists) → a CryptoProfile checked by cryptoProfileSchema, or field errors keyed
// by the form field names (which are the schema's dotted paths). Pure.
import type { z } from "zod";
import type { CryptoProfile } from "@/lib/platforms/contract";
import { cryptoProfileSchema } from "@/lib/platforms/crypto-profiles";

// Field names of the form, one per schema path.
export const PROFILE_FIELDS = {
  name: "name",
  ikeVersion: "ikeVersion",
  exchangeModes: "exchangeModes",
  ikeEncryption: "ike.encryption",
  ikeIntegrity: "ike.integrity",
  ikeDhGroup: "ike.dhGroup",
  espEncryption: "esp.encryption",
  espIntegrity: "esp.integrity",
  espPfsGroup: "esp.pfsGroup",
  espCompression: "esp.compression",
  ikeLifetime: "ikeLifetimeSeconds",
  childLifetime: "childLifetimeSeconds",
} as const;

export const NO_PFS = "none";

const LIFETIME_MESSAGE = "Whole seconds from 300 (5 minutes) to 86400 (1 day)";
// Plainer words than zod's defaults for a missing, out-of-range or non-numeric value;
// pattern and refinement failures keep the schema's own message.
const PLAIN_CODES = new Set(["too_small", "too_big", "invalid_type"]);
const FRIENDLY: Record<string, string> = {
  name: "Give the profile a name of up to 64 letters, digits, spaces and ()._-",
  [PROFILE_FIELDS.ikeLifetime]: LIFETIME_MESSAGE,
  [PROFILE_FIELDS.childLifetime]: LIFETIME_MESSAGE,
  [PROFILE_FIELDS.espEncryption]: "Pick at least one ESP cipher",
  [PROFILE_FIELDS.espIntegrity]: "Pick at least one ESP integrity algorithm",
};

/**
 * A number field; "" and absent become undefined so zod reports them as missing. Only
 * decimal digits count as a number: Number() would read "1e3" as 1000 and "0x12C" as
 * 300, values the admin never wrote; anything else stays text, which the schema refuses.
 */
function numberField(value: FormDataEntryValue | null): number | string | undefined {
  if (typeof value !== "string" || value.trim() === "") return undefined;
  return /^\s*[0-9]{1,9}\s*$/.test(value) ? Number(value) : value;
}

const text = (fd: FormData, key: string) => {
  const v = fd.get(key);
  return typeof v === "string" ? v : undefined;
};
const texts = (fd: FormData, key: string) => fd.getAll(key).filter((v): v is string => typeof v === "string");

/** The object cryptoProfileSchema checks, built from the form as submitted. */
export function cryptoProfileInput(fd: FormData): unknown {
  const ikeVersion = numberField(fd.get(PROFILE_FIELDS.ikeVersion));
  const pfs = text(fd, PROFILE_FIELDS.espPfsGroup);
  return {
    name: text(fd, PROFILE_FIELDS.name) ?? "",
    ikeVersion,
    // IKEv2 has no exchange modes; boxes left ticked from an IKEv1 choice do not count.
    exchangeModes: ikeVersion === 2 ? [] : texts(fd, PROFILE_FIELDS.exchangeModes),
    ike: {
      encryption: text(fd, PROFILE_FIELDS.ikeEncryption),
      integrity: text(fd, PROFILE_FIELDS.ikeIntegrity),
      dhGroup: numberField(fd.get(PROFILE_FIELDS.ikeDhGroup)),
    },
    esp: {
      encryption: texts(fd, PROFILE_FIELDS.espEncryption),
      integrity: texts(fd, PROFILE_FIELDS.espIntegrity),
      pfsGroup: pfs === NO_PFS ? null : numberField(pfs ?? null),
      compression: text(fd, PROFILE_FIELDS.espCompression) ?? null,
    },
    ikeLifetimeSeconds: numberField(fd.get(PROFILE_FIELDS.ikeLifetime)),
    childLifetimeSeconds: numberField(fd.get(PROFILE_FIELDS.childLifetime)),
  };
}

function fieldErrors(error: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = issue.path.map(String).join(".") || "form";
    out[key] ??= PLAIN_CODES.has(issue.code) && FRIENDLY[key] ? FRIENDLY[key] : issue.message;
  }
  return out;
}

export type ProfileFormResult = { ok: true; profile: CryptoProfile } | { ok: false; fieldErrors: Record<string, string> };

export function parseCryptoProfileForm(fd: FormData): ProfileFormResult {
  const parsed = cryptoProfileSchema.safeParse(cryptoProfileInput(fd));
  if (!parsed.success) return { ok: false, fieldErrors: fieldErrors(parsed.error) };
  return { ok: true, profile: parsed.data as CryptoProfile };
}
