import { describe, expect, it } from "vitest";
import { contentSecurityPolicy, cspNonce } from "./security-headers";

describe("cspNonce", () => {
  it("reads back the nonce the policy was made with", () => {
    const nonce = Buffer.from("00000000-1111-2222-3333-444444444444").toString("base64");
    expect(cspNonce(contentSecurityPolicy(nonce, { dev: false, https: false }))).toBe(nonce);
  });

  it("is undefined without a policy", () => {
    expect(cspNonce(null)).toBeUndefined();
    expect(cspNonce("default-src 'none'")).toBeUndefined();
  });
});
