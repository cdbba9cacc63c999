// /api/v1/ssh-credentials: see lib/api/v1.ts.
import { handler } from "@/lib/api/route";
import { apiRoute } from "@/lib/api/v1";

export const dynamic = "force-dynamic";
export const GET = handler(apiRoute("GET", "/ssh-credentials"));
