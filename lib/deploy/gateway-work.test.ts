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
