/**
 * Looking a component up by name and parsing its config: what the -config
 * loader does for `policy` and `routines`, what the prompt's `-create` and
 * `-config` do, and what a policy's parser does for its nested
 * `{name, config}` (pidwatcher, tracker, forecaster).
 *
 * Errors are `ConfigError`s whose key path runs from the `{name, config}`
 * map given (`["config", "intervalms"]`, `["name"]`), and whose message is
 * only the reason (`must be a whole number from 1 to 3600000 (got 0)`), so
 * that each level adds its keys and the top adds the file and line.
 *
 * @module
 */
import { ConfigError } from "../config/decode.ts";
import { quoted } from "../common/excerpt.ts";
import type { ComponentDeps, ComponentFactory, Registry } from "./deps.ts";

/** One kind of component: its name in messages and its registry. */
export interface ComponentKind<T, Deps = ComponentDeps> {
  /** `policy`, `routine`, `pidwatcher`, `tracker`, `heat forecaster`. */
  readonly kind: string;
  readonly registry: Registry<T, Deps>;
  /**
   * Names the Go memtierd has that this version does not build yet: a
   * config naming one gets "not available in this version", not "unknown".
   */
  readonly notYetAvailable?: readonly string[];
}

/** A named component with its parsed config, ready to create. */
export interface ComponentSpec<T, Deps = ComponentDeps> {
  readonly name: string;
  readonly factory: ComponentFactory<unknown, T, Deps>;
  readonly config: unknown;
}

/** Names in a registry, sorted (for `-ls` and messages). */
export function componentNames<T, D>(kind: ComponentKind<T, D>): string[] {
  return [...kind.registry.keys()].sort();
}

/** The factory for `name`; throws a ConfigError (reason only) that says which names exist. */
export function findFactory<T, D>(
  kind: ComponentKind<T, D>,
  name: string,
): ComponentFactory<unknown, T, D> {
  const factory = kind.registry.get(name);
  if (factory) return factory;
  const available = `available: ${componentNames(kind).join(", ")}`;
  if (kind.notYetAvailable?.includes(name)) {
    throw new ConfigError(
      `${kind.kind} ${
        JSON.stringify(name)
      } is not available in this version of memtierd (${available})`,
    );
  }
  throw new ConfigError(`unknown ${kind.kind} ${quoted(name)} (${available})`);
}

/**
 * The reason of a ConfigError without the prefixes `parseWithSchema` puts
 * before it (`WHAT: ` and `KEY.PATH: `).
 */
export function configReason(e: ConfigError, what?: string): string {
  let m = e.message;
  if (what !== undefined && m.startsWith(`${what}: `)) m = m.slice(what.length + 2);
  const p = e.keyPath.join(".");
  if (p !== "" && m.startsWith(`${p}: `)) m = m.slice(p.length + 2);
  return m;
}

/** Runs `f`; a ConfigError from it comes out with `prefix` before its key path. */
function withKeyPrefix<R>(prefix: readonly string[], f: () => R, what?: string): R {
  try {
    return f();
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    throw new ConfigError(configReason(e, what), [...prefix, ...e.keyPath]);
  }
}

/**
 * Looks up `ref.name` and parses `ref.config` with that component's schema.
 * Error key paths start at the ref: `["name"]` or `["config", ...]`.
 */
export function parseComponent<T, D>(
  kind: ComponentKind<T, D>,
  ref: { readonly name: string; readonly config?: unknown },
): ComponentSpec<T, D> {
  const factory = withKeyPrefix(["name"], () => findFactory(kind, ref.name));
  const what = `${kind.kind} ${ref.name}`;
  if (Array.isArray(ref.config)) {
    throw new ConfigError("must be a string of JSON or YAML, or a map (got a list)", ["config"]);
  }
  const config = withKeyPrefix(["config"], () => factory.parse(ref.config, what), what);
  return { name: ref.name, factory, config };
}

/**
 * For a component's parser: parses a nested `{name, config}` found under
 * `key` (e.g. a policy's `pidwatcher`), so that an error's key path reads
 * `pidwatcher.config.intervalms`.
 */
export function parseNested<T, D>(
  kind: ComponentKind<T, D>,
  key: string,
  ref: { readonly name: string; readonly config?: unknown },
): ComponentSpec<T, D> {
  return withKeyPrefix([key], () => parseComponent(kind, ref));
}

/**
 * A component the prompt holds: created by name, configured (maybe later,
 * as the Go prompt allows `-create` then `-config`), and maybe running.
 */
export interface ComponentSlot<T> {
  readonly name: string;
  /** The parsed config, or undefined while none was given and the defaults do not do. */
  config: unknown;
  instance: T | null;
  running: boolean;
}
