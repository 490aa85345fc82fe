/**
 * How error lines show what people typed or files held: short. A value of
 * a megabyte, a line of /etc/shadow given as a config, or a list of 200k
 * pids comes back as its first few characters and its length, so one error
 * is one short line and does not copy a file's content to a log.
 *
 * @module
 */

/** Characters of user input an error line quotes at most. */
export const EXCERPT_CHARS = 40;

/**
 * `text` JSON-quoted, cut to `max` characters with its length after it.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert";
 * import { quoted } from "./excerpt.ts";
 * strictEqual(quoted("fast"), '"fast"');
 * strictEqual(quoted("x".repeat(1000), 4), '"xxxx"... (1000 characters)');
 * ```
 */
export function quoted(text: string, max = EXCERPT_CHARS): string {
  if (text.length <= max) return JSON.stringify(text);
  return `${JSON.stringify(text.slice(0, max))}... (${text.length} characters)`;
}

/**
 * A value for an error line: strings quoted and cut, numbers as numbers
 * (one too large to hold, such as JSON's 1e400, said so), lists and maps as
 * JSON cut to `max` characters.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert";
 * import { shownValue } from "./excerpt.ts";
 * strictEqual(shownValue(0.5), "0.5");
 * strictEqual(shownValue(Infinity), "Infinity (beyond the largest number, 1.8e308)");
 * strictEqual(shownValue([1, 2, 3, 4, 5], 6), "[1,2,3... (11 characters)");
 * ```
 */
export function shownValue(value: unknown, max = EXCERPT_CHARS): string {
  if (value === Infinity || value === -Infinity) {
    return `${value} (beyond the largest number, 1.8e308)`;
  }
  if (typeof value === "string") return quoted(value, max);
  if (value === undefined) return "nothing";
  const json = JSON.stringify(value) ?? String(value);
  return json.length <= max ? json : `${json.slice(0, max)}... (${json.length} characters)`;
}
