/**
 * The -config loader against hostile or odd input: where an unclosed
 * bracket opened, keys that are lists, and no yaml-package warnings on
 * stderr before our one line.
 */
import process from "node:process";
import { ConfigError } from "../config/config_error.ts";
import { assertEquals, assertThrows } from "../testing/assert.ts";
import { parseDaemonConfig } from "./config_file.ts";
import { loadAllComponents } from "../_test_components.ts";

await loadAllComponents();

/** Runs `f` with process.emitWarning (where the yaml package warns) recorded. */
function warningsOf(f: () => void): string[] {
  const warnings: string[] = [];
  const orig = process.emitWarning;
  process.emitWarning = ((w: string | Error) => void warnings.push(String(w))) as typeof orig;
  try {
    f();
  } finally {
    process.emitWarning = orig;
  }
  return warnings;
}

Deno.test("an unclosed [ on a one-line config is reported on line 1, where it opened", () => {
  const e = assertThrows(() => parseDaemonConfig("policy: [unclosed\n", "bad.yaml"), ConfigError);
  assertEquals(
    e.message,
    "bad.yaml:1: cannot read YAML: Flow sequence in block collection must be sufficiently indented and end with a ]",
  );
});

Deno.test("an unclosed [ over several lines is reported where it opened, not where the file ends", () => {
  const text = "policy: {name: stub}\nroutines: [\n  {name: stub},\n\n";
  const e = assertThrows(() => parseDaemonConfig(text, "bad.yaml"), ConfigError);
  assertEquals(
    e.message,
    "bad.yaml:2: cannot read YAML: Flow sequence in block collection must be sufficiently indented and end with a ]",
  );
});

Deno.test("a key that is a list is one error line, with no yaml warning before it", () => {
  const warnings = warningsOf(() => {
    const e = assertThrows(
      () => parseDaemonConfig("policy: {name: stub}\n? [a, b]\n: 1\n", "bad.yaml"),
      ConfigError,
    );
    assertEquals(e.message, "bad.yaml:2: a key must be a word, not a list or a map");
  });
  assertEquals(warnings, []);
});

Deno.test("a key that is a map inside a config string warns nothing and is an unknown key", () => {
  const warnings = warningsOf(() => {
    const e = assertThrows(
      () => parseDaemonConfig('policy: {name: stub, config: "? {a: 1}\\n: 1"}\n', "bad.yaml"),
      ConfigError,
    );
    assertEquals(
      e.message,
      'bad.yaml:1: policy.config."{ a: 1 }": unknown key (no keys are accepted here)',
    );
  });
  assertEquals(warnings, []);
});

Deno.test("more than 256 routines is one line saying the limit, before any is created", () => {
  const text = `routines:\n${"  - name: stub\n".repeat(257)}`;
  const e = assertThrows(() => parseDaemonConfig(text, "big.yaml"), ConfigError);
  assertEquals(e.message, "big.yaml:1: routines: must have at most 256 routines (got 257)");
});

Deno.test("a pidlist of 10,001 pids is one short line saying the limit", () => {
  const pids = Array.from({ length: 10_001 }, (_, i) => i + 1).join(",");
  const text = "policy:\n  name: age\n  config:\n    tracker: {name: softdirty}\n" +
    `    pidwatcher: {name: pidlist, config: {pids: [${pids}]}}\n`;
  const e = assertThrows(() => parseDaemonConfig(text, "big.yaml"), ConfigError);
  assertEquals(
    e.message,
    "big.yaml:5: policy.config.pidwatcher.config.pids: must have at most 10000 pids (got 10001)",
  );
});

Deno.test("a line of /etc/shadow or /etc/passwd given as -config is not copied into the error", () => {
  const shadow =
    "root:$6$Qx9Salt$Zk2hashHASHhash:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\n";
  assertEquals(
    assertThrows(() => parseDaemonConfig(shadow, "/etc/shadow"), ConfigError).message,
    "/etc/shadow:1: not a memtierd config: a key is neither policy nor routines, nor a word " +
      "(49 characters, not shown)",
  );
  const passwd = "root:x:0:0:root:/root:/bin/bash\n";
  assertEquals(
    assertThrows(() => parseDaemonConfig(passwd, "/etc/passwd"), ConfigError).message,
    "/etc/passwd:1: expected a map with policy: {name, config} and/or routines: " +
      "[{name, config}] (got text of 31 characters, not shown)",
  );
});

Deno.test("a misspelt top-level key or a lone word is still shown, to be corrected", () => {
  assertEquals(
    assertThrows(() => parseDaemonConfig("polcy: {name: stub}\n", "m.yaml"), ConfigError).message,
    "m.yaml:1: polcy: unknown key (accepted: policy, routines)",
  );
  assertEquals(
    assertThrows(() => parseDaemonConfig("policy\n", "m.yaml"), ConfigError).message,
    'm.yaml:1: expected a map with policy: {name, config} and/or routines: [{name, config}] (got "policy")',
  );
});
