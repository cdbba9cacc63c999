// The tunnel's configuration as each router will get it: the files Gatewarden pushes,
// what `ifup ipsecN` generates from them, the commands that apply them, and the lint of
// the tunnel's crypto profile. PSKs arrive here already masked (lib/rendering/previews).
import Link from "next/link";
import { Card, PlatformBadge } from "@/components/ui";
import { ConfigFiles, RenderRefusal } from "@/components/config-files";
import { LintFindings } from "@/components/lint-findings";
import type { EndPreview, ProfileLint } from "@/lib/rendering/previews";

function EndConfiguration({ end }: { end: EndPreview }) {
  return (
    <Card title={`Configuration of end ${end.role.toUpperCase()}: ${end.gatewayName}`}>
      <section data-testid={`config-end-${end.role}`} data-platform={end.platform} className="space-y-4">
        <p className="flex flex-wrap items-center gap-2 text-sm text-slate-600">
          <PlatformBadge platform={end.platform} /> interface <span className="font-mono">{end.interfaceName}</span> ·{" "}
          <Link href={`/gateways/${end.gatewayId}`} className="text-blue-800 hover:underline">
            whole gateway and bundle
          </Link>
        </p>
        {end.error ? (
          <RenderRefusal message={end.error} />
        ) : (
          <>
            <div>
              <h3 className="mb-2 text-sm font-semibold">Files Gatewarden writes</h3>
              <ConfigFiles files={end.files} testId={`files-${end.role}`} />
            </div>
            {end.generated.length > 0 ? (
              <div>
                <h3 className="mb-2 text-sm font-semibold">
                  What <span className="font-mono">ifup {end.interfaceName}</span> will generate
                </h3>
                <ConfigFiles files={end.generated} testId={`generated-${end.role}`} />
              </div>
            ) : null}
            <div>
              <h3 className="mb-2 text-sm font-semibold">Commands that apply it</h3>
              <pre className="overflow-x-auto rounded-md bg-slate-900 px-3 py-2 font-mono text-xs text-slate-100">
                {end.applyCommands.map((c) => `${c.argv.join(" ")}    # ${c.description}`).join("\n")}
              </pre>
            </div>
          </>
        )}
      </section>
    </Card>
  );
}

export function TunnelConfiguration({ profile, ends }: { profile: ProfileLint; ends: EndPreview[] }) {
  return (
    <div className="mt-6 space-y-6">
      <h2 className="text-xl font-semibold tracking-tight">Configuration</h2>
      <Card title={`Crypto profile “${profile.name}”: lint`}>
        <LintFindings findings={profile.findings} />
      </Card>
      <div className="grid grid-cols-1 gap-6 xl:grid-cols-2">
        {ends.map((end) => (
          <EndConfiguration key={end.role} end={end} />
        ))}
      </div>
    </div>
  );
}
