// What a new dashboard password must be: 12 to 256 characters and not guessable, as
// judged by zxcvbn-ts (a maintained estimator with common-password, English word and
// keyboard-pattern lists) with the user name as a known word. The reason is written for
// the person at the form, next to the password field.
import { ZxcvbnFactory, type ZxcvbnResult } from "@zxcvbn-ts/core";
import * as common from "@zxcvbn-ts/language-common";
import * as english from "@zxcvbn-ts/language-en";

/**
 * zxcvbn's score 3: about 10^8 guesses or more ("safely unguessable" online, and some
 * protection if the hashes leak). 0–2 are common words, patterns and their variants.
 */
export const MIN_PASSWORD_SCORE = 3;
export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 256;

let factory: ZxcvbnFactory | undefined;
// Built on first use: the dictionaries take a fifth of a second to load.
function estimator(): ZxcvbnFactory {
  factory ??= new ZxcvbnFactory({
    dictionary: { ...common.dictionary, ...english.dictionary },
    graphs: common.adjacencyGraphs,
    translations: english.translations,
  });
  return factory;
}

function zxcvbnReason(result: ZxcvbnResult): string {
  const why = result.feedback.warning ?? "It is too easy to guess.";
  const hint = result.feedback.suggestions[0] ?? "Use a few uncommon words, or a longer passphrase.";
  return `Too easy to guess: ${why.replace(/\.?$/, ".")} ${hint}`;
}

/**
 * Why `password` may not be used by `username` (and whatever else the person is
 * known by, in `related`), or null when it is fine.
 */
export function passwordWeakness(password: string, username: string, related: string[] = []): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) return `Use at least ${MIN_PASSWORD_LENGTH} characters`;
  if (password.length > MAX_PASSWORD_LENGTH) return `Use at most ${MAX_PASSWORD_LENGTH} characters`;
  if (password.trim() === "") return "A password of only spaces is easy to guess: use words or other characters.";
  const name = username.trim().toLowerCase();
  if (name.length >= 3 && password.toLowerCase().includes(name)) return "Do not use the user name in the password.";
  // zxcvbn's matchers cost time that grows with length; the first 64 characters decide
  // (a password whose first 64 are not guessable is not).
  const result = estimator().check(
    password.slice(0, 64),
    [name, ...related].filter((w) => w.length > 0),
  );
  return result.score >= MIN_PASSWORD_SCORE ? null : zxcvbnReason(result);
}
