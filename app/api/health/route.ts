// Tunnel health for live views: every tunnel's state, reason and since-when, and a
// stamp (the newest sample's time) that moves after each health round.
import { NextResponse } from "next/server";
import { getCurrentUser } from "@/lib/auth/session";
import { getLatestSampleTime, listTunnelHealth } from "@/lib/db/health";

export async function GET(request: Request) {
  if (!(await getCurrentUser())) return NextResponse.json({ error: "Please sign in." }, { status: 401 });
  const tunnelId = new URL(request.url).searchParams.get("tunnel") ?? undefined;
  const [stamp, tunnels] = await Promise.all([getLatestSampleTime(tunnelId), listTunnelHealth()]);
  return NextResponse.json(
    {
      stamp: stamp?.toISOString() ?? null,
      tunnels: tunnels
        .filter((t) => !tunnelId || t.id === tunnelId)
        .map((t) => ({
          id: t.id,
          name: t.ends.map((e) => e.gateway.site.name).join(" ↔ "),
          state: t.healthState,
          reason: t.healthReason,
          since: t.healthAt,
        })),
    },
    { headers: { "cache-control": "no-store" } },
  );
}
