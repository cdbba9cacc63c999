// Runs a platform's commands on a router, one after another, writing each command,
// its exit code and the tail of its output to the job log.
import type { Command } from "@/lib/platforms/contract";
import type { ExecOutcome, RouterIO } from "@/lib/deploy/router-io";
import { JobFailure } from "@/lib/jobs/types";

export type Logger = (level: "info" | "warn" | "error", message: string) => Promise<void>;

export class CommandFailed extends JobFailure {
  constructor(
    public readonly command: Command,
    public readonly outcome: ExecOutcome,
    gatewayName: string,
  ) {
    super(
      `${gatewayName}: \`${command.argv.join(" ")}\` failed with exit code ${outcome.exitCode}: ${lastLines(outcome.stderr || outcome.stdout, 3) || "(no output)"}`,
    );
  }
}

export function lastLines(text: string, n: number): string {
  return text.trim().split("\n").slice(-n).join(" | ");
}

/** Why a non-zero exit is normal here, from the command's own description; null when it is a failure. */
export function expectedExit(command: Command): string | null {
  return command.allowFailure ? "allowed to fail" : null;
}

export async function runCommands(io: RouterIO, gatewayName: string, commands: Command[], log: Logger): Promise<ExecOutcome[]> {
  const outcomes: ExecOutcome[] = [];
  for (const command of commands) {
    const outcome = await io.exec(command.argv, { timeoutMs: 60_000 });
    outcomes.push(outcome);
    const output = lastLines(`${outcome.stdout}\n${outcome.stderr}`, 4);
    if (outcome.exitCode === 0) {
      await log("info", `$ ${command.argv.join(" ")}  → ok${output ? `: ${output}` : ""}`);
      continue;
    }
    const excuse = expectedExit(command);
    if (excuse) {
      // Normal at this moment: logged as information, not styled as a problem.
      await log("info", `$ ${command.argv.join(" ")}  → exit ${outcome.exitCode}, expected (${excuse})${output ? `: ${output}` : ""}`);
      continue;
    }
    await log("error", `$ ${command.argv.join(" ")}  → exit ${outcome.exitCode}${output ? `: ${output}` : ""}`);
    throw new CommandFailed(command, outcome, gatewayName);
  }
  return outcomes;
}
