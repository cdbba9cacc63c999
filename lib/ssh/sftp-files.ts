// File operations on a router over SFTP. Uploads replace the target atomically: write a
// temp file beside it, created with the final mode (a PSK file is never readable by others,
// not even for a moment), fsync, then rename over the target. Readers on the router see the
// old file or the new one, never half of one.
import { randomBytes } from "node:crypto";
import { posix } from "node:path";
import type { SFTPWrapper } from "ssh2";
import { sshErrors, type SshTarget } from "./errors";

export type UploadRequest = { path: string; content: string | Buffer; mode: number };
export type FileStat = { mode: number; size: number; isDirectory: boolean };

const NO_SUCH_FILE = 2; // SSH_FX_NO_SUCH_FILE
const CHUNK = 256 * 1024;

type Cb<T> = (err: (Error & { code?: unknown }) | null | undefined, value: T) => void;
const call = <T = void>(fn: (cb: Cb<T>) => void) =>
  new Promise<T>((resolve, reject) => fn((err, value) => (err ? reject(err) : resolve(value))));

const isNoSuchFile = (e: unknown) => (e as { code?: unknown })?.code === NO_SUCH_FILE;
const detail = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** Paths come from platform renderers; refuse ones that could mean something else. */
function assertAbsolutePath(path: string): void {
  if (!path.startsWith("/") || /[\0\n\r]/.test(path) || posix.normalize(path) !== path || path.endsWith("/")) {
    throw sshErrors.unsafeArgument(0, "is not a plain absolute file path");
  }
}

export async function uploadFile(sftp: SFTPWrapper, t: SshTarget, req: UploadRequest): Promise<void> {
  assertAbsolutePath(req.path);
  const data = typeof req.content === "string" ? Buffer.from(req.content, "utf8") : req.content;
  const dir = posix.dirname(req.path);
  const prefix = `.${posix.basename(req.path)}.gw-`;
  const tmp = posix.join(dir, prefix + randomBytes(6).toString("hex"));
  let handle: Buffer | undefined;
  let step = "create a temporary file for";
  try {
    // "wx" = O_CREAT|O_EXCL: never write through something already at the temp name.
    handle = await call<Buffer>((cb) => sftp.open(tmp, "wx", { mode: req.mode }, cb));
    step = "set the mode of";
    // The server's umask may have narrowed the mode further; widening it is safe before any content.
    await call((cb) => sftp.fchmod(handle!, req.mode, cb));
    step = "write";
    for (let off = 0; off < data.length; off += CHUNK) {
      const len = Math.min(CHUNK, data.length - off);
      await call((cb) => sftp.write(handle!, data, off, len, off, (err) => cb(err, undefined)));
    }
    step = "flush";
    await fsyncIfSupported(sftp, handle);
    step = "close";
    const h = handle;
    handle = undefined;
    await call((cb) => sftp.close(h, cb));
    step = "replace";
    await call((cb) => sftp.ext_openssh_rename(tmp, req.path, cb));
  } catch (err) {
    if (handle) await call((cb) => sftp.close(handle!, cb)).catch(() => {});
    if (step !== "create a temporary file for") await call((cb) => sftp.unlink(tmp, cb)).catch(() => {});
    // Until the rename the target is untouched; a rename cut short may or may not have happened.
    const unchanged = step !== "replace";
    const left = unchanged ? "the existing file was left unchanged" : "the file may or may not have been replaced";
    throw sshErrors.sftpFailed(t, step, req.path, `${detail(err)}; ${left}`, err, unchanged);
  }
  await removeLeftovers(sftp, dir, prefix);
}

/**
 * A dropped connection leaves its temp file behind (it may hold an old PSK); the next
 * successful upload of the same file clears them. Uploads to one gateway are serialized
 * by the per-gateway job lock, so no other upload's temp file is in flight here.
 */
async function removeLeftovers(sftp: SFTPWrapper, dir: string, prefix: string): Promise<void> {
  try {
    const entries = await call<{ filename: string }[]>((cb) => sftp.readdir(dir, cb));
    for (const { filename } of entries.filter((e) => e.filename.startsWith(prefix))) {
      await call((cb) => sftp.unlink(posix.join(dir, filename), cb)).catch(() => {});
    }
  } catch {
    // best effort: the upload itself succeeded
  }
}

async function fsyncIfSupported(sftp: SFTPWrapper, handle: Buffer): Promise<void> {
  try {
    await call((cb) => sftp.ext_openssh_fsync(handle, cb as Cb<unknown>));
  } catch (err) {
    // ssh2 throws synchronously when the server lacks fsync@openssh.com: then skip it.
    if (err instanceof Error && /does not support/.test(err.message)) return;
    throw err;
  }
}

export async function readFile(sftp: SFTPWrapper, t: SshTarget, path: string): Promise<string | null> {
  assertAbsolutePath(path);
  try {
    const buf = await call<Buffer>((cb) => sftp.readFile(path, cb as Cb<Buffer>));
    return buf.toString("utf8");
  } catch (err) {
    if (isNoSuchFile(err)) return null;
    throw sshErrors.sftpFailed(t, "read", path, detail(err), err);
  }
}

/** The SSH user's home directory as the server resolves "." (OpenSSH: the login directory). */
export async function homeDir(sftp: SFTPWrapper, t: SshTarget): Promise<string> {
  try {
    const home = await call<string>((cb) => sftp.realpath(".", cb));
    if (!home.startsWith("/")) throw new Error(`the server answered "${home}"`);
    return home;
  } catch (err) {
    throw sshErrors.sftpFailed(t, "resolve the home directory of", ".", detail(err), err);
  }
}

export async function statFile(sftp: SFTPWrapper, t: SshTarget, path: string): Promise<FileStat | null> {
  assertAbsolutePath(path);
  try {
    const st = await call<{ mode: number; size: number; isDirectory(): boolean }>((cb) => sftp.stat(path, cb));
    return { mode: st.mode & 0o7777, size: st.size, isDirectory: st.isDirectory() };
  } catch (err) {
    if (isNoSuchFile(err)) return null;
    throw sshErrors.sftpFailed(t, "inspect", path, detail(err), err);
  }
}

export async function removeFile(sftp: SFTPWrapper, t: SshTarget, path: string): Promise<void> {
  assertAbsolutePath(path);
  try {
    await call((cb) => sftp.unlink(path, cb));
  } catch (err) {
    if (!isNoSuchFile(err)) throw sshErrors.sftpFailed(t, "remove", path, detail(err), err);
  }
}

/** Like `mkdir -p`; the last directory gets exactly `mode`, missing parents get 0755. */
export async function ensureDir(sftp: SFTPWrapper, t: SshTarget, path: string, mode: number): Promise<void> {
  assertAbsolutePath(path);
  const existing = await statFile(sftp, t, path);
  if (existing) {
    if (!existing.isDirectory) throw sshErrors.sftpFailed(t, "create the directory", path, "a file of that name exists");
    return;
  }
  const parent = posix.dirname(path);
  if (parent !== "/") await ensureDir(sftp, t, parent, 0o755);
  try {
    await call((cb) => sftp.mkdir(path, { mode }, cb));
    await call((cb) => sftp.chmod(path, mode, cb));
  } catch (err) {
    if ((await statFile(sftp, t, path))?.isDirectory) return; // created concurrently: fine
    throw sshErrors.sftpFailed(t, "create the directory", path, detail(err), err);
  }
}
