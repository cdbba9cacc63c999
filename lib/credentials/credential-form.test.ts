import { describe, expect, it } from "vitest";
import { authorizedKeysPathSchema, createCredentialSchema, credentialComment, resolveAuthorizedKeysPath } from "./credential-form";

describe("authorizedKeysPathSchema", () => {
  it("defaults to OpenSSH's .ssh/authorized_keys and accepts absolute paths", () => {
    expect(authorizedKeysPathSchema.parse("")).toBe(".ssh/authorized_keys");
    expect(authorizedKeysPathSchema.parse(" /etc/ssh/authorized_keys ")).toBe("/etc/ssh/authorized_keys");
  });

  it("refuses ~, tokens, .., spaces and shell characters", () => {
    for (const bad of ["~/.ssh/authorized_keys", "/etc/ssh/%u", "../root/.ssh/x", "a//b", "a b", "x;rm", "/etc/ssh/"]) {
      expect(authorizedKeysPathSchema.safeParse(bad).success, bad).toBe(false);
    }
  });
});

describe("createCredentialSchema", () => {
  it("names every wrong field at once", () => {
    const r = createCredentialSchema.safeParse({ name: "", mode: "steal", authorizedKeysPath: "~/x" });
    expect(r.success).toBe(false);
    const fields = new Set(r.error!.issues.map((i) => i.path[0]));
    expect(fields).toEqual(new Set(["name", "mode", "authorizedKeysPath"]));
  });
});

describe("credentialComment / resolveAuthorizedKeysPath", () => {
  it("makes one safe word naming credential and version", () => {
    expect(credentialComment("Fleet admin (HQ)", 3)).toBe("gatewarden:Fleet-admin-HQ-:v3");
    expect(credentialComment("fleet-admin", 1)).toMatch(/^[A-Za-z0-9._:@-]+$/);
  });

  it("puts a relative path under the home directory and keeps an absolute one", () => {
    expect(resolveAuthorizedKeysPath("/root", ".ssh/authorized_keys")).toBe("/root/.ssh/authorized_keys");
    expect(resolveAuthorizedKeysPath("/home/ops", "/etc/ssh/keys/ops")).toBe("/etc/ssh/keys/ops");
    expect(() => resolveAuthorizedKeysPath("relative", "x")).toThrow();
  });
});
