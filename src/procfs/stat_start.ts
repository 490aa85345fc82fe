/**
 * The start time of a process from /proc/PID/stat (field 22, clock ticks
 * after boot): with the pid it names one process, since a pid number reused
 * by a later process comes with a later start time.
 *
 * @module
 */

/**
 * Field 22 (`starttime`) of /proc/PID/stat text. The command name is
 * skipped by its last `)`, since it may contain spaces and parentheses.
 *
 * @example
 * ```ts
 * import { parseStartTicks } from "./stat_start.ts";
 * import assert from "node:assert";
 * const stat = "42 (a) b) S 1 42 42 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 7321 0 0";
 * assert.strictEqual(parseStartTicks(stat), 7321);
 * ```
 */
export function parseStartTicks(text: string, source = "stat"): number {
  const close = text.lastIndexOf(")");
  // After the name come fields 3 (state) onwards: field 22 is the 20th.
  const word = close < 0 ? undefined : text.slice(close + 1).trim().split(/\s+/)[19];
  const ticks = Number(word);
  if (word === undefined || !Number.isInteger(ticks) || ticks < 0) {
    throw new SyntaxError(
      `Cannot parse ${source}: no start time in field 22 of ${JSON.stringify(text.slice(0, 80))}`,
    );
  }
  return ticks;
}
