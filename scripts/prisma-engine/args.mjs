// The command line the Prisma CLI gives its schema engine (see prisma-schema-engine.mjs),
// parsed strictly so that a form we do not know fails loudly instead of running as
// something else. Prisma 7.10 passes:
//   --version
//   --datasource '{"url":…}' cli can-connect-to-database|create-database|drop-database
//   [--datamodels <schema file>]… [--datasource '{json}'] [--enabled-preview-features a,b]
//     [--extension-types '{json}']          (serve JSON-RPC on stdin/stdout)
import { parseArgs } from "node:util";

export const CLI_COMMANDS = ["can-connect-to-database", "create-database", "drop-database"];

export const ENGINE_USAGE =
  "usage: prisma-schema-engine.mjs --version | [--datasource JSON] cli " +
  `${CLI_COMMANDS.join("|")} | [--datamodels FILE]… [--datasource JSON] [--enabled-preview-features LIST] [--extension-types JSON]`;

/**
 * Returns { version, cliCommand, datamodels, datasource }; throws an Error that says
 * what is wrong (unknown option, unknown subcommand, unreadable JSON).
 */
export function parseEngineArgs(argv) {
  const { values, positionals } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: true,
    options: {
      version: { type: "boolean", short: "V", default: false },
      datamodels: { type: "string", short: "d", multiple: true, default: [] },
      datasource: { type: "string" },
      // Passed by the CLI when the schema sets them; our schemas use neither.
      "enabled-preview-features": { type: "string" },
      "extension-types": { type: "string" },
    },
  });
  let cliCommand;
  if (positionals.length > 0) {
    const [word, command, ...extra] = positionals;
    if (word !== "cli") throw new Error(`unexpected argument "${word}"`);
    if (!CLI_COMMANDS.includes(command)) {
      throw new Error(command === undefined ? "cli needs a subcommand" : `unknown cli subcommand "${command}"`);
    }
    if (extra.length) throw new Error(`unexpected argument "${extra[0]}"`);
    cliCommand = command;
  }
  let datasource;
  if (values.datasource !== undefined) {
    try {
      datasource = JSON.parse(values.datasource);
    } catch {
      // The value may carry a password: say what is wrong, not what it was.
      throw new Error("--datasource is not valid JSON");
    }
  }
  return { version: values.version, cliCommand, datamodels: values.datamodels, datasource };
}
