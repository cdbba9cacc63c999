// POST /api/gateways/:id/bundle — the gateway's configuration as a .tar.gz with the real
// PSKs. Admin only (canRevealPsk) and audited as bundle.download in lib/rendering.
// A POST from the gateway page's form, never a GET: a link or image on another site
// could make a signed-in admin's browser fetch a GET (and the audit would blame the
// admin); a cross-site POST carries no session cookie (SameSite=Lax), is refused by
// the proxy for its Origin, and here once more for its Sec-Fetch-Site.
import { canRevealPsk } from "@/lib/auth/permissions";
import { requirePermission } from "@/lib/auth/session";
import { AppError } from "@/lib/errors";
import { idParam } from "@/lib/http/query";
import { downloadGatewayBundle } from "@/lib/rendering/gateway-bundle";

export const dynamic = "force-dynamic";

const STATUS: Record<string, number> = { unauthenticated: 401, forbidden: 403, not_found: 404, unrenderable: 409 };

function message(status: number, text: string, headers: Record<string, string> = {}): Response {
  return new Response(`${text}\n`, {
    status,
    headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store", ...headers },
  });
}

export async function GET(): Promise<Response> {
  return message(405, "Download the bundle with the button on the gateway's page (a POST from Gatewarden itself).", { allow: "POST" });
}

export async function POST(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  const site = request.headers.get("sec-fetch-site");
  if (site && site !== "same-origin") return message(403, "Refused: the bundle is downloaded from Gatewarden's own gateway page.");
  try {
    const user = await requirePermission(canRevealPsk, "download configuration bundles: they contain the pre-shared keys");
    const id = idParam.safeParse((await params).id);
    if (!id.success) return message(404, "This gateway does not exist.");
    const { fileName, body } = await downloadGatewayBundle({ id: user.id, username: user.username }, id.data);
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
