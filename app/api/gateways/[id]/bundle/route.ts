// GET /api/gateways/:id/bundle — the gateway's configuration as a .tar.gz with the real
// PSKs. Admin only (canRevealPsk) and audited as bundle.download in lib/rendering.
import { canRevealPsk } from "@/lib/auth/permissions";
import { requirePermission } from "@/lib/auth/session";
import { AppError } from "@/lib/errors";
import { downloadGatewayBundle } from "@/lib/rendering/gateway-bundle";

export const dynamic = "force-dynamic";

const STATUS: Record<string, number> = { unauthenticated: 401, forbidden: 403, not_found: 404, unrenderable: 409 };

function message(status: number, text: string): Response {
  return new Response(`${text}\n`, { status, headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" } });
}

export async function GET(_request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  try {
    const user = await requirePermission(canRevealPsk, "download configuration bundles: they contain the pre-shared keys");
    const { id } = await params;
    const { fileName, body } = await downloadGatewayBundle({ id: user.id, username: user.username }, id);
    return new Response(new Uint8Array(body), {
      headers: {
        "content-type": "application/gzip",
        "content-disposition": `attachment; filename="${fileName}"`,
        "content-length": String(body.length),
        // A key-bearing response must not linger in any cache.
        "cache-control": "no-store",
      },
    });
  } catch (e) {
    if (e instanceof AppError) return message(STATUS[e.code] ?? 400, e.userMessage);
    throw e;
  }
}
