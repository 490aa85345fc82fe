import { ConfigError } from "../config/config_error.ts";
import { assertEquals, assertThrows } from "../testing/assert.ts";
import { FakeKernel } from "../testing/fake_kernel.ts";
import { fakeSystem } from "../testing/fake_system.ts";
import { addProcess, cgroupTree, recorder, testDeps } from "./_test_deps.ts";
import { pidWatcherRegistry } from "./mod.ts";
import type { PidWatcher } from "./pidwatcher.ts";
import { loadAllComponents } from "../_test_components.ts";

await loadAllComponents();

const filter = pidWatcherRegistry.get("filter")!;

function fixtureKernel(): FakeKernel {
  const k = new FakeKernel();
  for (const pid of [1, 1001, 1002, 1003, 1004]) addProcess(k, pid);
  return k;
}

/** The pids a filter over the `proc` source passes on the fixture host. */
function passed(filters: unknown[]): string[] {
  const { deps } = testDeps(fixtureKernel());
  const w = filter.create(filter.parse({ source: { name: "proc" }, filters }, "filter"), deps);
  const l = recorder();
  w.setPidListener(l);
  w.poll();
  return l.calls;
}

Deno.test("filter ProcExeRegexp matches the program path /proc/PID/exe points to", () => {
  assertEquals(passed([{ ProcExeRegexp: ".*/meme" }]), ["add [1001 1002]"]);
  assertEquals(passed([{ procexeregexp: "^/usr/bin/(bash|python3\\.11)$" }]), [
    "add [1003 1004]",
  ]);
  assertEquals(passed([{ ProcExeRegexp: ".*/non-existent" }]), []);
});

Deno.test("filter sizes: VmSize and VmRSS from status, Private_Dirty from smaps_rollup or smaps", () => {
  assertEquals(passed([{ MinVmSizeKb: 400000 }]), ["add [1001 1003]"]);
  assertEquals(passed([{ MinVmRSSKb: 12000 }]), ["add [1 1001 1003]"]);
  // 1003 has no smaps_rollup: 100000 + 250000 kB summed over smaps.
  assertEquals(passed([{ MinPrivateDirtyKb: 350000 }]), ["add [1001 1003]"]);
  assertEquals(passed([{ MinPrivateDirtyKb: 350001 }]), ["add [1001]"]);
});

Deno.test("filter criteria in one filter all hold; a pid passes if any filter matches", () => {
  assertEquals(passed([{ ProcExeRegexp: "meme", MinVmRSSKb: 100000 }]), ["add [1001]"]);
  assertEquals(passed([{ ProcExeRegexp: "meme", MinVmRSSKb: 100000 }, { ProcExeRegexp: "bash" }]), [
    "add [1001 1004]",
  ]);
});

Deno.test("filter And, Or and Not combine filters", () => {
  assertEquals(
    passed([{
      Or: [{ ProcExeRegexp: "meme" }, { ProcExeRegexp: "python" }],
      Not: { MinVmRSSKb: 100000 },
    }]),
    ["add [1002]"],
  );
  assertEquals(passed([{ And: [{ MinVmSizeKb: 400000 }, { Not: { ProcExeRegexp: "meme" } }] }]), [
    "add [1003]",
  ]);
  assertEquals(passed([{ Not: { Or: [{ MinVmRSSKb: 100000 }, { ProcExeRegexp: "systemd" }] } }]), [
    "add [1002 1004]",
  ]);
});

Deno.test("filter with no Filters passes nothing, and an empty filter passes everything", () => {
  assertEquals(passed([]), []);
  assertEquals(passed([{}]), ["add [1 1001 1002 1003 1004]"]);
});

Deno.test("filter passes on removals only of pids it passed on as added", () => {
  const kernel = new FakeKernel();
  addProcess(kernel, 700, "meme");
  addProcess(kernel, 701, "bash");
  using sys = fakeSystem(kernel);
  using tree = cgroupTree();
  tree.set("app", [700, 701]);
  const { deps } = testDeps(kernel, sys.procfs, tree.root);
  const config = filter.parse(
    `source:
  name: cgroups
  config: |
    cgroups: [/sys/fs/cgroup/app]
filters:
  - procexeregexp: /meme$`,
    "filter",
  );
  const w: PidWatcher = filter.create(config, deps);
  const l = recorder();
  w.setPidListener(l);
  w.poll();
  tree.set("app", []);
  w.poll();
  assertEquals(l.calls, ["add [700]", "remove [700]"]);
  assertEquals(kernel.openPidfds, 0);
});

Deno.test("filter config: defaults, the source's own config and dump", () => {
  const c = filter.parse('{"Source":{"Name":"proc"},"Filters":[{"ProcExeRegexp":"x"}]}', "filter");
  const { deps } = testDeps(fixtureKernel());
  const w = filter.create(c, deps);
  assertEquals(
    w.configJson(),
    '{"Source":{"name":"proc","config":{"IntervalMs":5000}},"Filters":[{"ProcExeRegexp":"x"}]}',
  );
});

Deno.test("filter config errors name the key path and what is accepted", () => {
  const cases: [unknown, string][] = [
    [{}, "filter: Source: missing: this key is required"],
    [
      { source: { name: "nope" } },
      'filter: source.name: unknown pidwatcher "nope" (accepted: cgroups, filter, pidlist, proc, stub)',
    ],
    [
      { source: { name: "proc", config: { intervalms: 0 } } },
      "filter: source.config.intervalms: must be a whole number from 1 to 3600000 (got 0)",
    ],
    [
      { source: { name: "proc" }, filters: [{ procexeregexp: "(" }] },
      'filter: filters.0.procexeregexp: must be a valid JavaScript regular expression (got "(")',
    ],
    [
      { source: { name: "proc" }, filters: [{ not: { and: [{ minvmrsskb: -1 }] } }] },
      "filter: filters.0.not.and.0.minvmrsskb: must be a whole number from 0 to 1000000000000 (got -1)",
    ],
    [
      { source: { name: "proc" }, filters: [{ or: [{ MinRss: 1 }] }] },
      "filter: filters.0.or.0.MinRss: unknown key (accepted: ProcExeRegexp, MinVmSizeKb, MinVmRSSKb, MinPrivateDirtyKb, And, Or, Not)",
    ],
    [
      { source: { name: "proc" }, filters: [{ not: [] }] },
      "filter: filters.0.not: must be a map of fields, not a list",
    ],
    [
      { source: { name: "proc" }, filters: [[]] },
      "filter: filters.0: must be a map of fields, not a list",
    ],
  ];
  for (const [raw, message] of cases) {
    const e = assertThrows(() => filter.parse(raw, "filter"), ConfigError);
    assertEquals(e.message, message);
  }
  const e = assertThrows(
    () => filter.parse({ source: { name: "cgroups", config: "intervalms: 0" } }, "filter"),
    ConfigError,
  );
  assertEquals(e.keyPath, ["source", "config", "intervalms"]);
});
