/**
 * Go-style flag parsing, shared by the command line and the prompt's
 * commands: `-name value`, `--name value`, `-name=value`, `--name=value`;
 * bool flags take no value (`-name=false` is allowed). Parsing stops at the
 * first argument that is not a flag, or after `--`; the rest is returned.
 *
 * @module
 */
import { quoted } from "./excerpt.ts";
import { UsageError } from "../errors.ts";

/** One accepted flag. */
export interface FlagSpec {
  readonly name: string;
  readonly type: "bool" | "string";
  /** One line of help. */
  readonly help: string;
  /** What the value is, for help: `PID`, `NODE`. */
  readonly valueName?: string;
}

/** Parsed flags: by name, the last value given (bools as true/false). */
export interface ParsedFlags {
  readonly values: ReadonlyMap<string, string | boolean>;
  readonly rest: readonly string[];
}

/** Formats the accepted flags for an error message: `-pid, -move-to`. */
export function flagNames(specs: readonly FlagSpec[], dash = "--"): string {
  return specs.map((s) => `${dash}${s.name}`).join(", ");
}

/**
 * Parses `args` by `specs`. Throws `UsageError` for an unknown flag or a
 * flag without its value; `dash` is how flags are shown in messages.
 *
 * @example
 * ```ts
 * import { deepStrictEqual, strictEqual } from "node:assert";
 * import { parseFlags } from "./flags.ts";
 * const f = parseFlags(["-pid", "42", "--count=5", "x"], [
 *   { name: "pid", type: "string", help: "" },
 *   { name: "count", type: "string", help: "" },
 * ]);
 * strictEqual(f.values.get("pid"), "42");
 * strictEqual(f.values.get("count"), "5");
 * deepStrictEqual(f.rest, ["x"]);
 * ```
 */
export function parseFlags(
  args: readonly string[],
  specs: readonly FlagSpec[],
  dash = "--",
): ParsedFlags {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const values = new Map<string, string | boolean>();
  let i = 0;
  for (; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--") {
      i++;
      break;
    }
    if (!arg.startsWith("-") || arg === "-") break;
    const body = arg.startsWith("--") ? arg.slice(2) : arg.slice(1);
    const eq = body.indexOf("=");
    const name = eq < 0 ? body : body.slice(0, eq);
    const spec = byName.get(name);
    if (!spec || name === "") {
      throw new UsageError(
        `Unknown flag ${dash}${name || body} (accepted: ${flagNames(specs, dash)})`,
      );
    }
    if (spec.type === "bool") {
      if (eq < 0) values.set(name, true);
      else {
        const v = body.slice(eq + 1);
        if (!/^(true|false|1|0)$/.test(v)) {
          throw new UsageError(`Invalid ${dash}${name}=${v}: expected true or false`);
        }
        values.set(name, v === "true" || v === "1");
      }
      continue;
    }
    if (eq >= 0) {
      values.set(name, body.slice(eq + 1));
    } else if (i + 1 < args.length) {
      values.set(name, args[++i]!);
    } else {
      throw new UsageError(
        `Flag ${dash}${name} needs a value${spec.valueName ? ` (${spec.valueName})` : ""}`,
      );
    }
  }
  return { values, rest: args.slice(i) };
}

/** A string flag's value, or undefined. */
export function stringFlag(values: ParsedFlags["values"], name: string): string | undefined {
  const v = values.get(name);
  return typeof v === "string" ? v : undefined;
}

/** A bool flag's value. */
export function boolFlag(values: ParsedFlags["values"], name: string): boolean {
  return values.get(name) === true;
}

/**
 * A whole-number flag within [min, max], or undefined when not given; `dash`
 * is how the flag is shown in the message (`-` at the prompt, `--` on the
 * command line).
 */
export function intFlag(
  values: ParsedFlags["values"],
  name: string,
  min: number,
  max: number,
  what: string,
  dash = "-",
): number | undefined {
  const v = stringFlag(values, name);
  return v === undefined ? undefined : parseWholeNumber(`${dash}${name}`, v, min, max, what);
}

/** Help lines for flags: `  --name VALUE   help`. */
export function flagHelp(specs: readonly FlagSpec[], dash = "--"): string {
  const left = specs.map((s) => `${dash}${s.name}${s.valueName ? ` ${s.valueName}` : ""}`);
  const width = Math.max(...left.map((l) => l.length)) + 2;
  return specs.map((s, i) => `  ${left[i]!.padEnd(width)}${s.help}`).join("\n");
}

/**
 * A whole number from a flag value, within [min, max]; `what` describes it
 * for the message ("a process id", "pages").
 */
export function parseWholeNumber(
  flag: string,
  value: string,
  min: number,
  max: number,
  what: string,
): number {
  const t = value.trim();
  if (
    !/^[+]?\d+$/.test(t) || !Number.isSafeInteger(Number(t)) || Number(t) < min || Number(t) > max
  ) {
    throw new UsageError(
      `Invalid ${flag} ${quoted(value)}: expected ${what}, a whole number from ${min} to ${max}`,
    );
  }
  return Number(t);
}
