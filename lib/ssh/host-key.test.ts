import { describe, expect, it } from "vitest";
import ssh2 from "ssh2";
import {
  fingerprintOf,
  fingerprintOfPublicKeyLine,
  hostKeyFileFor,
  isFingerprint,
  keyTypeOf,
  normalizeFingerprint,
  parseSshKeygenFingerprints,
} from "./host-key";

// Generated with `ssh-keygen -t ed25519 -C fixture@gatewarden` / `-t rsa -b 1024 -C rsa-fixture`;
// the expected lines are what `ssh-keygen -lf` printed for them.
const ED25519 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIF5/91Dy9GYz6z5Q3IhyPY+Hy4UjzK4K0zX16o+SPLao fixture@gatewarden";
const ED25519_LF = "256 SHA256:njAlFirfN6w5kbCjSG7IcnwOs2hQIlfkBrkyxV4Pzw8 fixture@gatewarden (ED25519)\n";
const RSA =
  "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQC190RDno3K9RqUv65dec7bYLCy6FfQ2NruVHard3qKaiH/vujD5fQR9jA+4CTxTj4IZm0YUUYvbKlKXYU8k2beo48wu7s/zmuB4R8/5UTeJ7EDiprtPCWsXhLpspppmC1dkihA2lztCJIaY9OBakPYV15CD6BrwgXlYsV+vmOICw== rsa-fixture";
const RSA_LF = "1024 SHA256:C9sPZd6q/2FeqNoLGP6p4+YIulYSav3gFNq1VfMSbPM rsa-fixture (RSA)";

describe("fingerprintOf", () => {
  it("matches ssh-keygen -lf for known keys", () => {
    const [ed] = parseSshKeygenFingerprints(ED25519_LF);
    const [rsa] = parseSshKeygenFingerprints(RSA_LF);
    expect(fingerprintOfPublicKeyLine(ED25519)).toBe(ed!.fingerprint);
    expect(fingerprintOfPublicKeyLine(RSA)).toBe(rsa!.fingerprint);
  });

  it("hashes the raw key blob ssh2 hands to hostVerifier", () => {
    const parsed = ssh2.utils.parseKey(ED25519);
    if (parsed instanceof Error || Array.isArray(parsed)) throw new Error("fixture key did not parse");
    const fp = fingerprintOf(parsed.getPublicSSH());
    expect(fp).toBe("SHA256:njAlFirfN6w5kbCjSG7IcnwOs2hQIlfkBrkyxV4Pzw8");
    expect(isFingerprint(fp)).toBe(true);
    expect(fp).not.toMatch(/=$/);
  });

  it("names the key type and where OpenSSH keeps that host key", () => {
    const blob = (line: string) => Buffer.from(line.split(" ")[1]!, "base64");
    expect(keyTypeOf(blob(ED25519))).toBe("ssh-ed25519");
    expect(keyTypeOf(blob(RSA))).toBe("ssh-rsa");
    expect(keyTypeOf(Buffer.from([0, 0]))).toBe("unknown");
    expect(hostKeyFileFor("ssh-ed25519")).toBe("/etc/ssh/ssh_host_ed25519_key.pub");
    expect(hostKeyFileFor("ecdsa-sha2-nistp256")).toBe("/etc/ssh/ssh_host_ecdsa_key.pub");
  });

  it("normalizes pins that carry padding or spaces", () => {
    expect(normalizeFingerprint("  SHA256:njAlFirfN6w5kbCjSG7IcnwOs2hQIlfkBrkyxV4Pzw8=\n")).toBe(
      "SHA256:njAlFirfN6w5kbCjSG7IcnwOs2hQIlfkBrkyxV4Pzw8",
    );
  });
});

describe("parseSshKeygenFingerprints", () => {
  it("reads bits, fingerprint, comment and type of each line", () => {
    expect(parseSshKeygenFingerprints(ED25519_LF + RSA_LF + "\n")).toEqual([
      { bits: 256, fingerprint: "SHA256:njAlFirfN6w5kbCjSG7IcnwOs2hQIlfkBrkyxV4Pzw8", comment: "fixture@gatewarden", type: "ED25519" },
      { bits: 1024, fingerprint: "SHA256:C9sPZd6q/2FeqNoLGP6p4+YIulYSav3gFNq1VfMSbPM", comment: "rsa-fixture", type: "RSA" },
    ]);
  });

  it("handles keys without a comment and ignores noise", () => {
    expect(parseSshKeygenFingerprints("256 SHA256:abc no comment (ECDSA)\nnot a key\n")[0]?.type).toBe("ECDSA");
    expect(parseSshKeygenFingerprints("garbage")).toEqual([]);
  });
});
