// The shape every form action returns to useActionState, and helpers to build it
// from FormData and zod results. Field errors are keyed by the form field's name.
import { z } from "zod";

export type FormState = {
  ok: boolean;
  message?: string;
  fieldErrors?: Record<string, string>;
  /** Id of what the action created, for the page to link or redirect to. */
  id?: string;
};

export const initialFormState: FormState = { ok: false };

/** Text fields of a form as a plain object; file inputs and Next's $ACTION_ keys dropped. */
export function formFields(fd: FormData): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of fd.entries()) {
    if (key.startsWith("$ACTION") || typeof value !== "string") continue;
    out[key] = value;
  }
  return out;
}

/** First message per field, with nested paths joined by dots. */
export function zodFieldErrors(error: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = issue.path.map(String).join(".") || "form";
    out[key] ??= issue.message;
  }
  return out;
}

/** Non-empty lines, trimmed: for textareas of CIDRs. */
export function splitLines(text: string): string[] {
  return text
    .split(/[\r\n,]+/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
}

/** An optional form field: an empty input means "not given". */
export function optionalField<T extends z.ZodType>(schema: T) {
  return z.preprocess((v) => (v === "" ? undefined : v), schema.optional());
}
