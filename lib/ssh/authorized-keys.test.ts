import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  addAuthorizedKey,
  authorizedKeysCommand,
  fingerprintOfBlob,
  hasAuthorizedKey,
  keyBlobOfLine,
  parsePublicKeyLine,
  removeAuthorizedKey,
} from "./authorized-keys";
import { generateEd25519KeyPair, publicKeyOf } from "./keys";

const a = generateEd25519KeyPair({ comment: "gatewarden:fleet" });
const b = generateEd25519KeyPair({ comment: "gatewarden:fleet" });
const blobOf = (line: string) => line.split(" ").slice(0, 2).join(" ");

const someoneElse = generateEd25519KeyPair({ comment: "alice@laptop" }).publicKey;
const file = ["# keys of the network team", `from="10.0.0.0/8,192.168.1.1",no-pty ${someoneElse}`, "", `${a.publicKey}`, ""].join("\n");

describe("keyBlobOfLine", () => {
  it("finds the key after options holding quoted commas, and ignores comments and blanks", () => {
    expect(keyBlobOfLine(`from="10.0.0.0/8,192.168.1.1",no-pty ${someoneElse}`)).toBe(blobOf(someoneElse));
    expect(keyBlobOfLine(`command="echo hi there" ${a.publicKey}`)).toBe(blobOf(a.publicKey));
    expect(keyBlobOfLine("# ssh-ed25519 AAAA")).toBeNull();
    expect(keyBlobOfLine("   ")).toBeNull();
    expect(keyBlobOfLine("garbage line")).toBeNull();
  });
});

describe("addAuthorizedKey / removeAuthorizedKey", () => {
  it("appends a new key once and keeps every other line byte for byte", () => {
    const added = addAuthorizedKey(file, b.publicKey);
    expect(added.changed).toBe(true);
    expect(added.text).toBe(file + b.publicKey + "\n");
    expect(addAuthorizedKey(added.text, b.publicKey)).toEqual({ text: added.text, changed: false });
  });

  it("recognises a key already present under other options or another comment", () => {
    const withOptions = `no-agent-forwarding ${blobOf(b.publicKey)} someone-else\n`;
    expect(addAuthorizedKey(withOptions, b.publicKey).changed).toBe(false);
  });

  it("adds a newline before the key when the file does not end in one", () => {
    expect(addAuthorizedKey(someoneElse, b.publicKey).text).toBe(`${someoneElse}\n${b.publicKey}\n`);
    expect(addAuthorizedKey("", b.publicKey).text).toBe(`${b.publicKey}\n`);
  });

  it("removes only the lines of that key", () => {
    const both = addAuthorizedKey(file, b.publicKey).text;
    const r = removeAuthorizedKey(both, blobOf(a.publicKey));
    expect(r.removed).toBe(1);
    expect(hasAuthorizedKey(r.text, blobOf(a.publicKey))).toBe(false);
    expect(hasAuthorizedKey(r.text, blobOf(b.publicKey))).toBe(true);
    expect(hasAuthorizedKey(r.text, blobOf(someoneElse))).toBe(true);
    expect(r.text).toContain("# keys of the network team");
    expect(removeAuthorizedKey(r.text, blobOf(a.publicKey))).toEqual({ text: r.text, removed: 0 });
  });

  it("add then remove gives back the original file", () => {
    const added = addAuthorizedKey(file, b.publicKey).text;
    expect(removeAuthorizedKey(added, blobOf(b.publicKey)).text).toBe(file);
  });
});

describe("parsePublicKeyLine (what may reach a router)", () => {
  it("accepts a generated line and gives the fingerprint ssh-keygen prints", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "hc-ak-"));
    writeFileSync(path.join(dir, "k.pub"), a.publicKey + "\n");
    const keygen = execFileSync("ssh-keygen", ["-l", "-f", path.join(dir, "k.pub")], { encoding: "utf8" });
    const parsed = parsePublicKeyLine(a.publicKey);
    expect(keygen).toContain(parsed.fingerprint);
    expect(parsed.fingerprint).toBe(fingerprintOfBlob(parsed.blob));
    expect(readFileSync(path.join(dir, "k.pub"), "utf8").trim()).toBe(parsed.line);
  });

  it("refuses a second line, options, shell characters in the comment and a broken key", () => {
    expect(() => parsePublicKeyLine(`${a.publicKey}\n${b.publicKey}`)).toThrow(/one line/);
    expect(() => parsePublicKeyLine(`command="sh" ${a.publicKey}`)).toThrow(/not a public key line/);
    expect(() => parsePublicKeyLine(`${blobOf(a.publicKey)} x';reboot;'`)).toThrow(/comment/);
    expect(() => parsePublicKeyLine(`${blobOf(a.publicKey)} two words`)).toThrow(/comment/);
    expect(() => parsePublicKeyLine("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIQ==")).toThrow(/usable/);
    expect(() => addAuthorizedKey(file, "ssh-ed25519 AAAA; rm -rf /")).toThrow();
  });

  it("the router command appends the line with safe modes and no quote inside", () => {
    expect(authorizedKeysCommand(a.publicKey)).toBe(`umask 077; mkdir -p ~/.ssh && echo '${a.publicKey}' >> ~/.ssh/authorized_keys`);
    expect(authorizedKeysCommand(a.publicKey, "/etc/ssh/authorized_keys")).toBe(
      `umask 077; mkdir -p /etc/ssh && echo '${a.publicKey}' >> /etc/ssh/authorized_keys`,
    );
    expect(() => authorizedKeysCommand(a.publicKey, "/tmp/x; reboot")).toThrow(/plain/);
  });

  it("the router command, run by a real shell, writes exactly the line with mode 0600", () => {
    const home = mkdtempSync(path.join(tmpdir(), "hc-home-"));
    execFileSync("sh", ["-c", authorizedKeysCommand(a.publicKey)], { env: { ...process.env, HOME: home } });
    execFileSync("sh", ["-c", authorizedKeysCommand(b.publicKey)], { env: { ...process.env, HOME: home } });
    const file = path.join(home, ".ssh/authorized_keys");
    expect(readFileSync(file, "utf8")).toBe(`${a.publicKey}\n${b.publicKey}\n`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(path.join(home, ".ssh")).mode & 0o777).toBe(0o700);
  });
});

describe("publicKeyOf", () => {
  it("derives the public line and fingerprint of a private key", () => {
    const derived = publicKeyOf(a.privateKey, "gatewarden:fleet");
    expect(derived.publicKey).toBe(a.publicKey);
    expect(derived.type).toBe("ssh-ed25519");
    expect(derived.fingerprint).toBe(parsePublicKeyLine(a.publicKey).fingerprint);
  });
});
