// Removes secrets from text before it is logged or shown (SSH output, job logs).
// A secret can show up in other encodings than the one we hold: strongSwan prints or
// accepts keys as 0s<base64>/0x<hex>, and tools base64 whole files — cover those too.

export const REDACTED = "«redacted»";

// Lines of a multi-line secret (an SSH private key) are redacted on their own as well,
// since output often carries just a part of the key; shorter lines (e.g. a PEM footer
// fragment) are not secret and would only blank out unrelated text.
const MIN_LINE_LENGTH = 16;

function forms(secret: string): string[] {
  const bytes = Buffer.from(secret, "utf8");
  const b64 = bytes.toString("base64");
  const out = [secret, b64, b64.replace(/=+$/, ""), bytes.toString("base64url"), bytes.toString("hex")];
  if (/[\r\n]/.test(secret)) {
    out.push(
      ...secret
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter((l) => l.length >= MIN_LINE_LENGTH),
    );
    out.push(secret.replace(/\r?\n/g, "\r\n"), secret.replace(/\r\n/g, "\n"));
  }
  return out;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** `replacement` lets previews show a mask (e.g. bullets) instead of the log marker. */
export function redactSecrets(text: string, secrets: string[], replacement: string = REDACTED): string {
  const all = new Set(
    secrets
      .filter((s) => s.length > 0)
      .flatMap(forms)
      .filter((f) => f.length > 0),
  );
  if (all.size === 0) return text;
  // One alternation, longest first, so a secret that contains another is removed whole.
  const pattern = [...all]
    .sort((a, b) => b.length - a.length)
    .map(escapeRegExp)
    .join("|");
  return text.replace(new RegExp(pattern, "g"), () => replacement);
}
