// The gateway's whole configuration (every tunnel merged, PSKs masked), the lint of each
// profile its tunnels use, and the key-bearing bundle download for admins.
import { Card } from "@/components/ui";
import { ConfigFiles, RenderRefusal } from "@/components/config-files";
import { LintFindings } from "@/components/lint-findings";
import type { GatewayPreview } from "@/lib/rendering/previews";

export function GatewayConfiguration({
  gatewayId,
  preview,
  canDownload,
}: {
  gatewayId: string;
  preview: GatewayPreview;
  canDownload: boolean;
}) {
  return (
    <div className="mt-6 space-y-6">
      <Card title="Configuration bundle">
        {canDownload ? (
          <div className="flex flex-wrap items-center gap-3 text-sm">
            {/* A POST, never a link: see app/api/gateways/[id]/bundle/route.ts. */}
            <form method="post" action={`/api/gateways/${gatewayId}/bundle`}>
              <button
                type="submit"
                className="inline-flex items-center rounded-md bg-blue-700 px-4 py-2 font-semibold text-white shadow-sm hover:bg-blue-800"
              >
                Download bundle
              </button>
            </form>
            <span className="text-slate-600">
              A .tar.gz of the files below with the real pre-shared keys and INSTALL.txt. Each download is audited.
            </span>
          </div>
        ) : (
          <p className="text-sm text-slate-600">The bundle carries the real pre-shared keys, so only admins can download it.</p>
        )}
      </Card>
      <Card title="Files of this gateway">
        {preview.error ? <RenderRefusal message={preview.error} /> : <ConfigFiles files={preview.files} testId="gateway-files" />}
        {preview.applyCommands.length > 0 ? (
          <>
            <h3 className="mb-2 mt-4 text-sm font-semibold">Commands that apply them</h3>
            <pre className="overflow-x-auto rounded-md bg-slate-900 px-3 py-2 font-mono text-xs text-slate-100">
              {preview.applyCommands.map((c) => `${c.argv.join(" ")}    # ${c.description}`).join("\n")}
            </pre>
          </>
        ) : null}
      </Card>
      {preview.profiles.map((p) => (
        <Card key={p.name} title={`Crypto profile “${p.name}” (${p.interfaces.join(", ")}): lint`}>
          <LintFindings findings={p.findings} />
        </Card>
      ))}
    </div>
  );
}
