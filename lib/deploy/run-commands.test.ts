import { describe, expect, it } from "vitest";
import type { Command } from "@/lib/platforms/contract";
import type { RouterIO } from "@/lib/deploy/router-io";
import { runCommands } from "./run-commands";

// A router that answers every command with the given exit code (pure logic: only the logging is under test).
const router = (exitCode: number) => ({ exec: async () => ({ exitCode, stdout: "", stderr: "already up" }) }) as unknown as RouterIO;

describe("runCommands", () => {
  it("logs an exit the command expects as information, saying it was expected, not as a warning", async () => {
    const lines: string[] = [];
    const command: Command = { argv: ["swanctl", "--initiate"], description: "establish", allowFailure: true };
    await runCommands(router(1), "gw", [command], async (level, m) => void lines.push(`${level} ${m}`));
    expect(lines).toEqual(["info $ swanctl --initiate  → exit 1, expected (allowed to fail): already up"]);
  });

  it("logs any other non-zero exit as an error and stops", async () => {
    const lines: string[] = [];
    const command: Command = { argv: ["swanctl", "--load-all"], description: "load" };
    await expect(runCommands(router(2), "gw", [command], async (level, m) => void lines.push(`${level} ${m}`))).rejects.toThrow(
      /exit code 2/,
    );
    expect(lines).toEqual(["error $ swanctl --load-all  → exit 2: already up"]);
  });
});
