// Tunnel health for live views, bounded whatever the fleet's size: a stamp (the newest
// sample's time) that moves after each health round, the count of tunnels per state,
// and `?tunnel=<id>` that tunnel's state, reason and since-when.
import { NextResponse } from "next/server";
import { getPollingUser } from "@/lib/auth/session";
import { countTunnelsByHealth, getLatestSampleTime, getTunnelState } from "@/lib/db/health";
import { idParam, queryValue } from "@/lib/http/query";

export async function GET(request: Request) {
  if (!(await getPollingUser())) return NextResponse.json({ error: "Please sign in." }, { status: 401 });
  const tunnel = queryValue(new URL(request.url).searchParams, "tunnel", idParam, undefined);
  if (!tunnel.ok) return NextResponse.json({ error: `Bad request: ${tunnel.message}.` }, { status: 400 });
  const tunnelId = tunnel.value;
  const [stamp, counts, state] = await Promise.all([
    getLatestSampleTime(tunnelId),
    countTunnelsByHealth(),
    tunnelId ? getTunnelState(tunnelId) : null,
  ]);
  return NextResponse.json(
    {
      stamp: stamp?.toISOString() ?? null,
      counts,
      tunnel: state
        ? {
            id: state.id,
            name: state.ends.map((e) => e.gateway.site.name).join(" ↔ "),
            state: state.healthState,
            reason: state.healthReason,
            since: state.healthAt,
          }
        : null,
    },
    { headers: { "cache-control": "no-store" } },
  );
}
