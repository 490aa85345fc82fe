/**
 * What a prompt command is written with: the command's types (a name, a
 * one-line description, Go-style flags and a function over the session,
 * declared beside the prompt that runs them) and the flag readers. Commands
 * write through `ctx.out` and throw typed errors (UsageError,
 * ProcessGoneError, ...); the prompt turns an error into one line and goes
 * on.
 *
 * @module
 */
import { quoted } from "../common/excerpt.ts";
import { UsageError } from "../errors.ts";
import type { ParsedFlags } from "../common/flags.ts";
import { parseWholeNumber, stringFlag } from "../common/flags.ts";

export { boolFlag, intFlag, stringFlag } from "../common/flags.ts";
export type { CommandContext, PromptCommand } from "./prompt.ts";

/** A comma-separated list of whole numbers. */
export function intListFlag(
  values: ParsedFlags["values"],
  name: string,
  min: number,
  max: number,
  what: string,
): number[] | undefined {
  const v = stringFlag(values, name);
  if (v === undefined) return undefined;
  if (v.trim() === "") throw new UsageError(`Invalid -${name}: expected ${what}, comma-separated`);
  return v.split(",").map((s) => parseWholeNumber(`-${name}`, s, min, max, what));
}

/** A number flag from 0 to `max` (fractions allowed), or undefined. */
export function floatFlag(
  values: ParsedFlags["values"],
  name: string,
  max: number,
  what: string,
): number | undefined {
  const v = stringFlag(values, name);
  if (v === undefined) return undefined;
  const n = Number(v.trim());
  if (v.trim() === "" || !(n >= 0 && n <= max)) {
    throw new UsageError(
      `Invalid -${name} ${quoted(v)}: expected ${what}, from 0 to ${max}`,
    );
  }
  return n;
}
