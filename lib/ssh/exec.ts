// Runs one argv on an open ssh2 connection and collects its exit status and output.
// Callers pass secrets through `stdin` (or upload them), never as arguments: the command
// string shows up in the router's process list and shell history tools.
import type { Client, ClientChannel } from "ssh2";
import { commandLineOf } from "./argv";
import { sshErrors, type SshTarget } from "./errors";

export type ExecResult = { exitCode: number; stdout: string; stderr: string; signal?: string };
export type ExecOptions = { timeoutMs?: number; stdin?: string };

export const DEFAULT_EXEC_TIMEOUT_MS = 60_000;
// A router printing without end (a runaway log) must not exhaust our memory.
const MAX_OUTPUT_BYTES = 16 * 1024 * 1024;

/**
 * Resolves with any exit status (a non-zero exit is an answer, not an SSH failure);
 * rejects with "timeout" after killing the command, or "command-failed" when the server
 * would not start it. A command killed by a signal reports exitCode -1 and the signal.
 */
export function runCommand(client: Client, target: SshTarget, argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
  const command = commandLineOf(argv); // throws before anything is sent
  const name = argv[0]!;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_EXEC_TIMEOUT_MS;

  return new Promise((resolve, reject) => {
    let settled = false;
    let channel: ClientChannel | undefined;
    const settle = (fn: () => void) => {
      if (!settled) {
        settled = true;
        fn();
      }
    };
    const stop = (error: Error) => {
      clearTimeout(timer);
      settle(() => reject(error));
      if (!channel) return;
      try {
        channel.signal("KILL");
      } catch {
        // older servers ignore signal requests; closing the channel is enough then
      }
      channel.close();
    };
    // From the request on, not from the channel's opening: a router that stopped answering
    // (its address blackholed) never opens the channel, and keepalives take a minute to notice.
    const timer = setTimeout(() => stop(sshErrors.commandTimeout(target, name, timeoutMs)), timeoutMs);
    const onChannel = (err: Error | undefined, stream: ClientChannel) => {
      if (err) {
        clearTimeout(timer);
        return settle(() => reject(sshErrors.commandFailed(target, name, `the server refused to start it (${err.message})`, err)));
      }
      channel = stream;
      // Opened after the timeout: nobody waits for it any more.
      if (settled) return void stream.close();
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      let bytes = 0;
      let exitCode: number | null = null;
      let signal: string | undefined;

      const collect = (into: Buffer[]) => (chunk: Buffer) => {
        bytes += chunk.length;
        if (bytes > MAX_OUTPUT_BYTES) return stop(sshErrors.commandFailed(target, name, "it printed more than 16 MiB"));
        into.push(chunk);
      };
      stream.on("data", collect(stdout));
      stream.stderr.on("data", collect(stderr));
      stream.on("exit", (code: number | null, sig?: string) => {
        if (typeof code === "number") exitCode = code;
        else signal = sig ?? "unknown";
      });
      stream.on("close", () => {
        clearTimeout(timer);
        if (exitCode === null && signal === undefined) {
          // Also what a dropped connection looks like; the session turns it into connection-lost.
          return settle(() => reject(sshErrors.commandFailed(target, name, "the channel closed without an exit status")));
        }
        const result: ExecResult = {
          exitCode: exitCode ?? -1,
          stdout: Buffer.concat(stdout).toString("utf8"),
          stderr: Buffer.concat(stderr).toString("utf8"),
        };
        if (signal !== undefined) result.signal = signal;
        settle(() => resolve(result));
      });
      // EOF right away when there is no input, so a command that reads stdin cannot hang.
      stream.end(opts.stdin ?? undefined);
    };
    try {
      client.exec(command, onChannel);
    } catch (err) {
      clearTimeout(timer);
      settle(() => reject(err));
    }
  });
}
