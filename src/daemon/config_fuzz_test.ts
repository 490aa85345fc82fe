import fc from "fast-check";
import YAML from "yaml";
import { ConfigError } from "../config/config_error.ts";
import { assertOk } from "../testing/assert.ts";
import { parseDaemonConfig } from "./config_file.ts";
import { loadAllComponents } from "../_test_components.ts";

await loadAllComponents();

// Keys the loader knows (in random case), some it does not, and values of
// every type, nested; config values as maps or as JSON/YAML text.
const knownKeys = [
  "policy",
  "routines",
  "name",
  "config",
  "intervalms",
  "intervalcommand",
  "intervalcommandrunner",
  "pageoutmb",
  "pageoutcommand",
  "pageoutcommandrunner",
  "timestamp",
  "timestampafter",
  "pidwatcher",
];
const names = ["stub", "statactions", "age", "heat", "", "x"];
const runners = ["exec", "memtier", "memtier-prompt", "", "bash"];

const key = fc.oneof(
  fc.constantFrom(...knownKeys).chain((k) =>
    fc.array(fc.boolean(), { minLength: k.length, maxLength: k.length }).map((up) =>
      [...k].map((c, i) => (up[i] ? c.toUpperCase() : c)).join("")
    )
  ),
  fc.string({ maxLength: 6 }),
);
const scalar = fc.oneof(
  fc.integer({ min: -5, max: 5_000_000 }),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom(...names, ...runners),
  fc.string({ maxLength: 10 }),
);
const { value } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    scalar,
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(key, tie("value"), { maxKeys: 5 }),
    // A config given as text, the Go way.
    tie("value").map((x) => JSON.stringify(x) ?? ""),
    tie("value").map((x) => YAML.stringify(x)),
  ),
}));
const ref = fc.record({
  name: fc.constantFrom(...names),
  config: fc.oneof(
    value,
    value.map((x) => YAML.stringify(x)),
    value.map((x) => JSON.stringify(x) ?? ""),
  ),
}, { requiredKeys: ["name"] });
const document = fc.oneof(
  fc.record({ policy: ref, routines: fc.array(ref, { maxLength: 3 }) }, { requiredKeys: [] }),
  fc.dictionary(key, value, { maxKeys: 4 }),
  value,
);

/** Text edits that break documents: cut, insert, duplicate a line, add anchors and aliases. */
const edit = fc.oneof(
  fc.constant((t: string) => t),
  fc.nat().map((n) => (t: string) => t.slice(0, n % (t.length + 1))),
  fc.tuple(
    fc.nat(),
    fc.constantFrom(":", "-", "[", "{", "'", '"', "|", "&a ", "*a", "\t", "\n  ", "#"),
  )
    .map(([n, s]) => (t: string) => {
      const i = n % (t.length + 1);
      return t.slice(0, i) + s + t.slice(i);
    }),
  fc.nat().map((n) => (t: string) => {
    const lines = t.split("\n");
    const i = n % lines.length;
    lines.splice(i, 0, lines[i]!);
    return lines.join("\n");
  }),
  fc.constant((t: string) => `x: &a [1, 2]\ny: *a\n${t}`),
  fc.constant((t: string) =>
    t.replace(/config: /, "config: &c ").replace(/(\n\s+)config: (?!&)/, "$1config: *c ")
  ),
);

Deno.test("any config document gives a config or one ConfigError line naming the file (10,000 documents)", () => {
  let errors = 0;
  fc.assert(
    fc.property(document, edit, fc.boolean(), (doc, mutate, asJson) => {
      const text = mutate(asJson ? JSON.stringify(doc) ?? "" : YAML.stringify(doc));
      try {
        parseDaemonConfig(text, "fuzz.yaml");
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        errors++;
        assertOk(!e.message.includes("\n"), `not one line: ${JSON.stringify(e.message)}`);
        assertOk(/^fuzz\.yaml:\d+: /.test(e.message), `no file:line: ${e.message}`);
      }
    }),
    { numRuns: 10_000 },
  );
  assertOk(errors > 1000 && errors < 10_000, `errors: ${errors} of 10,000`);
});
