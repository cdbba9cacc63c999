// The OpenAPI 3.1 document of /api/v1, generated from the routes' own zod schemas
// (lib/api/v1.ts, lib/api/schemas.ts) with zod's JSON Schema output (draft 2020-12, the
// dialect OpenAPI 3.1 uses): named schemas under components/schemas, each route's path
// and query parameters, JSON body, success answer and error answers.
import { z } from "zod";
import { apiSchemas } from "@/lib/api/schemas";
import type { AnyRoute } from "@/lib/api/route";

const REF = (id: string) => `#/components/schemas/${id}`;

const ERROR_TEXT: Record<number, string> = {
  400: "Malformed request (query, path or JSON)",
  401: "No usable API token (missing, unknown, revoked, expired)",
  403: "The token's role or scope does not allow this",
  404: "No such resource",
  409: "Refused in the current state (e.g. host key not pinned, tunnel not deployed); see the code",
  413: "Request body too large",
  415: "Body is not JSON",
  422: "Validation failed: see fieldErrors",
  500: "Server error",
};

type JsonSchema = Record<string, unknown>;

function schemaOf(schema: z.ZodType, io: "input" | "output"): JsonSchema {
  const id = apiSchemas.get(schema)?.id;
  if (id) return { $ref: REF(id) };
  // Parameters and the document itself: no named schemas inside.
  const json = z.toJSONSchema(schema, { target: "draft-2020-12", io, unrepresentable: "any" }) as JsonSchema;
  delete json.$schema;
  return json;
}

function parameters(schema: z.ZodObject | undefined, where: "path" | "query") {
  if (!schema) return [];
  const json = schemaOf(schema, "input") as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, prop]) => {
    const { description, ...rest } = prop;
    return {
      name,
      in: where,
      required: where === "path" || (json.required ?? []).includes(name),
      ...(description ? { description } : {}),
      schema: rest,
    };
  });
}

export function buildOpenApiDocument(routes: readonly AnyRoute[], version: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const errors = r.public ? [500] : [...new Set([400, 401, 403, ...(r.errors ?? []), 500])].sort();
    const operation = {
      operationId: `${r.method.toLowerCase()}${r.path.replace(/\{(\w+)\}/g, "By_$1").replace(/[^A-Za-z0-9]+(\w)?/g, (_, c: string | undefined) => (c ?? "").toUpperCase())}`,
      summary: r.summary,
      tags: [r.tag],
      ...(r.public ? { security: [] } : {}),
      parameters: [...parameters(r.params, "path"), ...parameters(r.query, "query")],
      ...(r.body ? { requestBody: { required: true, content: { "application/json": { schema: schemaOf(r.body, "input") } } } } : {}),
      responses: {
        [String(r.status)]: { description: "Success", content: { "application/json": { schema: schemaOf(r.response, "output") } } },
        ...Object.fromEntries(
          errors.map((code) => [
            String(code),
            { description: ERROR_TEXT[code] ?? "Error", content: { "application/json": { schema: { $ref: REF("Error") } } } },
          ]),
        ),
      },
    };
    (paths[r.path] ??= {})[r.method.toLowerCase()] = operation;
  }
  const components = z.toJSONSchema(apiSchemas, { target: "draft-2020-12", io: "output", uri: REF, unrepresentable: "any" }) as {
    schemas: Record<string, JsonSchema>;
  };
  for (const schema of Object.values(components.schemas)) {
    delete schema.$schema;
    delete schema.$id; // a fragment-only $id is not allowed in 2020-12; the component name is the reference
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Gatewarden API",
      version,
      description:
        "The REST API of Gatewarden. Authenticate with an API token (Settings → API tokens): `Authorization: Bearer gw_…`. " +
        "A token acts with its scope's role (read = viewer, operate = operator, admin), never above its user's current role. " +
        "Errors are JSON `{ error: { code, message, fieldErrors? } }`.",
    },
    servers: [{ url: "/api/v1" }],
    security: [{ bearerToken: [] }],
    paths,
    components: {
      securitySchemes: { bearerToken: { type: "http", scheme: "bearer", description: "An API token (gw_…) with an API scope" } },
      schemas: components.schemas,
    },
  };
}
