/**
 * The text of a caught value, for a message or a log line: an Error's
 * message (without its name or stack), anything else as a string.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert";
 * import { errorText } from "./error_text.ts";
 * strictEqual(errorText(new RangeError("Cannot move: node 9 does not exist")), "Cannot move: node 9 does not exist");
 * strictEqual(errorText("gone"), "gone");
 * strictEqual(errorText(42), "42");
 * ```
 *
 * @module
 */

/** An Error's message, or any other thrown value as a string. */
export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
