// /api/v1/gateways/{id}/host-key/accept: see lib/api/v1.ts.
import { handler } from "@/lib/api/route";
import { apiRoute } from "@/lib/api/v1";

export const dynamic = "force-dynamic";
export const POST = handler(apiRoute("POST", "/gateways/{id}/host-key/accept"));
