/**
 * A config that could not be read, kept as its parts until it is shown:
 * the reason (what was wrong and what is accepted), the key path to the
 * offending value, the component whose config it is, the config file and
 * line, and the command that failed. Each level adds the part it knows (a
 * policy the keys under which it found a nested component, the -config
 * loader the file and line, the prompt its command) and `formatConfigError`
 * writes the one line people read, for the config file and for the prompt
 * alike:
 *
 *   [ACTION: ][FILE:LINE: ][COMPONENT: ][KEY.PATH: ]REASON
 *
 * A key that is not a plain word (a colon, a space, a newline in it) is
 * quoted. In a file the component is not named (the key path from the
 * file's root says whose config it is) and a reason over several lines is
 * joined into one.
 *
 * @module
 */
import { InputSyntaxError } from "../errors.ts";
import { locateKeyPath } from "./key_location.ts";

/** What a config error is made of; all but the reason are optional. */
export interface ConfigErrorParts {
  /** What was wrong and what is accepted: `must be a whole number from 1 to 60000 (got 0)`. */
  readonly reason: string;
  /** Keys from the config's root to the offending value (empty: the whole config). */
  readonly keyPath?: readonly string[] | undefined;
  /** Whose config it is: `policy heat`, `pidwatcher proc`. */
  readonly component?: string | undefined;
  /** The config file, and the line the key path leads to in it. */
  readonly file?: { readonly name: string; readonly line: number } | undefined;
  /** The command that failed, first on the line: `config failed`. */
  readonly action?: string | undefined;
}

/**
 * The one line of a config error.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert";
 * import { formatConfigError } from "./config_error.ts";
 * strictEqual(
 *   formatConfigError({ reason: "must be true or false (got 1)", keyPath: ["DryRun"], component: "policy age" }),
 *   "policy age: DryRun: must be true or false (got 1)",
 * );
 * strictEqual(
 *   formatConfigError({ reason: "unknown key", keyPath: ["policy", "config", "a:1"], file: { name: "m.yaml", line: 4 } }),
 *   'm.yaml:4: policy.config."a:1": unknown key',
 * );
 * ```
 */
export function formatConfigError(parts: ConfigErrorParts): string {
  const keys = (parts.keyPath ?? []).map((k) =>
    /^[\w.-]*$/.test(k) && k !== "" ? k : JSON.stringify(k)
  );
  let reason = parts.reason;
  let line = parts.action ? `${parts.action}: ` : "";
  if (parts.file) {
    line += `${parts.file.name}:${parts.file.line}: `;
    reason = reason.replace(/\s*\n\s*/g, " ");
  } else if (parts.component) {
    line += `${parts.component}: `;
  }
  if (keys.length > 0) line += `${keys.join(".")}: `;
  return line + reason;
}

/** A configuration that could not be read; its message is `formatConfigError` of its parts. */
export class ConfigError extends InputSyntaxError {
  override name = "ConfigError";
  /** What was wrong and what is accepted. */
  readonly reason: string;
  /** Keys from the component's config root to the offending value (empty: the whole config). */
  readonly keyPath: readonly string[];
  /** Whose config it is, where the level that threw knew it. */
  readonly component: string | undefined;
  /** The config file and line, once the loader knows them. */
  readonly file: ConfigErrorParts["file"];
  /** The command that failed, where a command says so. */
  readonly action: string | undefined;

  constructor(parts: ConfigErrorParts) {
    super(formatConfigError(parts));
    this.reason = parts.reason;
    this.keyPath = parts.keyPath ?? [];
    this.component = parts.component;
    this.file = parts.file;
    this.action = parts.action;
  }

  /** The parts, to make a changed copy from. */
  parts(): ConfigErrorParts {
    return {
      reason: this.reason,
      keyPath: this.keyPath,
      component: this.component,
      file: this.file,
      action: this.action,
    };
  }

  /**
   * The same reason found under `keys` of the config of `component` (or of
   * a component the caller does not name): what a level that parsed a
   * nested config throws.
   */
  under(keys: readonly string[], component?: string): ConfigError {
    return new ConfigError({
      reason: this.reason,
      keyPath: [...keys, ...this.keyPath],
      component,
    });
  }
}

/**
 * The parts of `e` as found in the config file `name` whose text is
 * `text`, under `keys` of it: the line its key path leads to, the keys as
 * the file spells them, and no component (the path from the file's root
 * says whose config it is).
 */
export function inConfigFile(
  e: ConfigError,
  name: string,
  text: string,
  keys: readonly (string | number)[] = [],
): ConfigErrorParts {
  const { line, shownPath } = locateKeyPath(text, [...keys, ...e.keyPath]);
  return { reason: e.reason, keyPath: shownPath, file: { name, line } };
}

/**
 * Runs `f`; a ConfigError from it comes out found under `keys` of the
 * config of `component` (`ConfigError.under`).
 */
export function underKeys<R>(keys: readonly string[], f: () => R, component?: string): R {
  try {
    return f();
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    throw e.under(keys, component);
  }
}
