// Query and path values of the API routes, read strictly: what does not parse is a 400
// with the reason, never a value a query cannot hold (?after=1e308 used to reach the
// database as a float and come back as a 500).
import { z } from "zod";
import { idArg } from "@/lib/http/ids";

/** `?after=<seq>`: the last log line the client has, a whole number from 0. */
export const afterSeqParam = z
  .string()
  .regex(/^[0-9]{1,9}$/, { error: "after must be a whole number of at most 9 digits" })
  .transform(Number);

export const idParam = idArg;

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

/** Parses an optional query value with `schema`; absent gives `fallback`. */
export function queryValue<T>(params: URLSearchParams, name: string, schema: z.ZodType<T, string>, fallback: T): Parsed<T> {
  const raw = params.getAll(name);
  if (raw.length === 0) return { ok: true, value: fallback };
  if (raw.length > 1) return { ok: false, message: `give ${name} once` };
  const r = schema.safeParse(raw[0]);
  return r.success ? { ok: true, value: r.data } : { ok: false, message: `${name}: ${r.error.issues[0]?.message ?? "not valid"}` };
}
