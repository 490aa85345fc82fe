import { ConfigError } from "../config/config_error.ts";
import { loadDaemonConfig } from "../daemon/config_file.ts";
import { assertEquals, assertRejects, assertThrows } from "../testing/assert.ts";
import { type ComponentKind, parseComponent, parseNested } from "./components.ts";
import type { ComponentFactory } from "./deps.ts";
import { ComponentNotLoaded, lazyFactory, loadAll, withComponentsLoaded } from "./lazy.ts";

/** A factory whose config is `{inner?: {name}}`, `inner` parsed as a nested `kind` component. */
function outerFactory(kind: () => ComponentKind<string>): ComponentFactory<unknown, string> {
  return {
    description: "outer",
    parse: (raw) => {
      const inner = (raw as { inner?: { name: string } } | undefined)?.inner;
      return inner ? parseNested(kind(), "inner", inner, "outer").name : "alone";
    },
    create: (config) => String(config),
  };
}

const leaf: ComponentFactory<unknown, string> = {
  description: "leaf",
  parse: () => "leaf",
  create: () => "leaf",
};

/** A registry of lazy entries that counts the imports of each. */
function countingKind() {
  const imports = new Map<string, number>();
  const counted = <F>(name: string, factory: F) => () => {
    imports.set(name, (imports.get(name) ?? 0) + 1);
    return Promise.resolve(factory);
  };
  const kind: ComponentKind<string> = {
    kind: "thing",
    registry: new Map([
      ["outer", lazyFactory(counted("outer", outerFactory(() => kind)))],
      ["leaf", lazyFactory(counted("leaf", leaf))],
      ["unused", lazyFactory(counted("unused", leaf))],
    ]),
  };
  return { kind, imports };
}

Deno.test("a lazy entry used before its module is loaded throws ComponentNotLoaded", () => {
  const { kind, imports } = countingKind();
  assertThrows(() => parseComponent(kind, { name: "leaf" }), ComponentNotLoaded);
  assertEquals(imports.size, 0);
});

Deno.test("withComponentsLoaded loads the components a config names, nested ones too, and no other", async () => {
  const { kind, imports } = countingKind();
  const spec = await withComponentsLoaded(() =>
    parseComponent(kind, { name: "outer", config: { inner: { name: "leaf" } } })
  );
  assertEquals(spec.config, "leaf");
  assertEquals(spec.factory.create(spec.config, undefined as never), "leaf");
  assertEquals([...imports].sort(), [["leaf", 1], ["outer", 1]]);
});

Deno.test("a lazy entry imports its module once, however many parses wait for it", async () => {
  const { kind, imports } = countingKind();
  await Promise.all(
    [1, 2, 3].map(() => withComponentsLoaded(() => parseComponent(kind, { name: "leaf" }))),
  );
  await withComponentsLoaded(() => parseComponent(kind, { name: "leaf" }));
  assertEquals(imports.get("leaf"), 1);
});

Deno.test("an unknown name gives the same one-line error, and loads nothing", async () => {
  const { kind, imports } = countingKind();
  const e = await assertRejects(
    () => withComponentsLoaded(() => parseComponent(kind, { name: "nope" })),
    ConfigError,
  );
  assertEquals(e.message, `name: unknown thing "nope" (available: leaf, outer, unused)`);
  assertEquals(imports.size, 0);
});

Deno.test("a config error of a loaded component is thrown as it is", async () => {
  const failing = lazyFactory(() =>
    Promise.resolve({
      ...leaf,
      parse: () => {
        throw new ConfigError({ reason: "must be a map", keyPath: ["x"] });
      },
    })
  );
  const e = await assertRejects(
    () => withComponentsLoaded(() => failing.parse(1, "")),
    ConfigError,
  );
  assertEquals(e.message, "x: must be a map");
});

Deno.test("a module that failed to import is imported again on the next use", async () => {
  let tries = 0;
  const entry = lazyFactory(() =>
    ++tries === 1 ? Promise.reject(new Error("Cannot read chunk")) : Promise.resolve(leaf)
  );
  const e = await assertRejects(
    () => withComponentsLoaded(() => entry.parse(undefined, "")),
    Error,
  );
  assertEquals(e.message, "Cannot read chunk");
  assertEquals(entry.loaded, false);
  assertEquals(await withComponentsLoaded(() => entry.parse(undefined, "")), "leaf");
  assertEquals(tries, 2);
});

Deno.test("loadAll loads every lazy entry of a registry", async () => {
  const { kind, imports } = countingKind();
  await loadAll(kind.registry);
  assertEquals([...imports.keys()].sort(), ["leaf", "outer", "unused"]);
});

Deno.test("loadDaemonConfig loads the policy, tracker and pidwatcher a config file names", async () => {
  const config = await loadDaemonConfig(
    "policy:\n  name: age\n  config:\n    pidwatcher: {name: pidlist, config: {pids: [1]}}\n" +
      "    tracker: {name: softdirty}\n",
    "f.yaml",
  );
  assertEquals(config.policy?.name, "age");
  assertEquals(config.routines, []);
});

Deno.test("loadDaemonConfig: an unknown tracker is the one-line error with file and line", async () => {
  const e = await assertRejects(
    () =>
      loadDaemonConfig(
        "policy:\n  name: age\n  config:\n    pidwatcher: {name: pidlist, config: {pids: [1]}}\n" +
          "    tracker: {name: nosuch}\n",
        "f.yaml",
      ),
    ConfigError,
  );
  assertEquals(
    e.message,
    `f.yaml:5: policy.config.tracker.name: unknown tracker "nosuch" ` +
      "(available: damon, finder, idlepage, multi, softdirty, stub)",
  );
});
