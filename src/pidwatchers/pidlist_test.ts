import { ConfigError } from "../config/config_error.ts";
import { assertEquals, assertThrows } from "../testing/assert.ts";
import { FakeKernel } from "../testing/fake_kernel.ts";
import { fakeSystem } from "../testing/fake_system.ts";
import { addProcess, recorder, testDeps } from "./_test_deps.ts";
import { pidWatcherRegistry } from "./mod.ts";
import { loadAllComponents } from "../_test_components.ts";

await loadAllComponents();

function make(name: string, raw: unknown, deps: ReturnType<typeof testDeps>["deps"]) {
  const factory = pidWatcherRegistry.get(name)!;
  return factory.create(factory.parse(raw, name), deps);
}

Deno.test("pidlist reports its pids once, warns about missing ones, never removes", async () => {
  const kernel = new FakeKernel();
  addProcess(kernel, 700);
  addProcess(kernel, 701);
  using sys = fakeSystem(kernel);
  const { deps, log } = testDeps(kernel, sys.procfs);
  const w = make("pidlist", { pids: [701, 700, 999] }, deps);
  const l = recorder();
  w.setPidListener(l);
  await w.start();
  await w.poll();
  kernel.processes.get(700)!.exited = true;
  sys.sync();
  await w.poll();
  assertEquals(l.calls, ["add [700 701]"]);
  assertEquals(log, ["WARN: pidwatcher pidlist: no such processes: [999]"]);
  assertEquals(w.dump([]).split("\n").slice(2), [
    "reported pids: 2",
    "  pid 700: exited, start 100 ticks, pidfd 101",
    "  pid 701: running, start 101 ticks, pidfd 100",
    "not found: [999]",
  ]);
  await w.stop();
  assertEquals(kernel.openPidfds, 0);
});

Deno.test("pidlist lists at most 20 missing pids in its warning, then counts the rest", async () => {
  const kernel = new FakeKernel();
  using sys = fakeSystem(kernel);
  const { deps, log } = testDeps(kernel, sys.procfs);
  const pids = Array.from({ length: 5000 }, (_, i) => 1001 + i);
  const w = make("pidlist", { pids }, deps);
  w.setPidListener(recorder());
  await w.start();
  await w.poll();
  await w.stop();
  assertEquals(log, [
    "WARN: pidwatcher pidlist: no such processes: [1001 1002 1003 1004 1005 1006 1007 1008 " +
    "1009 1010 1011 1012 1013 1014 1015 1016 1017 1018 1019 1020 ... and 4980 more]",
  ]);
});

Deno.test("pidlist leaves out a thread id with one warning naming its process", async () => {
  const kernel = new FakeKernel();
  addProcess(kernel, 700);
  kernel.addProcess(702, "meme", []).tgid = 700;
  using sys = fakeSystem(kernel);
  const { deps, log } = testDeps(kernel, sys.procfs);
  const w = make("pidlist", { pids: [702, 700] }, deps);
  const l = recorder();
  w.setPidListener(l);
  await w.start();
  await w.poll();
  await w.stop();
  assertEquals(l.calls, ["add [700]"]);
  assertEquals(log, [
    "WARN: pidwatcher pidlist: left out thread ids, which are not processes: [702] " +
    "(their processes: [700])",
  ]);
});

Deno.test("stub reports nothing and dumps an empty config", async () => {
  const { deps } = testDeps(new FakeKernel());
  const w = make("stub", undefined, deps);
  const l = recorder();
  w.setPidListener(l);
  await w.start();
  await w.poll();
  assertEquals([l.calls, w.configJson()], [[], "{}"]);
});

Deno.test("omitted config fields take the documented defaults", () => {
  const parse = (name: string, raw: unknown) => pidWatcherRegistry.get(name)!.parse(raw, name);
  assertEquals(parse("cgroups", undefined), { IntervalMs: 5000, Cgroups: [] });
  assertEquals(parse("cgroups", "cgroups: [/sys/fs/cgroup/a]"), {
    IntervalMs: 5000,
    Cgroups: ["/sys/fs/cgroup/a"],
  });
  assertEquals(parse("proc", ""), { IntervalMs: 5000 });
  assertEquals(parse("proc", '{"intervalMS": 250}'), { IntervalMs: 250 });
  assertEquals(parse("pidlist", "{}"), { Pids: [] });
});

Deno.test("config errors are one line with the key path and what is accepted", () => {
  const cases: [string, unknown, string][] = [
    [
      "cgroups",
      { IntervalMs: 0 },
      "cgroups: IntervalMs: must be a whole number from 1 to 3600000 (got 0)",
    ],
    [
      "proc",
      "intervalms: 1.5",
      "proc: intervalms: must be a whole number from 1 to 3600000 (got 1.5)",
    ],
    [
      "cgroups",
      { cgroups: "/sys/fs/cgroup/a" },
      'cgroups: cgroups: must be a list of strings (got "/sys/fs/cgroup/a")',
    ],
    [
      "pidlist",
      { pids: [42, 0] },
      "pidlist: pids.1: must be a whole number from 1 to 4194304 (got 0)",
    ],
    ["proc", { interval: 5 }, "proc: interval: unknown key (accepted: IntervalMs)"],
    ["stub", { x: 1 }, "stub: x: unknown key (no keys are accepted here)"],
  ];
  for (const [name, raw, message] of cases) {
    const e = assertThrows(() => pidWatcherRegistry.get(name)!.parse(raw, name), ConfigError);
    assertEquals(e.message, message);
  }
});

Deno.test("a cgroups pidwatcher without Cgroups says it will find nothing", () => {
  const { deps, log } = testDeps(new FakeKernel());
  make("cgroups", {}, deps);
  assertEquals(log, ["WARN: pidwatcher cgroups: no Cgroups configured: it will find no processes"]);
});
