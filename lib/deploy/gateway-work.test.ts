import { describe, expect, it } from "vitest";
import type { RenderedFile, TunnelEnd } from "@/lib/platforms/contract";
import type { RenderableEnd } from "@/lib/rendering/tunnel-ends";
import { GatewayWork } from "./gateway-work";

const file = (path: string, content: string, scope: RenderedFile["scope"] = "tunnel"): RenderedFile => ({
  path,
  content,
  mode: 0o644,
  secret: false,
  scope,
});
const end = (tunnelId: string): RenderableEnd => ({
  role: "a",
  gatewayId: "g1",
  gatewayName: "gw",
  platform: "libreswan",
  end: { tunnelId } as TunnelEnd,
});

/** A router holding t1 and t2 as rendered, plus a shared file; `onRouter` overrides what the router has. */
function work(onRouter: Record<string, string | null> = {}) {
  const own = new Map([
    ["t1", [file("/etc/ipsec.d/t1.conf", "t1"), file("/etc/ipsec.d/t1.secrets", "k1")]],
    ["t2", [file("/etc/ipsec.d/t2.conf", "t2")]],
  ]);
  const shared = [file("/etc/shared.conf", "s", "gateway")];
  const w = new GatewayWork("g1", "gw", [end("t1"), end("t2")], own, shared);
  for (const f of [...own.values()].flat().concat(shared)) w.current.set(f.path, f.path in onRouter ? onRouter[f.path]! : f.content);
  w.replan();
  return w;
}

describe("GatewayWork.unchangedFor", () => {
  it("a tunnel whose files the router already has is unchanged", () => {
    expect(work().unchangedFor("t1")).toBe(true);
  });
  it("a changed or missing own file changes only that tunnel", () => {
    const w = work({ "/etc/ipsec.d/t1.secrets": "old key" });
    expect(w.unchangedFor("t1")).toBe(false);
    expect(w.unchangedFor("t2")).toBe(true);
    expect(work({ "/etc/ipsec.d/t2.conf": null }).unchangedFor("t2")).toBe(false);
  });
  it("a changed shared file changes every tunnel of the router", () => {
    const w = work({ "/etc/shared.conf": "other" });
    expect([w.unchangedFor("t1"), w.unchangedFor("t2")]).toEqual([false, false]);
  });
});

describe("GatewayWork.restorePlan (what the router's commit-confirm timer puts back)", () => {
  const TOKEN = "0123456789abcdef0123456789abcdef";
  function withSecret(onRouter: Record<string, string | null>) {
    const own = new Map([
      ["t1", [file("/etc/ipsec.d/t1.conf", "t1"), { ...file("/etc/ipsec.d/t1.secrets", "new key"), mode: 0o600, secret: true }]],
      ["t2", [file("/etc/ipsec.d/t2.conf", "t2")]],
    ]);
    const shared = [file("/etc/shared.conf", "s", "gateway")];
    const w = new GatewayWork("g1", "gw", [end("t1"), end("t2")], own, shared);
    for (const f of [...own.values()].flat().concat(shared)) w.current.set(f.path, f.path in onRouter ? onRouter[f.path]! : f.content);
    w.replan();
    return w;
  }

  it("a changed tunnel: its files from the backup, its old key from a copy kept for the window; the untouched tunnel is left alone", () => {
    const w = withSecret({ "/etc/ipsec.d/t1.conf": "old t1", "/etc/ipsec.d/t1.secrets": "old key" });
    const { plan, secrets } = w.restorePlan("job1", TOKEN, 60);
    expect(plan.tunnelIds).toEqual(["t1"]);
    expect(plan.files).toEqual([
      { path: "/etc/ipsec.d/t1.conf", mode: 0o644, backup: "/var/lib/gatewarden/backups/job1/etc/ipsec.d/t1.conf" },
      { path: "/etc/ipsec.d/t1.secrets", mode: 0o600, backup: "/var/lib/gatewarden/confirm/job1/keep/etc/ipsec.d/t1.secrets" },
    ]);
    expect(secrets).toEqual([{ path: "/var/lib/gatewarden/confirm/job1/keep/etc/ipsec.d/t1.secrets", content: "old key" }]);
    expect(plan.stop.length).toBeGreaterThan(0);
    expect(plan.reapply.length).toBeGreaterThan(0);
  });

  it("a new tunnel: its files are removed and the router forgets it; a changed shared file concerns every tunnel", () => {
    const w = withSecret({ "/etc/ipsec.d/t2.conf": null, "/etc/shared.conf": "old shared" });
    const { plan, secrets } = w.restorePlan("job1", TOKEN, 60);
    expect(plan.tunnelIds).toEqual(["t1", "t2"]);
    expect(plan.files).toContainEqual({ path: "/etc/ipsec.d/t2.conf", mode: 0o644, backup: null });
    expect(plan.files).toContainEqual({
      path: "/etc/shared.conf",
      mode: 0o644,
      backup: "/var/lib/gatewarden/backups/job1/etc/shared.conf",
    });
    expect(secrets).toEqual([]);
    expect(plan.reapply.map((c) => c.argv)).toEqual(expect.arrayContaining(w.platform.reloadCommands().map((c) => c.argv)));
  });
});
