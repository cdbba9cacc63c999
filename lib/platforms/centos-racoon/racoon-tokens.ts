// The token stream racoon's parser sees (cftoken.l): words, quoted strings and the
// punctuation `{ } ; ,`, with `#` comments dropped, and `include` splicing another file's
// tokens in where the statement ended, as racoon's include stack does. Pure: the files
// racoon could open are passed in by path.

export type TokenKind = "word" | "string" | "{" | "}" | ";" | "," | "eof";

export interface Token {
  kind: TokenKind;
  /** As written; a string's text is without its quotes. */
  text: string;
  path: string;
  line: number;
}

/** racoon refuses the configuration: the first error ends the parse (cfparse.y:2719-2745). */
export class RacoonError extends Error {
  constructor(
    readonly path: string,
    readonly line: number,
    readonly token: string,
    message: string,
  ) {
    super(message);
    this.name = "RacoonError";
  }
}

const PUNCTUATION = new Set(["{", "}", ";", ","]);

export function tokenize(path: string, text: string): Token[] {
  const tokens: Token[] = [];
  let line = 1;
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === "\n") {
      line++;
      i++;
    } else if (c === " " || c === "\t" || c === "\r") {
      i++;
    } else if (c === "#") {
      while (i < text.length && text[i] !== "\n") i++;
    } else if (c === '"') {
      const end = text.indexOf('"', i + 1);
      // An unterminated quote is not a quoted string to the lexer: the `"` alone is garbage.
      if (end < 0) throw new RacoonError(path, line, '"', "syntax error (unterminated quoted string)");
      tokens.push({ kind: "string", text: text.slice(i + 1, end), path, line });
      // The lexer counts lines only outside strings (cftoken.l:670).
      i = end + 1;
    } else if (PUNCTUATION.has(c)) {
      tokens.push({ kind: c as TokenKind, text: c, path, line });
      i++;
    } else {
      let j = i;
      while (j < text.length && !/[\s#"{};,]/.test(text[j]!)) j++;
      tokens.push({ kind: "word", text: text.slice(i, j), path, line });
      i = j;
    }
  }
  return tokens;
}

/** glob(3) without flags but GLOB_TILDE (cftoken.l:728): `*`, `?`, `[…]`; a leading dot is never matched by a wildcard or a class. */
export function globToRegExp(pattern: string): RegExp {
  let out = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    const segmentStart = i === 0 || pattern[i - 1] === "/";
    if (c === "*") out += segmentStart ? "(?!\\.)[^/]*" : "[^/]*";
    else if (c === "?") out += segmentStart ? "(?!\\.)[^/]" : "[^/]";
    else if (c === "[" && pattern.indexOf("]", i + 2) > 0) {
      const end = pattern.indexOf("]", i + 2);
      const body = pattern
        .slice(i + 1, end)
        .replace(/^!/, "^")
        .replace(/\\/g, "\\\\");
      out += `${segmentStart ? "(?!\\.)" : ""}[${body}]`;
      i = end;
    } else out += c.replace(/[.+^${}()|\\\]]/g, "\\$&");
  }
  return new RegExp(`^${out}$`);
}

/** The existing files a pattern names, sorted as glob(3) sorts them. */
export function expandGlob(pattern: string, files: readonly string[]): string[] {
  const re = globToRegExp(pattern);
  return files.filter((f) => re.test(f)).sort();
}

/** Includes nest at most this deep, the top file counting (cftoken.l:94, 722-726). */
const MAX_INCLUDE_DEPTH = 10;

/** The parser's view: one token at a time, across the files an include splices in. */
export class TokenStream {
  /** depth: 1 for the top file, one more per include level. */
  private readonly stack: { tokens: Token[]; at: number; depth: number }[] = [];
  /** Where racoon reports the end of input: after the top file's last line. */
  private readonly end: Token;
  /** Every file read, in order, the top file first. */
  readonly filesRead: string[];

  constructor(
    private readonly files: ReadonlyMap<string, string>,
    entry: string,
  ) {
    const text = files.get(entry);
    if (text === undefined) throw new RacoonError(entry, 0, "", `could not read configuration file "${entry}"`);
    this.stack.push({ tokens: tokenize(entry, text), at: 0, depth: 1 });
    this.end = { kind: "eof", text: "", path: entry, line: text.split("\n").length };
    this.filesRead = [entry];
  }

  peek(): Token {
    while (this.stack.length > 0) {
      const top = this.stack[this.stack.length - 1]!;
      if (top.at < top.tokens.length) return top.tokens[top.at]!;
      if (this.stack.length === 1) break;
      this.stack.pop();
    }
    return this.end;
  }

  next(): Token {
    const token = this.peek();
    if (token.kind !== "eof") this.stack[this.stack.length - 1]!.at++;
    return token;
  }

  /** Splices in every file the pattern matches; `at` is the include statement's last token. */
  include(pattern: string, at: Token): string[] {
    const depth = this.stack[this.stack.length - 1]!.depth + 1;
    if (depth > MAX_INCLUDE_DEPTH) throw new RacoonError(at.path, at.line, at.text, "Includes nested too deeply");
    const matches = expandGlob(pattern, [...this.files.keys()]);
    if (matches.length === 0) throw new RacoonError(at.path, at.line, at.text, `glob found no matches for path "${pattern}"`);
    this.filesRead.push(...matches);
    // Pushed in reverse so the first match is read first, then the next, as racoon does.
    for (const path of [...matches].reverse()) this.stack.push({ tokens: tokenize(path, this.files.get(path)!), at: 0, depth });
    return matches;
  }
}
