// /api/v1/tunnels/{id}/deploy: see lib/api/v1.ts.
import { handler } from "@/lib/api/route";
import { apiRoute } from "@/lib/api/v1";

export const dynamic = "force-dynamic";
export const POST = handler(apiRoute("POST", "/tunnels/{id}/deploy"));
