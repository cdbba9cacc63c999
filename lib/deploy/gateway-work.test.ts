import { describe, expect, it } from "vitest";
import type { RenderedFile, TunnelEnd } from "@/lib/platforms/contract";
import type { RenderableEnd } from "@/lib/rendering/tunnel-ends";
import type { RouterIO } from "./router-io";
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
  previous: null,
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

describe("GatewayWork renaming a tunnel (the router holds it under its old name)", () => {
  const TOKEN = "0123456789abcdef0123456789abcdef";
  const renamed = (): RenderableEnd => ({
    ...end("t1"),
    end: { tunnelId: "t1", connectionName: "gw-hq--b1-0a1b2c3d" } as TunnelEnd,
    previous: { tunnelId: "t1", connectionName: "gw-t1" } as TunnelEnd,
  });
  function work(onRouter: Record<string, string | null>) {
    const own = new Map([["t1", [file("/etc/ipsec.d/gw-hq--b1-0a1b2c3d.conf", "new")]]]);
    const w = new GatewayWork("g1", "gw", [renamed()], own, []);
    w.retiredFiles = new Map([["t1", [file("/etc/ipsec.d/gw-t1.conf", "")]]]);
    for (const [path, content] of Object.entries(onRouter)) w.current.set(path, content);
    w.replan();
    return w;
  }
  /** A router that records what is done to it (the commands and files; no real router in a unit test). */
  function recordingRouter() {
    const done: string[] = [];
    const io: RouterIO = {
      exec: async (argv) => (done.push(`$ ${argv.join(" ")}`), { exitCode: 0, stdout: "", stderr: "" }),
      readFile: async () => null,
      uploadFile: async (f) => void done.push(`upload ${f.path}`),
      removeFile: async (path) => void done.push(`rm ${path}`),
      ensureDir: async () => undefined,
      isAlive: true,
      close: () => undefined,
    };
    return { io, done };
  }
  const onRouter = { "/etc/ipsec.d/gw-hq--b1-0a1b2c3d.conf": null, "/etc/ipsec.d/gw-t1.conf": "old" };

  it("writes the new file, removes the old one, and counts the tunnel as changed", () => {
    const w = work(onRouter);
    expect(w.plan!.changes.map((c) => [c.path, c.after])).toEqual([
      ["/etc/ipsec.d/gw-hq--b1-0a1b2c3d.conf", "new"],
      ["/etc/ipsec.d/gw-t1.conf", null],
    ]);
    expect(w.unchangedFor("t1")).toBe(false);
    expect(w.hadTunnelBefore("t1")).toBe(true);
  });

  it("uploads and removes, then stops and unloads the old name before loading the new one", async () => {
    const w = work(onRouter);
    const { io, done } = recordingRouter();
    w.io = io;
    await w.upload();
    await w.applyEnd(renamed(), async () => undefined, new Set(), false);
    expect(done).toEqual([
      "upload /etc/ipsec.d/gw-hq--b1-0a1b2c3d.conf",
      "rm /etc/ipsec.d/gw-t1.conf",
      "$ ipsec auto --delete gw-t1",
      "$ ipsec auto --add gw-hq--b1-0a1b2c3d",
      "$ ipsec auto --rereadsecrets",
      "$ ipsec auto --asynchronous --up gw-hq--b1-0a1b2c3d",
    ]);
  });

  it("rolls back to the old name: the new one unloaded, the old file back, the new one gone, the old name loaded", async () => {
    const w = work(onRouter);
    const { io, done } = recordingRouter();
    w.io = io;
    await w.upload();
    await w.applyEnd(renamed(), async () => undefined, new Set(), false);
    done.length = 0;
    await w.rollBack(
      new Set(["t1"]),
      [],
      async () => undefined,
      () => false,
    );
    expect(done).toEqual([
      "$ ipsec auto --delete gw-hq--b1-0a1b2c3d",
      "rm /etc/ipsec.d/gw-hq--b1-0a1b2c3d.conf",
      "upload /etc/ipsec.d/gw-t1.conf",
      "$ ipsec auto --add gw-t1",
      "$ ipsec auto --rereadsecrets",
      "$ ipsec auto --asynchronous --up gw-t1",
    ]);
    // The proof that the old tunnel is back then looks for it under its old name.
    w.backToOldNames(new Set(["t1"]));
    expect(w.ends.map((e) => [e.end.connectionName, e.previous])).toEqual([["gw-t1", null]]);
  });

  it("commit-confirm: the timer stops the new name, puts the old file back, removes the new one and re-applies the old name", () => {
    const { plan } = work(onRouter).restorePlan("job1", TOKEN, 60);
    expect(plan.stop.map((c) => c.argv.join(" "))).toEqual(["ipsec auto --delete gw-hq--b1-0a1b2c3d"]);
    expect(plan.files).toEqual([
      { path: "/etc/ipsec.d/gw-hq--b1-0a1b2c3d.conf", mode: 0o644, backup: null },
      { path: "/etc/ipsec.d/gw-t1.conf", mode: 0o644, backup: "/var/lib/gatewarden/backups/job1/etc/ipsec.d/gw-t1.conf" },
    ]);
    expect(plan.reapply.map((c) => c.argv.join(" "))).toEqual([
      "ipsec auto --add gw-t1",
      "ipsec auto --rereadsecrets",
      "ipsec auto --asynchronous --up gw-t1",
    ]);
  });

  it("never deployed under the old name (the migration names every end): a new tunnel, nothing stopped under the old name", async () => {
    const w = work({ "/etc/ipsec.d/gw-hq--b1-0a1b2c3d.conf": null, "/etc/ipsec.d/gw-t1.conf": null });
    expect(w.plan!.changes.map((c) => [c.path, c.after])).toEqual([["/etc/ipsec.d/gw-hq--b1-0a1b2c3d.conf", "new"]]);
    expect(w.hadTunnelBefore("t1")).toBe(false);
    const { io, done } = recordingRouter();
    w.io = io;
    await w.applyEnd(renamed(), async () => undefined, new Set(), false);
    expect(done.some((d) => d.includes("gw-t1"))).toBe(false);
  });

  it("no old files to retire (CentOS names its files ipsecN): nothing stopped under the old name", async () => {
    const own = new Map([["t1", [file("/etc/ipsec.d/gw-hq--b1-0a1b2c3d.conf", "new")]]]);
    const w = new GatewayWork("g1", "gw", [renamed()], own, []);
    w.current.set("/etc/ipsec.d/gw-hq--b1-0a1b2c3d.conf", "old");
    w.replan();
    const { io, done } = recordingRouter();
    w.io = io;
    await w.applyEnd(renamed(), async () => undefined, new Set(), false);
    expect(done.some((d) => d.includes("gw-t1"))).toBe(false);
  });
});
