/**
 * Looking a component up by name and parsing its config: what the -config
 * loader does for `policy` and `routines`, what the prompt's `-create` and
 * `-config` do, and what a policy's parser does for its nested
 * `{name, config}` (pidwatcher, tracker, forecaster).
 *
 * Errors are `ConfigError`s whose key path runs from the `{name, config}`
 * map given (`["config", "intervalms"]`, `["name"]`), with no component
 * named: the level that found the map adds its keys and names its own
 * component, the top adds the file and line.
 *
 * @module
 */
import { ConfigError, underKeys } from "../config/config_error.ts";
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
    throw new ConfigError({
      reason: `${kind.kind} ${
        JSON.stringify(name)
      } is not available in this version of memtierd (${available})`,
    });
  }
  throw new ConfigError({ reason: `unknown ${kind.kind} ${JSON.stringify(name)} (${available})` });
}

/**
 * Looks up `ref.name` and parses `ref.config` with that component's schema.
 * Error key paths start at the ref: `["name"]` or `["config", ...]`.
 */
export function parseComponent<T, D>(
  kind: ComponentKind<T, D>,
  ref: { readonly name: string; readonly config?: unknown },
): ComponentSpec<T, D> {
  const factory = underKeys(["name"], () => findFactory(kind, ref.name));
  const what = `${kind.kind} ${ref.name}`;
  if (Array.isArray(ref.config)) {
    throw new ConfigError({
      reason: "must be a string of JSON or YAML, or a map (got a list)",
      keyPath: ["config"],
    });
  }
  const config = underKeys(["config"], () => factory.parse(ref.config, what));
  return { name: ref.name, factory, config };
}

/**
 * For a component's parser: parses a nested `{name, config}` found under
 * `key` of the config of `what` (e.g. a policy's `pidwatcher`), so that an
 * error reads `policy age: pidwatcher.config.intervalms: REASON`.
 */
export function parseNested<T, D>(
  kind: ComponentKind<T, D>,
  key: string,
  ref: { readonly name: string; readonly config?: unknown },
  what: string,
): ComponentSpec<T, D> {
  return underKeys([key], () => parseComponent(kind, ref), what);
}
