// Reads a bundle back (the inverse of buildBundle): for tests and for checking a
// downloaded archive, as `tar -tvzf` would list it.
import { Readable } from "node:stream";
import { gunzipSync } from "node:zlib";
import tar from "tar-stream";

export type BundleMember = { name: string; mode: number; uid: number; mtime: Date; content: string };

export async function readBundle(gz: Buffer): Promise<BundleMember[]> {
  const extract = tar.extract();
  Readable.from([gunzipSync(gz)]).pipe(extract);
  const out: BundleMember[] = [];
  for await (const entry of extract) {
    const chunks: Buffer[] = [];
    for await (const c of entry) chunks.push(c as Buffer);
    const h = entry.header;
    out.push({
      name: h.name,
      mode: h.mode ?? 0,
      uid: h.uid ?? 0,
      mtime: h.mtime ?? new Date(0),
      content: Buffer.concat(chunks).toString("utf8"),
    });
  }
  return out;
}
