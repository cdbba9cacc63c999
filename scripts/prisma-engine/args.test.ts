// The schema-engine shim's command line, in every form the Prisma CLI uses, and the
// refusal of anything else (scripts/prisma-migrations.int.test.ts drives the real CLI).
import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
// @ts-expect-error plain ESM script without types
import { parseEngineArgs } from "./args.mjs";

const DATASOURCE = JSON.stringify({ url: "postgresql://u:secret@127.0.0.1:5432/db", shadowDatabaseUrl: null });

describe("parseEngineArgs", () => {
  it("reads --version and -V", () => {
    expect(parseEngineArgs(["--version"])).toMatchObject({ version: true, cliCommand: undefined });
    expect(parseEngineArgs(["-V"])).toMatchObject({ version: true });
  });

  it.each(["can-connect-to-database", "create-database", "drop-database"])("reads the cli subcommand %s with its datasource", (command) => {
    expect(parseEngineArgs(["--datasource", DATASOURCE, "cli", command])).toEqual({
      version: false,
      cliCommand: command,
      datamodels: [],
      datasource: { url: "postgresql://u:secret@127.0.0.1:5432/db", shadowDatabaseUrl: null },
    });
  });

  it("reads the serving form: schema files, datasource and the options Prisma may add", () => {
    const argv = [
      "--datamodels",
      "/p/a.prisma",
      "-d",
      "/p/b.prisma",
      "--datasource",
      '{"url":"file:/d/x.db"}',
      "--enabled-preview-features",
      "views",
      "--extension-types",
      "{}",
    ];
    expect(parseEngineArgs(argv)).toEqual({
      version: false,
      cliCommand: undefined,
      datamodels: ["/p/a.prisma", "/p/b.prisma"],
      datasource: { url: "file:/d/x.db" },
    });
    expect(parseEngineArgs([])).toEqual({ version: false, cliCommand: undefined, datamodels: [], datasource: undefined });
  });

  it.each([
    [["--datamodel", "/p/a.prisma"], /Unknown option '--datamodel'/],
    [["--versoin"], /Unknown option '--versoin'/],
    [["--datasource"], /argument missing/],
    [["serve"], /unexpected argument "serve"/],
    [["cli"], /cli needs a subcommand/],
    [["cli", "reset-database"], /unknown cli subcommand "reset-database"/],
    [["cli", "create-database", "now"], /unexpected argument "now"/],
  ])("refuses %j", (argv, message) => {
    expect(() => parseEngineArgs(argv)).toThrow(message);
  });

  it("refuses a datasource that is not JSON without echoing it (it may hold a password)", () => {
    expect(() => parseEngineArgs(["--datasource", "{url: secret}"])).toThrow(/^--datasource is not valid JSON$/);
  });
});

describe("prisma-schema-engine.mjs with a command line it does not know", () => {
  it("exits 1 with an ERROR log line the Prisma CLI shows, carrying the usage", () => {
    const script = path.resolve(import.meta.dirname, "..", "prisma-schema-engine.mjs");
    const r = spawnSync(process.execPath, [script, "--datasource", DATASOURCE, "cli", "can-connect-to-databse"], { encoding: "utf8" });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    const lines = r.stderr
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    // The CLI skips the first stderr line of a failed subcommand and looks for an ERROR line.
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatchObject({ level: "ERROR", target: "schema_engine::logger" });
    expect(lines[1].fields.message).toMatch(/unknown cli subcommand "can-connect-to-databse"\nusage: prisma-schema-engine\.mjs --version/);
  });
});
