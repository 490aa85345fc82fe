/**
 * Component configurations checked against valibot schemas, with the Go
 * memtierd's leniencies: a config may be JSON or YAML text or an already
 * parsed map, and keys match the schema's field names in any case
 * (`IntervalMs`, `intervalms`). Unknown keys are errors; omitted fields take
 * the defaults the schema gives (`v.optional(schema, default)`).
 *
 * Failures throw a `ConfigError` of parts: the component (`what`), the key
 * path (as the user spelled the keys) and a reason that says what is
 * accepted and what was given: `pidwatcher proc: intervalms: must be a
 * whole number from 1 to 3600000 (got 0)`. The -config loader adds the
 * file, line and outer key path.
 *
 * @module
 */
import * as v from "valibot";
import YAML from "yaml";
import { errorText } from "../common/error_text.ts";
import { ConfigError, underKeys } from "./config_error.ts";
import { shownValue } from "../common/excerpt.ts";
import { MAX_LIST_ITEMS } from "../common/limits.ts";

type AnySchema = v.GenericSchema;

/** The inner schema of optional/nullable/nullish wrappers and pipes. */
function unwrap(schema: AnySchema): AnySchema {
  let s = schema as AnySchema & {
    wrapped?: AnySchema;
    pipe?: readonly unknown[];
    getter?: (input: unknown) => AnySchema;
  };
  for (;;) {
    if (s.wrapped) s = s.wrapped as typeof s;
    else if (s.type === "lazy" && s.getter) s = s.getter(undefined) as typeof s; // recursive schemas
    else if (s.pipe && s.pipe[0] !== s && typeof s.pipe[0] === "object") {
      const first = s.pipe[0] as AnySchema & { kind?: string };
      if (first.kind !== "schema" || first === s) return s;
      s = first as typeof s;
    } else return s;
  }
}

function objectEntries(schema: AnySchema): Record<string, AnySchema> | undefined {
  const s = unwrap(schema) as AnySchema & { entries?: Record<string, AnySchema> };
  return s.entries;
}

const originalKeys = new WeakMap<object, Map<string, string>>();

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
      const first = errorText(e).split("\n")[0];
      throw new ConfigError({
        reason: `Cannot parse ${what ? `${what} ` : ""}config: neither JSON nor YAML (${first})`,
      });
    }
  }
}

/**
 * Renames keys to the schema's spelling (case-insensitive), recursively
 * through objects, arrays and records. Unknown keys are kept, so that the
 * strict schema reports them.
 */
export function foldKeys(value: unknown, schema: AnySchema): unknown {
  const s = unwrap(schema) as AnySchema & {
    type?: string;
    entries?: Record<string, AnySchema>;
    item?: AnySchema;
    value?: AnySchema;
    options?: readonly AnySchema[];
  };
  if (Array.isArray(value)) {
    // valibot's objects take lists too (as maps of indices): `Not: []` would be `{}`.
    if (s.entries) throw new ConfigError({ reason: "must be a map of fields, not a list" });
    return s.item ? value.map((x, i) => underKeys([String(i)], () => foldKeys(x, s.item!))) : value;
  }
  if (value === null || typeof value !== "object") return value;
  const obj = value as Record<string, unknown>;
  if (s.entries) {
    const byLower = new Map(Object.keys(s.entries).map((k) => [k.toLowerCase(), k]));
    const out: Record<string, unknown> = {};
    const names = new Map<string, string>();
    for (const [key, val] of Object.entries(obj)) {
      const canonical = byLower.get(key.toLowerCase()) ?? key;
      if (Object.hasOwn(out, canonical)) {
        throw new ConfigError({
          reason: `given twice (as ${names.get(canonical)} and ${key})`,
          keyPath: [key],
        });
      }
      names.set(canonical, key);
      const entry = s.entries[canonical];
      out[canonical] = entry ? underKeys([key], () => foldKeys(val, entry)) : val;
    }
    originalKeys.set(out, names);
    return out;
  }
  if (s.type === "record" && s.value) {
    const out: Record<string, unknown> = {};
    for (const [key, val] of Object.entries(obj)) {
      out[key] = underKeys([key], () => foldKeys(val, s.value!));
    }
    return out;
  }
  if (s.options) {
    // A union: fold with the first object option (configs use unions of
    // text and maps, where only the map has keys to fold).
    const withEntries = s.options.find((o) => objectEntries(o));
    return withEntries ? foldKeys(value, withEntries) : value;
  }
  return value;
}

function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (typeof value === "object" && value !== null) return Array.isArray(value) ? "a list" : "a map";
  return shownValue(value);
}

function issueMessage(
  issue: v.BaseIssue<unknown>,
  schemaAtPath: AnySchema | undefined,
  key: string | undefined,
): string {
  if (issue.kind === "schema" && issue.type === "strict_object" && issue.expected === "never") {
    const entries = schemaAtPath ? objectEntries(schemaAtPath) : undefined;
    const keys = entries ? Object.keys(entries) : undefined;
    // {"a":1} typed at the prompt without quotes around it loses its inner
    // quotes and reads as YAML key "a:1".
    const accepted = keys === undefined
      ? ""
      : keys.length === 0
      ? " (no keys are accepted here)"
      : key?.includes(":")
      ? ` (write 'field: value', or quote the JSON: '{"${keys[0]}":...}')`
      : ` (accepted: ${keys.join(", ")})`;
    return `unknown key${accepted}`;
  }
  // A required key left out: valibot expects the key name itself.
  if (issue.input === undefined && /^".*"$/.test(issue.expected ?? "")) {
    return "missing: this key is required";
  }
  // A list beyond its limit: its length, not its items.
  if (issue.type === "max_length") return `${issue.message} (got ${issue.received})`;
  // Our field helpers give messages that start with "must"; valibot's own
  // say "Invalid type: Expected number but received ..."
  if (issue.message.startsWith("must")) {
    return `${issue.message} (got ${describeValue(issue.input)})`;
  }
  if (issue.kind === "schema") {
    return `must be ${issue.expected ?? issue.type} (got ${describeValue(issue.input)})`;
  }
  return `${issue.message} (got ${describeValue(issue.input)})`;
}

/** Walks the schema along keys; undefined when it cannot follow. */
function schemaAt(schema: AnySchema, keys: readonly unknown[]): AnySchema | undefined {
  let s: AnySchema | undefined = schema;
  for (const k of keys) {
    if (!s) return undefined;
    const u = unwrap(s) as AnySchema & {
      entries?: Record<string, AnySchema>;
      item?: AnySchema;
      value?: AnySchema;
    };
    s = u.entries ? u.entries[String(k)] : u.item ?? u.value;
  }
  return s;
}

/**
 * Checks a raw config (text, map, or undefined for "none given") against
 * `schema`; returns the typed config with defaults filled in.
 *
 * @example
 * ```ts
 * import * as v from "valibot";
 * import { parseWithSchema, positiveInt } from "./schema.ts";
 * import assert from "node:assert";
 * const schema = v.strictObject({ IntervalMs: v.optional(positiveInt(60000), 5000) });
 * assert.deepStrictEqual(parseWithSchema(schema, "intervalms: 20", "poller"), { IntervalMs: 20 });
 * assert.deepStrictEqual(parseWithSchema(schema, undefined, "poller"), { IntervalMs: 5000 });
 * ```
 */
export function parseWithSchema<S extends AnySchema>(
  schema: S,
  raw: unknown,
  what: string,
): v.InferOutput<S> {
  const value = raw === undefined || raw === null
    ? {}
    : typeof raw === "string"
    ? parseConfigText(raw, what)
    : raw;
  let folded: unknown;
  try {
    folded = foldKeys(value, schema);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    throw new ConfigError({ ...e.parts(), component: what || undefined });
  }
  const result = v.safeParse(schema, folded);
  if (result.success) return result.output;
  const issue = result.issues[0];
  const pathKeys = (issue.path ?? []).map((p) => p.key);
  // Key names as the user wrote them.
  const shown: string[] = [];
  let node: unknown = folded;
  for (const k of pathKeys) {
    const names = node !== null && typeof node === "object" ? originalKeys.get(node) : undefined;
    shown.push(names?.get(String(k)) ?? String(k));
    node = node !== null && typeof node === "object"
      ? (node as Record<string, unknown>)[String(k)]
      : undefined;
  }
  const parentSchema = schemaAt(schema, pathKeys.slice(0, -1));
  const reason = issueMessage(issue, parentSchema, shown.at(-1));
  throw new ConfigError({ reason, keyPath: shown, component: what || undefined });
}

// Field helpers: schemas whose messages say what is accepted.

/** A whole number from 1 to `max` (an interval, a count). */
export function positiveInt(max: number) {
  const m = `must be a whole number from 1 to ${max}`;
  return v.pipe(v.number(m), v.integer(m), v.minValue(1, m), v.maxValue(max, m));
}

/** A whole number from `min` to `max`. */
export function intInRange(min: number, max: number) {
  const m = `must be a whole number from ${min} to ${max}`;
  return v.pipe(v.number(m), v.integer(m), v.minValue(min, m), v.maxValue(max, m));
}

/** A number above 0, at most `max`. */
export function positiveNumber(max: number) {
  const m = `must be a number above 0, at most ${max}`;
  return v.pipe(v.number(m), v.gtValue(0, m), v.maxValue(max, m));
}

/** A true/false switch. */
export function bool() {
  return v.boolean("must be true or false");
}

/** A string that is not empty. */
export function nonEmptyString(what = "a non-empty string") {
  const m = `must be ${what}`;
  return v.pipe(v.string(m), v.minLength(1, m));
}

/** A list of strings, at most MAX_LIST_ITEMS of them. */
export function stringList() {
  return v.pipe(
    v.array(v.string("must be a string"), "must be a list of strings"),
    atMostItems(MAX_LIST_ITEMS, "strings"),
  );
}

/** A length check for a list: `must have at most 10000 pids (got 200000)`. */
export function atMostItems<T extends unknown[]>(max: number, what: string) {
  return v.maxLength<T, number, string>(max, `must have at most ${max} ${what}`);
}

/**
 * A nested component `{name, config}` as the Go memtierd writes it: config
 * is a string of JSON or YAML, or (ours too) a nested map; it is checked
 * later by the named component's own schema.
 */
export function componentRef() {
  return v.strictObject({
    name: nonEmptyString("a component name"),
    config: v.optional(
      v.union(
        [
          v.string(),
          // Not v.record: it takes a list too (as a map of indices).
          v.custom<Record<string, unknown>>((x) =>
            typeof x === "object" && x !== null && !Array.isArray(x)
          ),
          v.null(),
        ],
        "must be a string of JSON or YAML, or a map",
      ),
    ),
  });
}

/** A `{name, config}` reference as parsed by `componentRef()`. */
export type ComponentRef = v.InferOutput<ReturnType<typeof componentRef>>;
