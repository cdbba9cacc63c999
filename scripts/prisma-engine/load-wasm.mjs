// Loads @prisma/schema-engine-wasm by hand. Its entry point does
// `import * as wasm from "./schema_engine_bg.wasm"`, which Node 20 refuses without
// --experimental-wasm-modules, so we instantiate the .wasm next to the glue ourselves.
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";

export async function loadSchemaEngineWasm() {
  const glueUrl = import.meta.resolve("@prisma/schema-engine-wasm/schema_engine_bg");
  const glue = await import(glueUrl);
  const bytes = await readFile(fileURLToPath(new URL("schema_engine_bg.wasm", glueUrl)));
  const { instance } = await WebAssembly.instantiate(bytes, { "./schema_engine_bg.js": glue });
  glue.__wbg_set_wasm(instance.exports);
  instance.exports.__wbindgen_start();
  return { SchemaEngine: glue.SchemaEngine, engineVersion: glue.version() };
}
