// Turns an argv into the one command string SSH can carry, refusing anything a remote
// shell could interpret. SSH has no argv: the server hands the string to the user's
// shell, so the only safe quoting is to allow no character that needs quoting at all.
import { sshErrors } from "./errors";

/** Characters no POSIX shell treats specially anywhere inside a word. */
export const SAFE_ARGUMENT = /^[A-Za-z0-9_@%+=:,./-]+$/;

/**
 * Throws SshError "unsafe-argument" unless every argument is non-empty and made only of
 * safe characters. The offending value is never echoed: callers might (wrongly) pass a
 * secret, and the error ends up in job logs.
 */
export function assertSafeArgv(argv: readonly string[]): void {
  if (argv.length === 0) throw sshErrors.unsafeArgument(0, "is missing (the command is empty)");
  argv.forEach((arg, i) => {
    if (typeof arg !== "string" || arg.length === 0) throw sshErrors.unsafeArgument(i, "is empty");
    if (!SAFE_ARGUMENT.test(arg)) {
      const at = [...arg].findIndex((c) => !SAFE_ARGUMENT.test(c));
      throw sshErrors.unsafeArgument(i, `has a character outside [A-Za-z0-9_@%+=:,./-] at position ${at + 1}`);
    }
  });
  // `NAME=value cmd` would set a variable instead of running NAME=value.
  if (argv[0]!.includes("=")) throw sshErrors.unsafeArgument(0, "(the command name) contains '='");
}

export function commandLineOf(argv: readonly string[]): string {
  assertSafeArgv(argv);
  return argv.join(" ");
}
