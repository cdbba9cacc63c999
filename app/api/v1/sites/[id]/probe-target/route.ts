// /api/v1/sites/{id}/probe-target: see lib/api/v1.ts.
import { handler } from "@/lib/api/route";
import { apiRoute } from "@/lib/api/v1";

export const dynamic = "force-dynamic";
export const POST = handler(apiRoute("POST", "/sites/{id}/probe-target"));
