// The OpenAPI document against the route files on disk: every app/api/v1 route file's
// methods are documented and nothing else is, every $ref resolves, every operation has
// its success answer and the shared error schema.
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { buildOpenApiDocument } from "@/lib/api/openapi";
import { API_ROUTES } from "@/lib/api/v1";

const root = path.resolve(import.meta.dirname, "../../app/api/v1");

function routeFiles(dir = root): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) return routeFiles(p);
    if (name !== "route.ts") return [];
    const route =
      "/" +
      path
        .relative(root, dir)
        .split(path.sep)
        .join("/")
        .replace(/\[(\w+)\]/g, "{$1}");
    return [...readFileSync(p, "utf8").matchAll(/export const (GET|POST|PUT|PATCH|DELETE) =/g)].map((m) => `${m[1]} ${route}`);
  });
}

function refs(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v) => refs(v, out));
  else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      if (k === "$ref" && typeof v === "string") out.push(v);
      else refs(v, out);
    }
  }
  return out;
}

describe("the OpenAPI document", () => {
  const doc = buildOpenApiDocument(API_ROUTES, "test");

  it("documents exactly the route files' methods", () => {
    const documented = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`));
    expect(documented.sort()).toEqual(routeFiles().sort());
  });

  it("is OpenAPI 3.1 whose references all resolve", () => {
    expect(doc.openapi).toBe("3.1.0");
    const json = JSON.parse(JSON.stringify(doc));
    const names = new Set(Object.keys(json.components.schemas));
    for (const ref of refs(json)) expect(names.has(ref.replace("#/components/schemas/", "")), ref).toBe(true);
  });

  it("gives every operation its success answer, its errors and its parameters", () => {
    for (const [p, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops) as [
        string,
        { responses: Record<string, unknown>; parameters: { name: string; in: string }[] },
      ][]) {
        const codes = Object.keys(op.responses);
        expect(
          codes.some((c) => /^2/.test(c)),
          `${method} ${p}`,
        ).toBe(true);
        expect(codes, `${method} ${p}`).toContain("500");
        for (const name of p.match(/\{(\w+)\}/g) ?? []) {
          expect(
            op.parameters.map((x) => `${x.in}:${x.name}`),
            `${method} ${p}`,
          ).toContain(`path:${name.slice(1, -1)}`);
        }
      }
    }
    const create = doc.paths["/sites"]?.post as { requestBody: { content: Record<string, { schema: unknown }> } };
    expect(create.requestBody.content["application/json"]?.schema).toEqual({ $ref: "#/components/schemas/BranchOfficeInput" });
  });
});
