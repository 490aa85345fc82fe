/**
 * Components loaded on demand. A registry entry made by `lazyFactory`
 * imports its component's module the first time a config names it, so that
 * a daemon compiles and runs only the components its config uses (issue 18:
 * memory per daemon; the single-file build keeps each such module in a
 * chunk of its own that is read only then, see tools/build.ts).
 *
 * A component's config parser is synchronous and may name other
 * components (a policy's config names its tracker, a `filter` pidwatcher
 * its source), so the names a config needs are only known while it is
 * parsed. An entry not loaded yet therefore throws `ComponentNotLoaded`
 * from `parse` and `create`; `withComponentsLoaded` runs a parse, loads
 * what it asked for and runs the parse again, until it returns or throws
 * anything else. Parsers are pure, so running one again is safe; a name no
 * registry has still fails on the first run, with the same error.
 *
 *   daemon/, cli/check, prompt/commands ──withComponentsLoaded──> parse
 *   policies/, trackers/, pidwatchers/, routines/ mod.ts ──lazyFactory──> import()
 *
 * @module
 */
import type { ComponentFactory } from "./deps.ts";

/**
 * Thrown by a lazy registry entry used before its module is loaded; only
 * `withComponentsLoaded` (or a caller that awaits `load`) should see it.
 */
export class ComponentNotLoaded extends Error {
  constructor(readonly load: () => Promise<void>) {
    super(
      "Cannot use a component before its module is loaded (internal: use withComponentsLoaded)",
    );
    this.name = "ComponentNotLoaded";
  }
}

/** A registry entry that imports its factory on first use. */
export interface LazyFactory<Config, T, Deps> extends ComponentFactory<Config, T, Deps> {
  /** Imports the module (once); resolves when `parse` and `create` can run. */
  load(): Promise<void>;
  /** Whether the module is loaded. */
  readonly loaded: boolean;
}

/**
 * A registry entry for the factory that `load` imports, e.g.
 * `lazyFactory(() => import("./age.ts").then((m) => m.agePolicyFactory))`.
 *
 * @example
 * ```ts
 * import { lazyFactory, withComponentsLoaded } from "./lazy.ts";
 * import { assertEquals } from "../testing/assert.ts";
 *
 * const entry = lazyFactory(() =>
 *   Promise.resolve({
 *     description: "doubles",
 *     parse: (raw: unknown) => Number(raw) * 2,
 *     create: (config: number) => config,
 *   })
 * );
 * assertEquals(entry.loaded, false);
 * assertEquals(await withComponentsLoaded(() => entry.parse(21, "x")), 42);
 * assertEquals(entry.loaded, true);
 * ```
 */
export function lazyFactory<Config, T, Deps>(
  load: () => Promise<ComponentFactory<Config, T, Deps>>,
): LazyFactory<Config, T, Deps> {
  let factory: ComponentFactory<Config, T, Deps> | undefined;
  let loading: Promise<void> | undefined;
  const entry: LazyFactory<Config, T, Deps> = {
    load() {
      loading ??= load().then((f) => void (factory = f), (e) => {
        loading = undefined; // a failed import may be tried again
        throw e;
      });
      return loading;
    },
    get loaded() {
      return factory !== undefined;
    },
    get description() {
      return ready().description;
    },
    parse: (raw, what) => ready().parse(raw, what),
    create: (config, deps) => ready().create(config, deps),
  };
  const ready = () => {
    if (factory === undefined) throw new ComponentNotLoaded(entry.load);
    return factory;
  };
  return entry;
}

/** How many modules one parse may ask for before we call it a loop (a bug). */
const MAX_LOADS = 64;

/**
 * Runs `parse`; each time it throws `ComponentNotLoaded`, loads that module
 * and runs it again. Resolves to what it returns; rejects with anything
 * else it throws.
 */
export async function withComponentsLoaded<R>(parse: () => R): Promise<R> {
  for (let loads = 0;; loads++) {
    try {
      return parse();
    } catch (e) {
      if (!(e instanceof ComponentNotLoaded) || loads >= MAX_LOADS) throw e;
      await e.load();
    }
  }
}

/** Loads every lazy entry of `registry` (the prompt's `-ls`, tests). */
export async function loadAll(registry: ReadonlyMap<string, object>): Promise<void> {
  await Promise.all(
    [...registry.values()].map((f) => "load" in f && typeof f.load === "function" ? f.load() : 0),
  );
}
