// Rendered configuration files as a reviewer reads them: path, mode, who owns the file,
// and the (already masked) content. Server component; gets no secret to show.
import type { RenderedFile } from "@/lib/platforms/contract";
import { formatMode } from "@/lib/rendering/file-mode";

export function ConfigFiles({ files, testId }: { files: RenderedFile[]; testId?: string }) {
  if (files.length === 0) return <p className="text-sm text-slate-500">No files.</p>;
  return (
    <ul className="space-y-3" data-testid={testId}>
      {files.map((f) => (
        <li key={f.path} data-path={f.path} className="rounded-md border border-slate-200">
          <div className="flex flex-wrap items-center gap-2 border-b border-slate-200 bg-slate-50 px-3 py-1.5 text-xs">
            <span className="font-mono font-medium text-slate-900" data-testid="file-path">
              {f.path}
            </span>
            <span className="rounded bg-slate-200 px-1.5 py-0.5 font-mono text-slate-700" data-testid="file-mode">
              {formatMode(f.mode)}
            </span>
            {f.secret ? <span className="rounded bg-amber-100 px-1.5 py-0.5 text-amber-900">pre-shared key (masked)</span> : null}
            {f.scope === "gateway" ? (
              <span className="rounded bg-blue-50 px-1.5 py-0.5 text-blue-800">shared by all tunnels of the router</span>
            ) : null}
          </div>
          {f.note ? <p className="px-3 pt-1.5 text-xs text-slate-500">{f.note}</p> : null}
          <pre className="overflow-x-auto px-3 py-2 font-mono text-xs leading-relaxed text-slate-800">{f.content}</pre>
        </li>
      ))}
    </ul>
  );
}

export function RenderRefusal({ message }: { message: string }) {
  return (
    <div
      role="alert"
      className="rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900"
      data-testid="render-error"
    >
      <p className="font-semibold">This configuration cannot be rendered</p>
      <p className="mt-1">{message}</p>
    </div>
  );
}
