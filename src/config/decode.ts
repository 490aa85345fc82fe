/**
 * Component configurations, as the Go memtierd accepts them: JSON with
 * field names matched case-insensitively (`{"IntervalMs": 10}`), or YAML
 * with lower-case keys (`intervalms: 10`). Unknown fields are errors.
 * Unlike the Go memtierd, a field left out keeps its default: the result is
 * the defaults with the given fields laid over them.
 *
 * @module
 */
import YAML from "yaml";
import { InputSyntaxError } from "../errors.ts";
import { errorText } from "../common/error_text.ts";
import { shownValue } from "../common/excerpt.ts";

/** One field of a configuration: its canonical name and how to check a value. */
export interface ConfigField<T> {
  readonly name: keyof T & string;
  readonly check: (value: unknown, name: string) => unknown;
}

/** A configuration that could not be read. */
export class ConfigError extends InputSyntaxError {
  override name = "ConfigError";
  /** Keys from the component's config root to the offending value (empty: the whole config). */
  readonly keyPath: readonly string[];
  constructor(message: string, keyPath: readonly string[] = []) {
    super(message);
    this.keyPath = keyPath;
  }
}

/** A check for a number above 0 and at most `max`, e.g. a bandwidth. */
export function positiveNumber(max: number) {
  return (value: unknown, name: string): number => {
    if (typeof value !== "number" || !(value > 0 && value <= max)) {
      throw new ConfigError(
        `Invalid ${name} ${shownValue(value)}: expected a number above 0, at most ${max}`,
      );
    }
    return value;
  };
}

/** A check for a whole number from 1 to `max`, e.g. an interval in milliseconds. */
export function positiveInteger(max: number) {
  return (value: unknown, name: string): number => {
    if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > max) {
      throw new ConfigError(
        `Invalid ${name} ${shownValue(value)}: expected a whole number from 1 to ${max}`,
      );
    }
    return value;
  };
}

/**
 * Parses config text as the Go memtierd does: JSON first, else YAML (strict,
 * unique keys). Empty text is an empty object.
 */
export function parseConfigText(text: string, what: string): unknown {
  const t = text.trim();
  if (t === "") return {};
  try {
    return JSON.parse(t);
  } catch {
    try {
      return YAML.parse(t, { strict: true, uniqueKeys: true, logLevel: "error" }) ?? {};
    } catch (e) {
      const first = (errorText(e)).split("\n")[0];
      throw new ConfigError(`Cannot parse ${what} config: neither JSON nor YAML (${first})`);
    }
  }
}

function parseText(text: string, what: string): Record<string, unknown> {
  const value = parseConfigText(text, what);
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ConfigError(`Cannot parse ${what} config: expected an object of fields`);
  }
  return value as Record<string, unknown>;
}

/**
 * Reads a configuration from JSON or YAML text (or an already parsed
 * object), checking each field and rejecting unknown ones.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert";
 * import { decodeConfig, positiveInteger } from "./decode.ts";
 * const c = decodeConfig("intervalms: 20", "mover", { IntervalMs: 10 }, [
 *   { name: "IntervalMs", check: positiveInteger(60000) },
 * ]);
 * strictEqual(c.IntervalMs, 20);
 * ```
 */
export function decodeConfig<T extends object>(
  input: string | Record<string, unknown>,
  what: string,
  defaults: T,
  fields: readonly ConfigField<T>[],
): T {
  const raw = typeof input === "string" ? parseText(input, what) : input;
  const byLower = new Map(fields.map((f) => [f.name.toLowerCase(), f]));
  const out = { ...defaults } as Record<string, unknown>;
  for (const [key, value] of Object.entries(raw)) {
    const field = byLower.get(key.toLowerCase());
    if (!field) {
      // {"a":1} typed at the prompt without quotes around it loses its
      // inner quotes and reads as YAML key "a:1".
      const hint = key.includes(":")
        ? ` (write 'field: value', or quote the JSON: '{"${fields[0]?.name}":...}')`
        : ` (accepted: ${fields.map((f) => f.name).join(", ")})`;
      throw new ConfigError(`Unknown ${what} config field ${JSON.stringify(key)}${hint}`);
    }
    out[field.name] = field.check(value, field.name);
  }
  return out as T;
}
