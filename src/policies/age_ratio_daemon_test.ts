/**
 * The age and ratio policies from a -config file, through the daemon, the
 * registries, a real pidlist pidwatcher, the softdirty tracker and the
 * mover, on the fake kernel: time moves only when the test says.
 */
import { parseDaemonConfig } from "../daemon/config_file.ts";
import { Daemon } from "../daemon/daemon.ts";
import { Logger } from "../log/logger.ts";
import { Mover } from "../mover/mover.ts";
import { StepClock } from "../pidwatchers/_test_deps.ts";
import type { RoutineDeps } from "../routines/routine.ts";
import { Stats } from "../stats/stats.ts";
import { assertEquals, assertOk } from "../testing/assert.ts";
import { harness } from "../prompt/_harness.ts";
import { FakeKernel } from "../testing/fake_kernel.ts";
import { fakeSystem } from "../testing/fake_system.ts";
import { BASE, PAGE, PID } from "../trackers/_test_deps.ts";
import { loadAllComponents } from "../_test_components.ts";

await loadAllComponents();

function setup(yaml: string) {
  const k = new FakeKernel().addNode(0, 100000, [0]).addNode(1, 100000, [1]).addNode(2, 100000);
  k.addProcess(PID, "meme", [{ startAddr: BASE, pages: 1024, kind: "anon" }]);
  k.populate(PID, 0, 0, 1024);
  const sys = fakeSystem(k);
  const clock = new StepClock();
  const stats = new Stats(clock);
  let log = "";
  const logger = new Logger((t) => log += t, { debug: false });
  const syscalls = () => sys.syscalls;
  const deps: RoutineDeps = {
    clock,
    procfs: sys.procfs,
    sysfs: sys.sysfs,
    syscalls,
    logger,
    stats,
    mover: new Mover({ syscalls, clock, stats, logger }),
    prompt: {
      runArgs: () => Promise.resolve({ code: 0, error: "" }),
      runLine: () => Promise.resolve({ code: 0, error: "" }),
    },
    exec: () => Promise.reject(new Error("no exec in this test")),
    out: () => {},
  };
  const daemon = new Daemon({ file: "memtierd.yaml", readTextFile: () => yaml, deps });
  /** Pages of pid 500 per node: [node 0, node 1, node 2, swapped]. */
  const where = () => {
    const n = [0, 0, 0, 0];
    for (const p of k.processes.get(PID)!.pages.values()) n[p.swapped ? 3 : p.node]!++;
    return n;
  };
  return {
    k,
    sys,
    clock,
    daemon,
    where,
    log: () => log,
    [Symbol.dispose]: () => sys[Symbol.dispose](),
  };
}

Deno.test("age from -config, with Mover and IntervalMs omitted: written pages go to the active node, the rest to the idle node", async () => {
  using x = setup(`policy:
  name: age
  config: |
    pidwatcher: {name: pidlist, config: {pids: [${PID}]}}
    tracker: {name: softdirty, config: {pagesinregion: 256, scanintervalms: 1000}}
    idledurationms: 12000
    idlenumas: [2]
    activedurationms: 5000
    activenumas: [1]
`);
  await x.daemon.start();
  const seen: string[] = [];
  for (let s = 1; s <= 40; s++) {
    x.sys.access(PID, BASE, BASE + 256 * PAGE, true); // the first 256 pages are written every second
    await x.clock.advance(1000);
    if (s % 10 === 5) seen.push(`${s}s: ${x.where().join(" ")}`);
  }
  await x.daemon.stop();
  // Rounds every 5 s (the default). The tracker's first counts (t=1 s) reach
  // the round at 5 s; the written region changed in two rounds in a row at
  // 10 s: active, to node 1. The others, not written since the tracker
  // primed them at 0 s, are idle for more than 12 s at the round at 15 s:
  // to node 2. The default mover (100 MB/s, 10 ms rounds) moves 768 pages in
  // 30 ms: 256 of them are there at the sample.
  assertEquals(seen, [
    "5s: 1024 0 0 0",
    "15s: 512 256 256 0",
    "25s: 0 256 768 0",
    "35s: 0 256 768 0",
  ]);
});

Deno.test("ratio from -config with Mover and IntervalMs omitted swaps out the least written 0.5 of the memory", async () => {
  using x = setup(`policy:
  name: ratio
  config:
    pidwatcher: {name: pidlist, config: {pids: [${PID}]}}
    tracker: {name: softdirty, config: {pagesinregion: 256, scanintervalms: 1000}}
    ratio: 0.5
`);
  await x.daemon.start();
  for (let s = 1; s <= 12; s++) {
    x.sys.access(PID, BASE + 512 * PAGE, BASE + 1024 * PAGE, true);
    await x.clock.advance(1000);
  }
  await x.daemon.stop();
  assertEquals(x.where(), [512, 0, 0, 512]);
  const swapped = [...x.k.processes.get(PID)!.pages].filter(([, p]) => p.swapped).map(([n]) => n);
  assertEquals([Math.min(...swapped), Math.max(...swapped)], [BASE / PAGE, BASE / PAGE + 511]);
});

Deno.test("policy -create age -config from the prompt: the prompt adopts its mover, tracker and pidwatcher; -dump accessed works", async () => {
  using h = harness();
  const config = JSON.stringify({
    PidWatcher: { name: "pidlist", config: { Pids: [PID] } },
    Tracker: { name: "softdirty", config: { PagesInRegion: 256 } },
    IdleDurationMs: 10000,
    IdleNumas: [3],
  });
  assertEquals(await h.run(`policy -create age -config '${config}'`), "policy created\n");
  const policy = h.session.components.policy!.instance!;
  assertOk(
    h.session.components.tracker?.instance === policy.tracker(),
    "the prompt's tracker is the policy's",
  );
  assertOk(h.session.components.pidWatcher?.instance === policy.pidWatcher(), "and its pidwatcher");
  assertOk(h.session.components.mover === policy.mover(), "and the mover");
  assertEquals(
    JSON.parse((await h.run("policy -config-dump")).trim()).Tracker,
    {
      name: "softdirty",
      config: {
        PagesInRegion: 256,
        MaxCountPerRegion: 1,
        ScanIntervalMs: 5000,
        RegionsUpdateMs: 10000,
        PagemapReadahead: 0,
        SkipPageProb: 0,
        TrackReferenced: false,
      },
    },
  );
  assertEquals(
    await h.run("policy -dump accessed 0,1s,0"),
    "table: time since last access\n" +
      "     pid lastaccs>=[s] lastaccs<[s]    pages   mem[G] pidmem[%]\n\n",
  );
  assertEquals(
    await h.run('policy -create ratio -config \'{"pidwatcher":{"name":"pidlist"},"ratio":0}\''),
    "policy created\nmemtierd: policy: config failed: ratio: must be a number above 0, at most 1 (got 0)\n",
  );
});

Deno.test("the example configs of docs/age-and-ratio.md are valid daemon configs", () => {
  const doc = Deno.readTextFileSync(new URL("../../docs/age-and-ratio.md", import.meta.url));
  const blocks = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);
  assertEquals(blocks.length, 2);
  const [age, ratio] = blocks.map((b) => parseDaemonConfig(b, "example.yaml").policy!);
  assertEquals([age!.name, ratio!.name], ["age", "ratio"]);
  assertEquals((age!.config as { IntervalMs: number }).IntervalMs, 10000);
  assertEquals((ratio!.config as { Ratio: number }).Ratio, 0.3);
});
