// Packs rendered files into a .tar.gz an admin copies to a router and extracts at /:
// paths lose their leading "/", modes are kept (0600 for key files), owner is root.
// Pure apart from streaming through tar-stream and zlib in memory.
import { gzipSync } from "node:zlib";
import tar from "tar-stream";

export type BundleEntry = { path: string; content: string; mode: number };

/** Archive member name: relative, so `tar -xzpf bundle -C /` puts each file in place. */
export function archivePath(path: string): string {
  const name = path.replace(/^\/+/, "");
  if (name === "" || name.split("/").some((part) => part === ".." || part === "." || part === "")) {
    throw new Error(`refusing to archive ${JSON.stringify(path)}: not a plain absolute or relative path`);
  }
  return name;
}

/** gatewarden-<gateway-name>-<UTC date>.tar.gz; the name is made safe for a Content-Disposition header. */
export function bundleFileName(gatewayName: string, at: Date): string {
  const safe =
    gatewayName
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, "-")
      .replace(/^-+|-+$/g, "") || "gateway";
  return `gatewarden-${safe}-${at.toISOString().slice(0, 10)}.tar.gz`;
}

export async function buildBundle(entries: BundleEntry[], mtime: Date): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const collected = (async () => {
    for await (const chunk of pack) chunks.push(chunk as Buffer);
  })();
  for (const e of entries) {
    const body = Buffer.from(e.content, "utf8");
    await new Promise<void>((resolve, reject) => {
      pack.entry(
        { name: archivePath(e.path), mode: e.mode, mtime, size: body.length, uid: 0, gid: 0, uname: "root", gname: "root", type: "file" },
        body,
        (err) => (err ? reject(err) : resolve()),
      );
    });
  }
  pack.finalize();
  await collected;
  return gzipSync(Buffer.concat(chunks));
}
