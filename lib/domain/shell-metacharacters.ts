// Detects characters that change meaning in a shell or in a router config file.
// Every value that reaches a router is validated by an allow-list schema; this is the
// second, independent check the SSH layer and tests use to prove nothing slipped through.

// Beyond the obvious ; | & $ ` ( ) < > quotes and backslash: whitespace and NUL split
// arguments, glob characters (* ? [ ] { }) expand, ! and ~ expand in some shells, and
// # starts a comment.
const SHELL_METACHARACTERS = /[;|&$`()<>"'\\*?[\]{}!~#\s\0]/;

export const SHELL_METACHARACTER_LIST: readonly string[] = [
  ";", "|", "&", "$", "`", "(", ")", "<", ">", "\n", "\r", '"', "'", "\\", " ", "*",
  "\t", "\0", "?", "[", "]", "{", "}", "!", "~", "#",
];

export function hasShellMetacharacters(s: string): boolean {
  return SHELL_METACHARACTERS.test(s);
}
