import * as v from "valibot";
import { assertEquals, assertThrows } from "../testing/assert.ts";
import { ConfigError } from "./config_error.ts";
import {
  componentRef,
  foldKeys,
  intInRange,
  parseWithSchema,
  positiveInt,
  stringList,
} from "./schema.ts";

const watcher = v.strictObject({
  IntervalMs: v.optional(positiveInt(3_600_000), 5000),
  Cgroups: v.optional(stringList(), []),
  Source: v.optional(componentRef()),
  Nodes: v.optional(v.array(intInRange(-1, 32767)), []),
});

Deno.test("parseWithSchema() fills omitted fields with their defaults", () => {
  assertEquals(parseWithSchema(watcher, "", "cgroups"), {
    IntervalMs: 5000,
    Cgroups: [],
    Nodes: [],
  });
  assertEquals(parseWithSchema(watcher, undefined, "cgroups").IntervalMs, 5000);
});

Deno.test("parseWithSchema() matches keys in any case, from JSON, YAML or a map", () => {
  assertEquals(parseWithSchema(watcher, '{"intervalMS": 20}', "w").IntervalMs, 20);
  assertEquals(parseWithSchema(watcher, "intervalms: 30\ncgroups: [/a]", "w").Cgroups, ["/a"]);
  assertEquals(parseWithSchema(watcher, { INTERVALMS: 40 }, "w").IntervalMs, 40);
});

Deno.test("parseWithSchema() names the key as written, what is accepted, and the value", () => {
  const e = assertThrows(
    () => parseWithSchema(watcher, "intervalms: 0", "pidwatcher"),
    ConfigError,
  );
  assertEquals(
    e.message,
    "pidwatcher: intervalms: must be a whole number from 1 to 3600000 (got 0)",
  );
  assertEquals(e.keyPath, ["intervalms"]);
});

Deno.test("parseWithSchema() refuses unknown keys and lists the accepted ones", () => {
  const e = assertThrows(() => parseWithSchema(watcher, { intervl: 5 }, "cgroups"), ConfigError);
  assertEquals(
    e.message,
    "cgroups: intervl: unknown key (accepted: IntervalMs, Cgroups, Source, Nodes)",
  );
});

Deno.test("parseWithSchema() gives the path into lists and nested maps", () => {
  const e1 = assertThrows(() => parseWithSchema(watcher, "nodes: [0, 99999]", "w"), ConfigError);
  assertEquals(e1.message, "w: nodes.1: must be a whole number from -1 to 32767 (got 99999)");
  const e2 = assertThrows(
    () => parseWithSchema(watcher, { source: { name: "proc", conf: "" } }, "w"),
    ConfigError,
  );
  assertEquals(e2.message, "w: source.conf: unknown key (accepted: name, config)");
});

Deno.test("parseWithSchema() says when the text is neither JSON nor YAML", () => {
  assertThrows(
    () => parseWithSchema(watcher, "{intervalms: [", "w"),
    ConfigError,
    "neither JSON nor YAML",
  );
});

Deno.test("parseWithSchema() refuses a key given twice in different cases", () => {
  assertThrows(
    () => parseWithSchema(watcher, { IntervalMs: 1, intervalms: 2 }, "w"),
    ConfigError,
    "given twice",
  );
});

Deno.test("foldKeys() keeps unknown keys and folds inside lists", () => {
  const s = v.strictObject({ Items: v.array(v.strictObject({ Name: v.string() })) });
  assertEquals(foldKeys({ items: [{ NAME: "a" }], other: 1 }, s), {
    Items: [{ Name: "a" }],
    other: 1,
  });
});

Deno.test("parseWithSchema() keeps a nested component config as text or map", () => {
  const c = parseWithSchema(watcher, { source: { name: "cgroups", config: "intervalms: 3" } }, "w");
  assertEquals(c.Source, { name: "cgroups", config: "intervalms: 3" });
});
