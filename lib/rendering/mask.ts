// Masks pre-shared keys in rendered files for previews: the page shows every file as it
// will be written, with each PSK (in any encoding a renderer uses) replaced by bullets,
// so a PSK never reaches the browser. Pure.
import type { RenderedFile } from "@/lib/platforms/contract";
import { redactSecrets } from "@/lib/secrets/redact";

export const PSK_MASK = "••••••••";

export function maskText(text: string, secrets: string[]): string {
  return redactSecrets(text, secrets, PSK_MASK);
}

/** Every file, not only those marked secret: a key that leaked elsewhere stays hidden too. */
export function maskSecrets(files: RenderedFile[], secrets: string[]): RenderedFile[] {
  return files.map((f) => ({ ...f, content: maskText(f.content, secrets) }));
}
