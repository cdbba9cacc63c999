// Tunnel health for live views, bounded whatever the fleet's size: a stamp (the newest
// sample's time) that moves after each health round, the count of tunnels per state,
// and `?tunnel=<id>` that tunnel's state, reason and since-when.
import { NextResponse } from "next/server";
import { getPollingUser } from "@/lib/auth/session";
import { countTunnelsByHealth, getLatestSampleTime, getTunnelState } from "@/lib/db/health";

export async function GET(request: Request) {
  if (!(await getPollingUser())) return NextResponse.json({ error: "Please sign in." }, { status: 401 });
  const tunnelId = new URL(request.url).searchParams.get("tunnel") ?? undefined;
  const [stamp, counts, tunnel] = await Promise.all([getLatestSampleTime(tunnelId), countTunnelsByHealth(), tunnelId ? getTunnelState(tunnelId) : null]);
  return NextResponse.json(
    {
      stamp: stamp?.toISOString() ?? null,
      counts,
      tunnel: tunnel
        ? { id: tunnel.id, name: tunnel.ends.map((e) => e.gateway.site.name).join(" ↔ "), state: tunnel.healthState, reason: tunnel.healthReason, since: tunnel.healthAt }
        : null,
    },
    { headers: { "cache-control": "no-store" } },
  );
}
