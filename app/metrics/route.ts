// GET /metrics: the fleet for Prometheus (README, Metrics). Off unless GATEWARDEN_METRICS=1
// (a 404, as if there were no such page); then only for a bearer token with the metrics
// scope (lib/api/tokens.ts). The values come from lib/metrics (registry, fleet samples).
import { NextResponse } from "next/server";
import { authenticateBearer } from "@/lib/api/tokens";
import { getEnv } from "@/lib/config/env";
import { loadFleetForMetrics } from "@/lib/metrics/load-fleet";
import { renderMetrics } from "@/lib/metrics/registry";

export const dynamic = "force-dynamic";

const text = (body: string, status: number, headers: Record<string, string> = {}) =>
  new NextResponse(`${body}\n`, {
    status,
    headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store", ...headers },
  });

export async function GET(request: Request) {
  if (!getEnv().metricsEnabled) return text("Not found.", 404);
  const auth = await authenticateBearer(request.headers.get("authorization"), "metrics");
  if (!auth.ok) {
    const challenge = `Bearer realm="gatewarden", error="${auth.status === 401 ? "invalid_token" : "insufficient_scope"}"`;
    return text(auth.message, auth.status, auth.status === 401 ? { "www-authenticate": challenge } : {});
  }
  const { contentType, body } = await renderMetrics(loadFleetForMetrics);
  return new NextResponse(body, { status: 200, headers: { "content-type": contentType, "cache-control": "no-store" } });
}
