/**
 * Splitting a prompt line into words, as the Go memtierd does: words are
 * separated by white space; '...' and "..." quote (the other quote is
 * literal inside); a backslash escapes the next character anywhere, also
 * inside quotes. Unlike the Go memtierd, a `|` inside quotes or escaped is
 * part of a word: only a bare `|` sends the output to a shell command.
 *
 * @module
 */

import { InputSyntaxError } from "../errors.ts";

/** A line that cannot be split into words. */
export class PromptSyntaxError extends InputSyntaxError {
  override name = "PromptSyntaxError";
}

/** The words of a line, and the shell command after a bare `|`, if any. */
export interface PromptLine {
  args: string[];
  /** What follows the first bare `|`, untouched, for `sh -c`. */
  pipe?: string;
}

const SPACE = /\s/;

/**
 * Splits a prompt line.
 *
 * @example
 * ```ts
 * import { deepStrictEqual, strictEqual } from "node:assert";
 * import { tokenize } from "./tokenize.ts";
 * const l = tokenize(`stats -t 'a|b' | grep "x y"`);
 * deepStrictEqual(l.args, ["stats", "-t", "a|b"]);
 * strictEqual(l.pipe, ' grep "x y"');
 * ```
 */
export function tokenize(line: string): PromptLine {
  const args: string[] = [];
  let current = "";
  let inWord = false;
  let quote = "";
  let escaped = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (escaped) {
      current += c;
      inWord = true;
      escaped = false;
      continue;
    }
    if (c === "\\") {
      escaped = true;
      continue;
    }
    if (quote) {
      if (c === quote) quote = "";
      else current += c;
      continue;
    }
    if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
      continue;
    }
    if (c === "|") {
      if (inWord) args.push(current);
      return { args, pipe: line.slice(i + 1) };
    }
    if (SPACE.test(c)) {
      if (inWord) args.push(current);
      current = "";
      inWord = false;
      continue;
    }
    current += c;
    inWord = true;
  }
  if (escaped) throw new PromptSyntaxError("missing escaped character");
  if (quote) throw new PromptSyntaxError(`unterminated quoted (${quote}) string`);
  if (inWord) args.push(current);
  return { args };
}
