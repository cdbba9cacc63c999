// The example alert rules and Grafana dashboard in docs/metrics, checked by Debian's
// promtool (scripts/install-system-deps.sh): the rules load, their unit tests pass (grace
// periods, labels, annotations), every dashboard query is valid PromQL, and every
// gatewarden_* metric they name is one GET /metrics serves.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const docs = path.resolve(import.meta.dirname, "../../docs/metrics");
const rules = path.join(docs, "prometheus-alert-rules.yml");
const dashboard = JSON.parse(readFileSync(path.join(docs, "grafana-dashboard.json"), "utf8")) as {
  panels: { title: string; targets: { expr: string }[] }[];
  templating: { list: { name: string }[] };
};
const tmp = mkdtempSync(path.join(tmpdir(), "gatewarden-promtool-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function promtool(...args: string[]) {
  try {
    const r = await run("promtool", args, { cwd: docs });
    return { code: 0, out: r.stdout + r.stderr };
  } catch (e) {
    const err = e as { code?: number | string; stdout?: string; stderr?: string };
    if (err.code === "ENOENT") throw new Error("promtool is missing: run scripts/install-system-deps.sh (Debian's prometheus)");
    return { code: Number(err.code), out: `${err.stdout ?? ""}${err.stderr ?? ""}` };
  }
}

/** Names a text uses, histogram series reduced to the histogram's name. */
function metricNames(text: string): Set<string> {
  return new Set([...text.matchAll(/\bgatewarden_[a-z_]+/g)].map((m) => m[0].replace(/_(bucket|count|sum)$/, "")));
}

describe("docs/metrics", () => {
  it("the alert rules pass promtool check rules", async () => {
    const r = await promtool("check", "rules", rules);
    expect(r.out).toContain("SUCCESS: 10 rules found");
    expect(r.code).toBe(0);
  });

  it("the alert rules' unit tests pass: a one-round blip does not page, a lasting outage does, with the tunnel's names", async () => {
    const r = await promtool("test", "rules", "prometheus-alert-rules.test.yml");
    expect(r.out).toContain("SUCCESS");
    expect(r.code).toBe(0);
  });

  it("promtool refuses a broken rule file (the check can fail)", async () => {
    const broken = path.join(tmp, "broken.yml");
    writeFileSync(broken, "groups:\n  - name: x\n    rules:\n      - alert: X\n        expr: gatewarden_tunnel_state{state=\n");
    expect((await promtool("check", "rules", broken)).code).not.toBe(0);
  });

  it("every dashboard query is valid PromQL (as recording rules, Grafana's variables filled in)", async () => {
    const exprs = dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr));
    expect(exprs.length).toBeGreaterThan(10);
    const filled = exprs.map((e) => e.replaceAll("$__rate_interval", "2m").replaceAll("$__range", "1h").replaceAll("$tunnel", ".*"));
    const file = path.join(tmp, "dashboard-queries.yml");
    const body = filled.map((e, i) => `      - record: gatewarden:dashboard_query_${i}\n        expr: ${JSON.stringify(e)}`).join("\n");
    writeFileSync(file, `groups:\n  - name: dashboard\n    rules:\n${body}\n`);
    const r = await promtool("check", "rules", file);
    expect(r.out).toContain(`SUCCESS: ${exprs.length} rules found`);
    expect(dashboard.templating.list.map((v) => v.name)).toEqual(["tunnel"]);
  });

  it("names only metrics GET /metrics serves, and the dashboard shows each of them", async () => {
    const { metricNamesServed } = await import("@/lib/metrics/registry");
    const served = new Set(metricNamesServed().filter((n) => n.startsWith("gatewarden_")));
    const inRules = metricNames(readFileSync(rules, "utf8"));
    const inDashboard = metricNames(JSON.stringify(dashboard));
    for (const name of [...inRules, ...inDashboard]) expect(served, name).toContain(name);
    for (const name of served) expect(inDashboard, `${name} is not on the dashboard`).toContain(name);
  });
});
