import { describe, expect, it } from "vitest";
import { classifyConnectFailure, type ConnectContext } from "./connect-failure";
import { SshError } from "./errors";

const ctx = (over: Partial<ConnectContext> = {}): ConnectContext => ({
  target: { host: "198.18.0.1", port: 22 },
  username: "root",
  credential: "key",
  connectTimeoutMs: 5_000,
  hostKey: null,
  ready: false,
  ...over,
});
const err = (props: Record<string, unknown>) => Object.assign(new Error(String(props.message ?? "x")), props);
const OFFERED = "SHA256:njAlFirfN6w5kbCjSG7IcnwOs2hQIlfkBrkyxV4Pzw8";
const PINNED = "SHA256:C9sPZd6q/2FeqNoLGP6p4+YIulYSav3gFNq1VfMSbPM";

describe("classifyConnectFailure", () => {
  it.each([
    [{ code: "ECONNREFUSED" }, "unreachable", /connection refused/],
    [{ code: "EHOSTUNREACH" }, "unreachable", /no route/],
    [{ code: "ENETUNREACH" }, "unreachable", /network is unreachable/],
    [{ code: "ENOTFOUND", level: "client-dns" }, "unreachable", /does not resolve/],
    [{ code: "ETIMEDOUT" }, "timeout", /within 5 s/],
    [{ level: "client-timeout", message: "Timed out while waiting for handshake" }, "timeout", /handshake/],
    [{ level: "client-authentication" }, "auth-failed", /refused the SSH key for user "root"/],
    [{ code: "ECONNRESET" }, "connection-lost", /before the session was ready/],
    [{ level: "handshake", message: "no matching cipher" }, "connection-lost", /no matching cipher/],
  ])("%o → %s", (raw, code, text) => {
    const e = classifyConnectFailure(err(raw), ctx());
    expect(e).toBeInstanceOf(SshError);
    expect(e.code).toBe(code);
    expect(e.userMessage).toMatch(text);
    expect(e.userMessage).toContain("198.18.0.1 port 22");
  });

  it("a refused host key wins over the handshake error ssh2 reports after it", () => {
    const handshake = err({ level: "handshake", message: "Host denied (verification failed)" });
    const changed = classifyConnectFailure(handshake, ctx({ hostKey: { kind: "changed", offered: OFFERED, pinned: PINNED } }));
    expect(changed.code).toBe("host-key-changed");
    expect(changed.offeredFingerprint).toBe(OFFERED);
    expect(changed.pinnedFingerprint).toBe(PINNED);
    expect(changed.userMessage).toBe(
      `Refused before authenticating: the gateway at 198.18.0.1 port 22 offered ${OFFERED} but ${PINNED} is pinned. ` +
        "If the router was reinstalled, accept the new key on the gateway page; otherwise this may be an attack.",
    );
    const unknown = classifyConnectFailure(handshake, ctx({ hostKey: { kind: "unknown", offered: OFFERED, keyType: "ssh-ed25519" } }));
    expect(unknown.code).toBe("host-key-unknown");
    expect(unknown.offeredFingerprint).toBe(OFFERED);
    expect(unknown.userMessage).toMatch(/accept it on the gateway page/);
    expect(unknown.userMessage).toContain(`the ssh-ed25519 host key ${OFFERED}`);
    expect(unknown.userMessage).toContain("ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub");
  });

  it("any failure after ready is a lost connection", () => {
    expect(classifyConnectFailure(err({ code: "ECONNRESET" }), ctx({ ready: true })).code).toBe("connection-lost");
    const ka = classifyConnectFailure(err({ level: "client-timeout" }), ctx({ ready: true }));
    expect(ka.code).toBe("connection-lost");
    expect(ka.userMessage).toMatch(/keepalives/);
  });

  it("names the password, never its value", () => {
    const e = classifyConnectFailure(err({ level: "client-authentication" }), ctx({ credential: "password" }));
    expect(e.userMessage).toMatch(/refused the password for user "root"/);
  });

  it("passes an SshError through unchanged", () => {
    const e = classifyConnectFailure(err({ code: "ECONNREFUSED" }), ctx());
    expect(classifyConnectFailure(e, ctx({ ready: true }))).toBe(e);
  });
});
