import { ConfigError } from "../config/config_error.ts";
import * as v from "valibot";
import { intInRange, parseWithSchema, positiveInt, stringList } from "../config/schema.ts";
import { type ComponentKind, parseNested } from "../lifecycle/components.ts";
import type { ComponentFactory } from "../lifecycle/deps.ts";
import { componentRef } from "../config/schema.ts";
import { StubPolicy } from "../policies/stub.ts";
import type { Policy } from "../policies/policy.ts";
import { assertEquals, assertThrows } from "../testing/assert.ts";
import { parseDaemonConfig } from "./config_file.ts";
import { loadAllComponents } from "../_test_components.ts";

await loadAllComponents();

const statactionsDefaults = {
  IntervalMs: 1000,
  IntervalCommand: [],
  IntervalCommandRunner: "",
  PageOutMB: 0,
  PageOutCommand: [],
  PageOutCommandRunner: "",
  Timestamp: "",
  TimestampAfter: "",
};

Deno.test("a Go config: policy stub, statactions with every key in a config string", () => {
  const c = parseDaemonConfig(
    `policy:
  name: stub
routines:
  - name: statactions
    config: |
      intervalms: 250
      intervalcommand: ['sh', '-c', 'date +%F-%T >> /tmp/x']
      intervalcommandrunner: exec
      pageoutmb: 100
      pageoutcommand: ["stats -t process_madvise"]
      pageoutcommandrunner: memtier-prompt
      timestamp: "before: unix.milli\\n"
      timestampafter: "after: rfc3339\\n"
  - name: statactions
    config: '{"IntervalMs": 200, "IntervalCommandRunner": "memtier", "IntervalCommand": ["stats", "-t", "events"]}'
  - name: stub
`,
    "memtierd.yaml",
  );
  assertEquals(c.policy?.name, "stub");
  assertEquals(c.routines.map((r) => r.name), ["statactions", "statactions", "stub"]);
  assertEquals(c.routines[0]!.config, {
    IntervalMs: 250,
    IntervalCommand: ["sh", "-c", "date +%F-%T >> /tmp/x"],
    IntervalCommandRunner: "exec",
    PageOutMB: 100,
    PageOutCommand: ["stats -t process_madvise"],
    PageOutCommandRunner: "memtier-prompt",
    Timestamp: "before: unix.milli\n",
    TimestampAfter: "after: rfc3339\n",
  });
  assertEquals(c.routines[1]!.config, {
    ...statactionsDefaults,
    IntervalMs: 200,
    IntervalCommandRunner: "memtier",
    IntervalCommand: ["stats", "-t", "events"],
  });
});

Deno.test("keys in any case, and plain nested maps instead of config strings", () => {
  const c = parseDaemonConfig(
    `Routines:
  - Name: statactions
    Config:
      IntervalMS: 5
      INTERVALCOMMAND: [date]
`,
    "m.yaml",
  );
  assertEquals(c.policy, null);
  assertEquals(c.routines[0]!.config, {
    ...statactionsDefaults,
    IntervalMs: 5,
    IntervalCommand: ["date"],
  });
});

// A policy with a nested pidwatcher, through registries built here: the
// shape age/heat policies have, with the key path and line reaching into
// the nested config string.
const watcherSchema = v.strictObject({
  IntervalMs: v.optional(positiveInt(3_600_000), 5000),
  Cgroups: v.optional(stringList(), []),
  Pids: v.optional(v.array(intInRange(1, 4_194_304)), []),
});
const watcherKind: ComponentKind<object> = {
  kind: "pidwatcher",
  registry: new Map<string, ComponentFactory<unknown, object>>([[
    "cgroups",
    {
      description: "test",
      parse: (raw, what) => parseWithSchema(watcherSchema, raw, what),
      create: () => ({}),
    },
  ]]),
  notYetAvailable: ["filter"],
};
const testPolicySchema = v.strictObject({
  IntervalMs: v.optional(positiveInt(3_600_000), 5000),
  PidWatcher: componentRef(),
});

Deno.test("nested {name, config}: the error names file, line and key path inside the inner string", async () => {
  const { policyRegistry } = await import("../policies/mod.ts");
  const registry = policyRegistry as Map<string, ComponentFactory<unknown, Policy>>;
  registry.set("nested-test", {
    description: "test",
    parse(raw, what) {
      const c = parseWithSchema(testPolicySchema, raw, what);
      return { ...c, pidWatcher: parseNested(watcherKind, "pidwatcher", c.PidWatcher, what) };
    },
    create: () => new StubPolicy(),
  });
  try {
    const doc = (watcher: string) =>
      `policy:
  name: nested-test
  config: |
    intervalms: 100
    pidwatcher:
      name: cgroups
      config: |
${watcher}
`;
    const ok = parseDaemonConfig(doc("        cgroups: [/sys/fs/cgroup/a]"), "memtierd.yaml");
    assertEquals((ok.policy!.config as { pidWatcher: { config: unknown } }).pidWatcher.config, {
      IntervalMs: 5000,
      Cgroups: ["/sys/fs/cgroup/a"],
      Pids: [],
    });
    const e = assertThrows(
      () => parseDaemonConfig(doc("        cgroups: [/a]\n        intervalms: 0"), "memtierd.yaml"),
      ConfigError,
    );
    assertEquals(
      e.message,
      "memtierd.yaml:9: policy.config.pidwatcher.config.intervalms: must be a whole number from 1 to 3600000 (got 0)",
    );
    const e2 = assertThrows(
      () =>
        parseDaemonConfig(
          `policy:
  name: nested-test
  config:
    PidWatcher: {name: filter}
`,
          "m.yaml",
        ),
      ConfigError,
    );
    assertEquals(
      e2.message,
      'm.yaml:4: policy.config.PidWatcher.name: pidwatcher "filter" is not available in this version of memtierd (available: cgroups)',
    );
    const e3 = assertThrows(
      () =>
        parseDaemonConfig(
          `policy:
  name: nested-test
  config: '{"pidwatcher": {"name": "cgroups", "config": "{\\"pids\\": [1, -5]}"}}'
`,
          "m.yaml",
        ),
      ConfigError,
    );
    assertEquals(
      e3.message,
      "m.yaml:3: policy.config.pidwatcher.config.pids.1: must be a whole number from 1 to 4194304 (got -5)",
    );
  } finally {
    registry.delete("nested-test");
  }
});

const BAD: [string, string][] = [
  [
    "policy:\n  name: agee\n",
    'm.yaml:2: policy.name: unknown policy "agee" (available: age, avoid-oom, demote-idle, heat, ratio, stub)',
  ],
  ["polcy: {name: stub}\n", "m.yaml:1: polcy: unknown key (accepted: policy, routines)"],
  [
    "routines:\n  - name: statactions\n    config: |\n      intervalms: 0\n      intervalcommand: [date]\n",
    "m.yaml:4: routines.0.config.intervalms: must be a whole number from 1 to 3600000 (got 0)",
  ],
  [
    "routines:\n  - name: statactions\n    config: |\n      intervalcommand: [date]\n\n      intervalms2: 5\n",
    "m.yaml:6: routines.0.config.intervalms2: unknown key (accepted: IntervalMs, IntervalCommand, IntervalCommandRunner, PageOutMB, PageOutCommand, PageOutCommandRunner, Timestamp, TimestampAfter)",
  ],
  [
    'routines:\n  - name: stub\n  - name: statactions\n    config: \'{"IntervalMs": "fast", "IntervalCommand": ["a"]}\'\n',
    'm.yaml:4: routines.1.config.IntervalMs: must be a whole number from 1 to 3600000 (got "fast")',
  ],
  [
    "routines:\n  - name: statactions\n    config:\n      intervalcommand: [a, b]\n      intervalcommandrunner: memtier-prompt\n",
    "m.yaml:4: routines.0.config.intervalcommand: with runner memtier-prompt, must be a list of one string, a prompt line (got 2 strings)",
  ],
  [
    "routines:\n  - name: statactions\n    config: |\n      intervalms: 5\n",
    "m.yaml:3: routines.0.config: no actions: give intervalcommand or pageoutcommand (a list of strings)",
  ],
  ["routines: 5\n", "m.yaml:1: routines: must be a list of {name, config} (got 5)"],
  [
    "policy: {name: stub}\npolicy: {name: stub}\n",
    "m.yaml:2: cannot read YAML: Map keys must be unique",
  ],
  [
    "routines:\n  - name: statactions\n    Name: stub\n",
    "m.yaml:3: routines.0.Name: given twice (as name and Name)",
  ],
  [
    "routines:\n  - config: ''\n",
    "m.yaml:2: routines.0.name: missing: this key is required",
  ],
  [
    "routines:\n  - name: statactions\n    config: [1]\n",
    "m.yaml:3: routines.0.config: must be a string of JSON or YAML, or a map (got a list)",
  ],
  [
    "",
    "m.yaml:1: nothing configured: expected policy: {name, config} and/or routines: [{name, config}]",
  ],
  [
    "- a\n",
    "m.yaml:1: expected a map with policy: {name, config} and/or routines: [{name, config}] (got a list)",
  ],
  [
    "policy: {name: stub, config: 'x: 1'}\n",
    "m.yaml:1: policy.config.x: unknown key (no keys are accepted here)",
  ],
];

for (const [doc, message] of BAD) {
  Deno.test(`a bad config is one line with file:line and key path: ${message.slice(0, 60)}`, () => {
    const e = assertThrows(() => parseDaemonConfig(doc, "m.yaml"), ConfigError);
    assertEquals(e.message, message);
  });
}

Deno.test("nested pidwatcher through the real registry: filter over cgroups, errors reach the inner key", async () => {
  const { policyRegistry } = await import("../policies/mod.ts");
  const { pidWatchers } = await import("../pidwatchers/mod.ts");
  const registry = policyRegistry as Map<string, ComponentFactory<unknown, Policy>>;
  registry.set("nested-real", {
    description: "test",
    parse(raw, what) {
      const c = parseWithSchema(testPolicySchema, raw, what);
      return { ...c, pidWatcher: parseNested(pidWatchers, "pidwatcher", c.PidWatcher, what) };
    },
    create: () => new StubPolicy(),
  });
  try {
    const doc = (interval: string) =>
      `policy:
  name: nested-real
  config:
    pidwatcher:
      name: filter
      config:
        source:
          name: cgroups
          config:
            cgroups: [/sys/fs/cgroup/app]
            intervalms: ${interval}
        filters:
          - minvmrsskb: 1024
`;
    const ok = parseDaemonConfig(doc("500"), "m.yaml");
    const spec = (ok.policy!.config as { pidWatcher: { name: string } }).pidWatcher;
    assertEquals(spec.name, "filter");
    const e = assertThrows(() => parseDaemonConfig(doc("0"), "m.yaml"), ConfigError);
    assertEquals(
      e.message,
      "m.yaml:11: policy.config.pidwatcher.config.source.config.intervalms: must be a whole number from 1 to 3600000 (got 0)",
    );
  } finally {
    registry.delete("nested-real");
  }
});
