import { nodeTarget } from "../../mover/mover.ts";
import { ConfigError } from "../../config/config_error.ts";
import { parseComponent } from "../../lifecycle/components.ts";
import type { ComponentDeps } from "../../lifecycle/deps.ts";
import { assertEquals, assertIncludes } from "../../testing/assert.ts";
import { FakeKernel } from "../../testing/fake_kernel.ts";
import { type FakeSystem, fakeSystem } from "../../testing/fake_system.ts";
import { FakeClock } from "../../time/clock.ts";
import { harness } from "../../prompt/_harness.ts";
import { fakeComponentDeps } from "../../trackers/_test_deps.ts";
import { ScriptedTracker } from "../_policy_test_deps.ts";
import { parseHeatConfig, parseNumaSize } from "./config.ts";
import { createHeatPolicy, type HeatLogic } from "./heat.ts";
import type { PolicyRuntime } from "../runtime.ts";
import { policies } from "../mod.ts";
import { heatForecasters } from "./mod.ts";
import type { HeatForecaster, Heats } from "../policy.ts";
import { loadAllComponents } from "../../_test_components.ts";

await loadAllComponents();

const PAGE = 4096;
const A = 500;
const B = 501;
const BASE = 0x10000000;

/** A forecaster that answers what the test set, and records what it was shown. */
class ScriptedForecaster implements HeatForecaster {
  answer: Heats | null = null;
  shown: Heats[] = [];
  stopped = false;
  forecast(heats: Heats): Heats | null {
    this.shown.push(heats);
    return this.answer;
  }
  dump(args: readonly string[]): string {
    return `scripted ${args.join(" ")}`;
  }
  stop(): Promise<void> {
    this.stopped = true;
    return Promise.resolve();
  }
}

interface Fixture extends Disposable {
  k: FakeKernel;
  sys: FakeSystem;
  deps: ComponentDeps;
  clock: FakeClock;
  tracker: ScriptedTracker;
  forecaster: ScriptedForecaster;
  policy: PolicyRuntime<HeatLogic>;
  log: () => string;
  /** Tasks on the mover as [pid, pages, target node (-1 swap)]. */
  tasks(): [number, number, number][];
  /** Drops the queued tasks and puts their pages where they were going. */
  finishTasks(): void;
  /** Pages `first`..`first+count` of pid's 1024-page range written `writes` times each... */
  count(pid: number, first: number, count: number, writesPerPage: number): void;
  watch(...pids: number[]): void;
  /** The tracker finished a scan of `pid` (what makes untouched memory cold). */
  scanned(pid: number): void;
}

/** Nodes 0, 1, 2 (each 4096 pages); pids 500 and 501 with 1024 anon pages at BASE on node 0. */
function fixture(config: Record<string, unknown>): Fixture {
  const k = new FakeKernel().addNode(0, 4096, [0]).addNode(1, 4096, [1]).addNode(2, 4096);
  for (const pid of [A, B]) {
    k.addProcess(pid, "meme", [{ startAddr: BASE, pages: 1024, kind: "anon" }]);
    k.populate(pid, 0, 0, 1024);
  }
  const sys = fakeSystem(k);
  const clock = new FakeClock();
  const { deps, stats, log } = fakeComponentDeps(sys, clock);
  const tracker = new ScriptedTracker();
  const forecaster = new ScriptedForecaster();
  const kind = {
    kind: "heat forecaster",
    registry: new Map([["scripted", {
      description: "scripted",
      parse: () => ({}),
      create: () => forecaster,
    }]]),
  };
  const parsed = parseHeatConfig(
    { pidwatcher: { name: "pidlist" }, tracker: { name: "stub" }, intervalms: 1000, ...config },
    "policy heat",
    kind,
  );
  const policy = createHeatPolicy({
    ...parsed,
    tracker: {
      name: "scripted",
      config: {},
      factory: { description: "", parse: () => ({}), create: () => tracker },
    },
  }, deps);
  return {
    k,
    sys,
    deps,
    clock,
    tracker,
    forecaster,
    policy,
    log,
    tasks: () =>
      deps.mover.tasks().map((t) => [
        t.pid,
        t.addrs.length,
        t.target.kind === "swap" ? -1 : t.target.node,
      ]),
    finishTasks() {
      for (const t of [...deps.mover.tasks()]) {
        const p = k.processes.get(t.pid)!;
        for (const a of t.addrs) {
          const pg = p.pages.get(a / PAGE)!;
          if (t.target.kind === "swap") pg.swapped = true;
          else pg.node = t.target.node;
        }
        deps.mover.removeTask(t.id);
      }
      sys.sync();
    },
    count(pid, first, count, writesPerPage) {
      tracker.counters.push({
        pid,
        range: { startAddr: BASE + first * PAGE, endAddr: BASE + (first + count) * PAGE },
        accesses: 0,
        reads: 0,
        writes: count * writesPerPage,
      });
    },
    scanned(pid) {
      stats.recordScan(pid, 100, 1024, 0, 0);
    },
    watch(...pids) {
      policy.addPids(pids.map((pid) => ({
        pid,
        pidfd: null,
        startTicks: k.processes.get(pid)!.startTicks,
      })));
    },
    [Symbol.dispose]: () => sys[Symbol.dispose](),
  };
}

function configError(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof ConfigError) return e.message;
    throw e;
  }
  throw new Error("no ConfigError");
}

Deno.test("heat: hot memory goes to the hot class's node, and once the tracker scanned, the untouched rest to the cold one", async () => {
  using f = fixture({ heatnumas: { 0: [2], 9: [1] } });
  f.watch(A);
  f.count(A, 0, 512, 1); // heat 1: class 9
  await f.policy.round();
  // No scan of the process finished yet: memory without counters is not
  // known to be cold.
  assertEquals(f.tasks(), [[A, 512, 1]]);
  f.finishTasks();
  f.clock.advance(1000);
  f.count(A, 0, 512, 1);
  f.scanned(A);
  await f.policy.round();
  assertEquals(f.tasks(), [[A, 512, 2]]); // pages 512..1023: heat 0, class 0
  f.finishTasks();
  assertEquals(f.k.pagesPerNode(A), new Map([[1, 512], [2, 512]]));
  f.clock.advance(1000);
  f.count(A, 0, 512, 1);
  f.scanned(A);
  await f.policy.round();
  assertEquals(f.tasks(), []); // everything is where its class wants it
  // A round without a scan (tracker slower than the interval) changes no heat.
  f.clock.advance(1000);
  await f.policy.round();
  assertEquals(f.policy.logic.heatmap.ranges(A).map((r) => [r.lengthPages, r.heat]), [
    [512, 1],
    [512, 0],
  ]);
  assertEquals(
    f.policy.dump(["numa"]),
    [
      "table: memory of each process per node, as the last decision round found it",
      "node      pid   mem[M]",
      "   1      500      2.0",
      "   2      500      2.0",
      "",
      "table: node use by the watched processes after that round's placements",
      "node  numaUsed[M]  numaSize[M]",
      "   1          2.0    unlimited",
      "   2          2.0    unlimited",
    ].join("\n"),
  );
});

Deno.test("heat: the hottest class's moves are urgent on the mover, the colder classes' are not", async () => {
  using f = fixture({ heatnumas: { 0: [2], 9: [1] } });
  f.watch(A);
  f.count(A, 0, 512, 1); // heat 1: class 9
  f.scanned(A); // the rest: heat 0, class 0
  await f.policy.round();
  assertEquals(
    f.deps.mover.tasks().map((t) => [t.addrs.length, t.target, t.urgent]),
    [[512, nodeTarget(1), true], [512, nodeTarget(2), undefined]],
  );
});

/**
 * A fixture whose first round moved A's written first half to the hot node
 * (1) and its untouched second half to the cold one (2), the mover done.
 */
async function hotHalfAndColdHalfMoved(): Promise<Fixture> {
  const f = fixture({ heatnumas: { 0: [2], 9: [1] } });
  try {
    f.watch(A);
    f.scanned(A);
    f.count(A, 0, 512, 1);
    await f.policy.round();
    assertEquals(f.tasks(), [[A, 512, 1], [A, 512, 2]]);
    f.finishTasks();
    return f;
  } catch (e) {
    f[Symbol.dispose]();
    throw e;
  }
}

Deno.test("heat: pages it moved look written to the tracker; their counts wait for the mover and two scans", async () => {
  using f = await hotHalfAndColdHalfMoved();
  for (let round = 2; round <= 3; round++) {
    // The migrated cold pages come back soft-dirty: counts that must not count.
    f.scanned(A);
    f.count(A, 0, 1024, 1);
    await f.policy.round();
    assertEquals(f.tasks(), [], `round ${round}`);
  }
  assertEquals(f.policy.logic.heatmap.ranges(A).map((r) => [r.lengthPages, r.heat]), [[512, 1], [
    512,
    0,
  ]]);
  // Two scans after the mover went idle: counts count again.
  f.scanned(A);
  f.count(A, 0, 1024, 1);
  await f.policy.round();
  assertEquals(f.tasks(), [[A, 512, 1]]);
});

Deno.test("heat: a pass under way when the mover went idle reports moved pages in the next round: they still wait", async () => {
  using f = await hotHalfAndColdHalfMoved();
  // Round 2: the mover is idle; a pass is under way.
  await f.policy.round();
  assertEquals(f.tasks(), []);
  // That pass ends, having read the moved cold pages soft-dirty, and the
  // next pass finds nothing written: two passes since the mover went idle,
  // but this round's counters hold the first one's.
  f.count(A, 512, 512, 1);
  f.scanned(A);
  f.scanned(A);
  await f.policy.round();
  assertEquals(f.tasks(), [], "round 3: the moved cold half stays");
  // Round 4: counters of later passes only; the written first half stays hot.
  f.scanned(A);
  f.count(A, 0, 512, 1);
  await f.policy.round();
  assertEquals(f.tasks(), []);
  assertEquals(f.policy.logic.heatmap.ranges(A).map((r) => [r.lengthPages, r.heat]), [[512, 1], [
    512,
    0,
  ]]);
  // Round 5: settled: the cold half, now written, counts again.
  f.scanned(A);
  f.count(A, 0, 1024, 1);
  await f.policy.round();
  assertEquals(f.tasks(), [[A, 512, 1]]);
});

/** Moves the pages of the mover's task `index` (in queue order) where it was going, and drops it. */
function finishTask(f: Fixture, index: number): void {
  const t = f.deps.mover.tasks()[index]!;
  const p = f.k.processes.get(t.pid)!;
  for (const a of t.addrs) {
    if (t.target.kind === "node") p.pages.get(a / PAGE)!.node = t.target.node;
  }
  f.deps.mover.removeTask(t.id);
  f.sys.sync();
}

Deno.test("heat: a hot range is placed while a colder class's demotion is still on the mover", async () => {
  using f = fixture({ heatnumas: { 0: [2], 9: [1] } });
  f.watch(A, B);
  f.scanned(A);
  f.count(A, 0, 512, 1); // class 9; A's other half: class 0
  await f.policy.round();
  assertEquals(f.tasks(), [[A, 512, 1], [A, 512, 2]]);
  finishTask(f, 0); // the promotion is done, the demotion is not
  f.clock.advance(1000);
  f.count(B, 0, 256, 1); // class 9; B's rest has no counts and no scan: no class 0 news
  await f.policy.round();
  // Class 0 waits for its own task; class 9's is done, so B's hot range goes.
  assertEquals(f.tasks(), [[A, 512, 2], [B, 256, 1]]);
  f.clock.advance(1000);
  f.scanned(B); // B's untouched rest is class 0 now, but class 0 is still moving A
  await f.policy.round();
  assertEquals(f.tasks(), [[A, 512, 2], [B, 256, 1]]);
});

Deno.test("heat: only the pages that move settle: pages of the range already in place go on counting", async () => {
  using f = fixture({ heatnumas: { 0: [2], 9: [1] } });
  for (let page = 0; page < 256; page++) {
    f.k.processes.get(A)!.pages.get(BASE / PAGE + page)!.node = 2;
  }
  f.sys.sync();
  f.watch(A);
  f.scanned(A); // no counts: the whole mapping, one heatmap range, is class 0
  await f.policy.round();
  assertEquals(f.tasks(), [[A, 768, 2]]); // its first 256 pages are on node 2 already
  f.clock.advance(1000);
  f.count(A, 0, 256, 1); // those stayed: their counts are news
  await f.policy.round();
  assertEquals(f.tasks(), [[A, 768, 2], [A, 256, 1]]);
});

Deno.test("heat: moved ranges settle when their own tasks are done, though other moves are still on the mover", async () => {
  using f = fixture({ heatnumas: { 0: [2], 9: [1] } });
  f.watch(A);
  f.scanned(A);
  f.count(A, 0, 512, 1); // class 9; A's other half: class 0
  await f.policy.round();
  assertEquals(f.tasks(), [[A, 512, 1], [A, 512, 2]]);
  finishTask(f, 0); // the hot half is on node 1; the cold half still waits on the mover
  for (let round = 2; round <= 3; round++) {
    f.clock.advance(1000);
    f.scanned(A);
    f.count(A, 0, 512, 1); // the migrated pages look written: left out
    await f.policy.round();
  }
  // Two scans since its task was done: the hot half is no longer written,
  // so the scan cools it (0.9513 a second, 3 s since its last update).
  f.clock.advance(1000);
  f.scanned(A);
  await f.policy.round();
  assertEquals(
    f.policy.logic.heatmap.ranges(A).map((r) => [r.lengthPages, r.heat.toFixed(4)]),
    [[512, "0.8609"], [512, "0.0000"]],
  );
});

Deno.test("heat with HeatClassBounds hottest: a working set that scores a quarter per page still sends its hottest range to the fast node", async () => {
  // The comparison's bounds (HeatMax 2, 2 classes) calibrated for a working
  // set four times smaller: written as often in total, each page scores a
  // quarter as much.
  const heatmap = { heatmax: 2, heatretention: 0.5, heatclasses: 2 };
  const cases: [string, [number, number, number][]][] = [
    ["heatmax", [[A, 1024, 2]]], // everything in class 0, the hot quarter too
    ["hottest", [[A, 256, 1], [A, 768, 2]]],
  ];
  for (const [bounds, want] of cases) {
    using f = fixture({
      heatmap: { ...heatmap, heatclassbounds: bounds },
      heatnumas: { 0: [2], 1: [1] },
    });
    f.watch(A);
    f.scanned(A);
    f.count(A, 0, 256, 0.33); // the hot quarter: heat 0.33, below class 1's bound of 1
    f.count(A, 256, 256, 0.05);
    await f.policy.round();
    assertEquals(f.tasks(), want, bounds);
  }
});

Deno.test("heat: without a Heatmap key the defaults classify (HeatMax 1, 10 classes), and nothing moves while the mover is busy", async () => {
  using f = fixture({ heatnumas: { 5: [1] } });
  f.watch(A);
  f.count(A, 0, 200, 0.55); // 0.55 per page: class 5
  f.count(A, 200, 200, 0.45); // class 4: no nodes, stays
  await f.policy.round();
  assertEquals(f.tasks(), [[A, 200, 1]]);
  f.clock.advance(1000);
  f.count(A, 400, 200, 0.6);
  await f.policy.round(); // the mover still has the first task
  assertEquals(f.tasks(), [[A, 200, 1]]);
});

Deno.test("heat: without a quota, a range goes to the class node that can take it now; one that fits on none stays", async () => {
  using f = fixture({ heatnumas: { 9: [1, 2] } });
  // Another process fills node 1 (4096 pages) but for 96 pages.
  f.k.addProcess(700, "filler", [{ startAddr: BASE, pages: 4000, kind: "anon" }]);
  f.k.populate(700, 0, 1, 4000);
  f.sys.sync();
  f.watch(A, B);
  f.count(A, 0, 512, 1);
  await f.policy.round();
  // Node 1, listed first, can take 96 - 1 % of 4096 = 55 pages: node 2 takes A's 512.
  assertEquals(f.tasks(), [[A, 512, 2]]);
  f.finishTasks();
  // A third process takes 3000 of node 2's pages: it can take 4096 - 3512 - 41 = 543 more,
  // and B's 1024 hot pages fit on neither node.
  f.k.addProcess(702, "filler", [{ startAddr: BASE, pages: 3000, kind: "anon" }]);
  f.k.populate(702, 0, 2, 3000);
  f.sys.sync();
  f.clock.advance(1000);
  f.count(B, 0, 1024, 1);
  await f.policy.round();
  assertEquals(f.tasks(), []); // B's hot range stays on node 0
});

Deno.test("heat: NumaSize quotas: hottest ranges first, a range that does not fit stays", async () => {
  // Node 1 takes 1M = 256 pages of the watched processes.
  using f = fixture({ heatnumas: { 9: [1] }, numasize: { 1: "1M" } });
  f.watch(A);
  f.count(A, 0, 200, 0.95);
  f.count(A, 200, 200, 1);
  await f.policy.round();
  assertEquals(f.tasks(), [[A, 200, 1]]);
  assertEquals(f.deps.mover.tasks()[0]!.addrs[0], BASE + 200 * PAGE); // the hotter one
  // Found: the 400 pages of the heat ranges on node 0; after the round: 200 on each.
  assertEquals(f.policy.dump(["numa"]).split("\n").slice(2), [
    "   0      500      1.6",
    "",
    "table: node use by the watched processes after that round's placements",
    "node  numaUsed[M]  numaSize[M]",
    "   0          0.8    unlimited",
    "   1          0.8          1.0",
  ]);
});

Deno.test("heat: pages already on a node count against its quota, wherever they came from", async () => {
  using f = fixture({ heatnumas: { 9: [1, 2] }, numasize: { 1: "1M", 2: "2M" } });
  // 200 pages of B are on node 2 already; node 1 is empty.
  f.k.populate(B, 0, 2, 200);
  f.sys.sync();
  f.watch(A, B);
  f.count(A, 0, 300, 1); // 300 pages: node 1 has 256 free, node 2 has 512 - 200 = 312
  f.count(B, 0, 200, 1); // already on node 2: stays
  await f.policy.round();
  assertEquals(f.tasks(), [[A, 300, 2]]);
  f.finishTasks();
  f.clock.advance(1000);
  f.count(A, 0, 300, 1);
  f.count(A, 300, 150, 1); // 150 more: node 2 has 12 left, node 1 has 256
  f.count(B, 0, 200, 1);
  await f.policy.round();
  assertEquals(f.tasks(), [[A, 150, 1]]);
});

Deno.test("heat: swap class: only present pages go out; cold pages swapped back in go out again once the swapped range settled", async () => {
  using f = fixture({
    heatnumas: { 0: [-1] },
    heatmap: { heatmax: 0.01, heatretention: 0, heatclasses: 5 },
  });
  const p = f.k.processes.get(A)!;
  for (let i = 0; i < 300; i++) p.pages.get(BASE / PAGE + 512 + i)!.swapped = true;
  f.sys.sync();
  f.watch(A);
  f.scanned(A); // a scan finished: untouched memory is class 0
  f.count(A, 0, 512, 1); // hot: class 4, no nodes
  await f.policy.round();
  assertEquals(f.tasks(), [[A, 212, -1]]); // 512 cold pages, 300 of them swapped already
  f.finishTasks();
  // The process faults back in 100 of the pages the policy swapped out.
  f.k.swapIn(A, BASE + 900 * PAGE, BASE + 1000 * PAGE, 0);
  f.sys.sync();
  for (let round = 2; round <= 4; round++) {
    f.clock.advance(1000);
    f.count(A, 0, 512, 1);
    f.scanned(A);
    await f.policy.round();
    // Rounds 2 and 3: the swapped range settles (the mover went idle in
    // round 2, two scans since are needed); round 4: still cold, out again.
    assertEquals(f.tasks(), round < 4 ? [] : [[A, 100, -1]], `round ${round}`);
  }
});

Deno.test("heat: swap class: a range swapped out that the process faults back in and writes stays in memory (no swap every round)", async () => {
  using f = fixture({
    heatnumas: { 0: [-1] },
    heatmap: { heatmax: 0.01, heatretention: 0, heatclasses: 2 },
  });
  f.watch(A);
  // A round whose scan saw no write in the second half (the process did
  // not run, say): it is class 0 and goes to swap.
  f.scanned(A);
  f.count(A, 0, 512, 1);
  await f.policy.round();
  assertEquals(f.tasks(), [[A, 512, -1]]);
  f.finishTasks();
  // From now on the process writes all its memory: the swapped half is faulted back in.
  f.k.swapIn(A, BASE + 512 * PAGE, BASE + 1024 * PAGE, 0);
  f.sys.sync();
  for (let round = 2; round <= 6; round++) {
    f.clock.advance(1000);
    f.count(A, 0, 512, 1); // counters per tracker region
    f.count(A, 512, 512, 1);
    f.scanned(A);
    await f.policy.round();
    assertEquals(f.tasks(), [], `round ${round}: the written half stays`);
  }
  assertEquals(
    f.policy.logic.heatmap.ranges(A).map((r) => r.heat > 0),
    f.policy.logic.heatmap.ranges(A).map(() => true),
  );
});

Deno.test("heat: a process that exits mid-round is skipped quietly; the others are placed", async () => {
  using f = fixture({ heatnumas: { 9: [1] } });
  f.watch(A, B);
  f.count(A, 0, 256, 1);
  f.count(B, 0, 256, 1);
  f.k.processes.get(A)!.exitAt = { step: "locate", count: 1, zombie: false };
  await f.policy.round();
  assertEquals(f.tasks(), [[B, 256, 1]]);
  assertEquals(f.log(), "");
});

Deno.test("heat: ranges that went away (unmapped) are skipped, never an error", async () => {
  using f = fixture({ heatnumas: { 9: [1] } });
  f.watch(A);
  f.count(A, 0, 256, 1);
  // A hot range the process no longer maps (past its 1024 pages).
  f.tracker.counters.push({
    pid: A,
    range: { startAddr: BASE + 4096 * PAGE, endAddr: BASE + 4352 * PAGE },
    accesses: 0,
    reads: 0,
    writes: 256,
  });
  await f.policy.round();
  assertEquals(f.tasks(), [[A, 256, 1]]);
  assertEquals(f.log(), "");
});

Deno.test("heat: DryRun logs what would move and queues nothing", async () => {
  using f = fixture({ heatnumas: { 9: [1] }, dryrun: true });
  f.watch(A);
  f.count(A, 0, 512, 1);
  await f.policy.round();
  assertEquals(f.tasks(), []);
  assertEquals(
    f.log(),
    "INFO: policy heat dry run: would move 512 pages (2.0 MiB) of pid 500 to node 1: heat class 9\n",
  );
});

Deno.test("heat: a forecast replaces the heats of the round; pids not watched in it are ignored", async () => {
  using f = fixture({ heatnumas: { 9: [1] }, forecaster: { name: "scripted" } });
  f.watch(A);
  f.count(A, 0, 100, 0.1); // measured: class 1, no nodes
  f.forecaster.answer = new Map([
    [A, [{ addr: BASE, lengthPages: 300, heat: 1, createdMs: 0, updatedMs: 0 }]],
    [B, [{ addr: BASE, lengthPages: 300, heat: 1, createdMs: 0, updatedMs: 0 }]],
  ]);
  await f.policy.round();
  assertEquals(f.tasks(), [[A, 300, 1]]);
  assertEquals(f.forecaster.shown.map((h) => [...h.keys()]), [[A]]);
  // The heatmap keeps the measured heats.
  assertEquals(f.policy.logic.heatmap.ranges(A).map((r) => [r.lengthPages, r.heat]), [[100, 0.1]]);
  assertEquals(f.policy.dump(["forecast", "x"]), "scripted x");
  await f.policy.stop();
  assertEquals(f.forecaster.stopped, true);
});

Deno.test("heat: a forecaster that throws is one log line; the measured heats decide", async () => {
  using f = fixture({ heatnumas: { 9: [1] }, forecaster: { name: "scripted" } });
  f.forecaster.forecast = () => {
    throw new Error('Cannot write heat trace to "/x": denied');
  };
  f.watch(A);
  f.count(A, 0, 128, 1);
  await f.policy.round();
  assertEquals(f.tasks(), [[A, 128, 1]]);
  assertEquals(
    f.log(),
    'ERROR: policy heat: forecaster scripted: Cannot write heat trace to "/x": denied\n',
  );
});

Deno.test("heat: a forecaster failing every round is one ERROR line, and one INFO line when it works again", async () => {
  using f = fixture({ heatnumas: { 9: [1] }, forecaster: { name: "scripted" } });
  let failing = 3;
  f.forecaster.forecast = () => {
    if (failing-- > 0) throw new Error('Cannot write heat trace to "/x": no space left on device');
    return null;
  };
  f.watch(A);
  for (let round = 0; round < 5; round++) await f.policy.round();
  assertEquals(
    f.log(),
    'ERROR: policy heat: forecaster scripted: Cannot write heat trace to "/x": no space left on device\n' +
      "INFO: policy heat: forecaster scripted: works again after 3 failed rounds\n",
  );
});

Deno.test("heat: NumaSize N% is a share of the node's MemTotal", async () => {
  using f = fixture({ heatnumas: { 9: [1] }, numasize: { 1: "20%" } });
  f.watch(A);
  f.count(A, 0, 800, 1);
  f.count(A, 800, 224, 0.95);
  await f.policy.round();
  // 20% of node 1's 16M is 819 pages: the hotter 800 fit, the other 224 do not.
  assertEquals(f.tasks(), [[A, 800, 1]]);
  assertEquals(f.policy.dump(["numa"]).split("\n").slice(-2), [
    "   0          0.9    unlimited",
    "   1          3.1          3.2",
  ]);
});

Deno.test("heat: heatgram counts memory per class and pid", async () => {
  using f = fixture({ heatmap: { heatclasses: 4 } });
  f.watch(A);
  f.count(A, 0, 256, 1);
  f.count(A, 256, 768, 0.3);
  await f.policy.round();
  assertEquals(
    f.policy.dump(["heatgram"]),
    [
      "table: maximum heat in heatmaps",
      "     pid  maxHeat",
      "     500   1.0000",
      "",
      "table: memory in heat classes",
      "     pid class pidmem[%] totmem[%]    mem[G]",
      "     500     0      0.00      0.00     0.000",
      "     500     1     75.00     75.00     0.003",
      "     500     2      0.00      0.00     0.000",
      "     500     3     25.00     25.00     0.001",
    ].join("\n"),
  );
  assertEquals(f.policy.dump(["heatgram", "0"]).startsWith("invalid argument"), true);
  assertEquals(
    f.policy.dump([]),
    "dump <config|forecast [PARAMS]|heatmap|heatgram [CLASSES]|numa>",
  );
  assertEquals(f.policy.dump(["forecast"]), "no forecaster");
});

Deno.test("heat config: defaults for omitted keys, and config -dump shows them", () => {
  const spec = parseComponent(policies, {
    name: "heat",
    config: "pidwatcher: {name: pidlist}\ntracker: {name: softdirty}\nheatnumas: {0: [-1]}",
  });
  const c = spec.config as ReturnType<typeof parseHeatConfig>;
  assertEquals([c.IntervalMs, c.Heatmap, c.Mover, c.DryRun, c.forecaster], [
    5000,
    { HeatMax: 1, HeatRetention: 0.9513, HeatClasses: 10 },
    { IntervalMs: 10, Bandwidth: 100 },
    false,
    null,
  ]);
  assertEquals([...c.HeatNumas], [[0, [-1]]]);
  using f = fixture({ heatnumas: { 0: [-1], 9: [1] }, numasize: { 1: "2g" } });
  assertEquals(JSON.parse(f.policy.dump(["config"])), {
    PidWatcher: { name: "pidlist", config: { Pids: [] } },
    Tracker: { name: "scripted", config: {} },
    Heatmap: { HeatMax: 1, HeatRetention: 0.9513, HeatClasses: 10 },
    Forecaster: null,
    IntervalMs: 1000,
    HeatNumas: { 0: [-1], 9: [1] },
    NumaSize: { 1: "2g" },
    Mover: { IntervalMs: 10, Bandwidth: 100 },
    DryRun: false,
  });
});

Deno.test("heat config: bad classes, nodes and sizes are refused with what is accepted", () => {
  const base = { pidwatcher: { name: "pidlist" }, tracker: { name: "stub" } };
  const err = (extra: Record<string, unknown>) =>
    configError(() => parseHeatConfig({ ...base, ...extra }, "policy heat", heatForecasters));
  assertEquals(
    err({ heatnumas: { 10: [1] } }),
    'policy heat: HeatNumas.10: must be a whole number from 0 to 9 (got "10")',
  );
  assertEquals(
    err({ heatnumas: { 1: [-2] } }),
    "policy heat: heatnumas.1: must be node numbers (2, 2-3) or tier words (fastest, slowest, " +
      "local, slower, faster, tier:N), or -1 (swap), or a list of them (got a list)",
  );
  assertEquals(
    err({ heatnumas: { 1: "slowest,slowr" } }),
    "policy heat: heatnumas.1: must be node numbers (2, 2-3) or tier words (fastest, slowest, " +
      'local, slower, faster, tier:N), or -1 (swap), or a list of them (got "slowest,slowr")',
  );
  assertEquals(
    err({ numasize: { 1: "12 parsecs" } }),
    "policy heat: NumaSize.1: must be a size: bytes with B, K, KB, M, MB, G, GB, T or TB, " +
      'or N% of the node (got "12 parsecs")',
  );
  assertEquals(
    err({ numasize: { "-1": "50%" } }),
    "policy heat: NumaSize.-1: a percentage needs a NUMA node's MemTotal: give swap's size in bytes",
  );
  // The one deprecated-key check of age, ratio and heat (heat's own copy said no "instead").
  assertEquals(
    err({ pids: [1] }),
    "policy heat: Pids: deprecated in the heat policy: use a pidlist pidwatcher instead, " +
      "pidwatcher: {name: pidlist, config: {pids: [PID]}}",
  );
  assertIncludes(err({ tracker: { name: "nope" } }), "policy heat: Tracker.name: unknown tracker");
  assertIncludes(err({ heatmap: { heatmax: 0 } }), "heatmap.heatmax: must be a number above 0");
});

Deno.test("heat config: NumaSize takes B/K/KB/M/MB/G/GB/T/TB in any case, plain bytes and N%", () => {
  assertEquals(
    ["100", "100B", "16k", "16KB", "2m", "2Mb", "1g", "1GB", "1t", "1TB", 4096, "0.5G"].map((s) =>
      parseNumaSize(s)
    ).map((s) => s && "bytes" in s ? s.bytes : s),
    [100, 100, 16384, 16384, 2097152, 2097152, 2 ** 30, 2 ** 30, 2 ** 40, 2 ** 40, 4096, 2 ** 29],
  );
  assertEquals(parseNumaSize("50%"), { percent: 50, text: "50%" });
  assertEquals([parseNumaSize("0%"), parseNumaSize("101%"), parseNumaSize("1GiB")], [
    undefined,
    undefined,
    undefined,
  ]);
});

Deno.test("heat from the prompt: -create heat -config JSON, start: the idle process goes to the cold class's node", async () => {
  using h = harness();
  assertEquals(
    await h.run(
      `policy -create heat -config '{"PidWatcher":{"name":"pidlist","config":{"Pids":[500]}},` +
        `"Tracker":{"name":"softdirty","Config":{"ScanIntervalMs":50}},"IntervalMs":100,` +
        `"HeatNumas":{"0":[2]}}'`,
    ),
    "policy created\n",
  );
  await h.run("policy -start");
  for (let i = 0; i < 40; i++) await h.clock.sleep(50);
  await h.run("policy -stop");
  // The tracker scanned it and saw no writes: all 1040 pages (heap and anon) are class 0.
  assertEquals(h.kernel.pagesPerNode(500), new Map([[2, 1040]]));
  // Both ranges at heat 0 (created when the first scan finished; the seconds since vary with the rounds).
  assertEquals(
    (await h.run("policy -dump heatmap")).replace(/,[0-9]+,[0-9.]+s\}/g, ",T,Ts}"),
    [
      "heatmap:",
      "pid: 500: 0 {ff00000-ff10000(16),0.000000,T,Ts} (class 0)",
      "pid: 500: 1 {10000000-10400000(1024),0.000000,T,Ts} (class 0)",
      "",
      "",
    ].join("\n"),
  );
});

Deno.test("heat from the prompt: -config-file FILE (YAML) with a DryRun moves nothing and says what it would", async () => {
  using h = harness();
  const file = Deno.makeTempFileSync({ suffix: ".yaml" });
  try {
    Deno.writeTextFileSync(
      file,
      "pidwatcher: {name: pidlist, config: {pids: [500]}}\n" +
        "tracker: {name: softdirty, config: {scanintervalms: 50}}\n" +
        "intervalms: 100\nheatnumas: {0: [3]}\ndryrun: true\n",
    );
    assertEquals(await h.run(`policy -create heat -config-file ${file}`), "policy created\n");
    await h.run("policy -start");
    for (let i = 0; i < 40; i++) await h.clock.sleep(50);
    await h.run("policy -stop");
    assertEquals(h.kernel.pagesPerNode(500), new Map([[0, 1040]]));
    assertIncludes(
      h.log(),
      "INFO: policy heat dry run: would move 1040 pages (4.1 MiB) of pid 500 to node 3: heat class 0\n",
    );
  } finally {
    Deno.removeSync(file);
  }
});

/** Kernel memory tiers over the fixture's nodes: 0 and 1 (with CPUs) in memory_tier4, 2 in memory_tier450. */
function withTiers(f: Fixture): void {
  const root = `${f.deps.sysfs.root}/devices/virtual/memory_tiering`;
  for (const [tier, nodes] of [["memory_tier4", "0-1"], ["memory_tier450", "2"]]) {
    Deno.mkdirSync(`${root}/${tier}`, { recursive: true });
    Deno.writeTextFileSync(`${root}/${tier}/nodelist`, `${nodes}\n`);
  }
}

Deno.test("heat config: HeatNumas lists take tier words and -1 in their order; config -dump shows them as written", () => {
  using f = fixture({ heatnumas: { 0: ["slower", -1], 5: [2, 1], 9: "local" } });
  assertEquals(JSON.parse(f.policy.dump(["config"])).HeatNumas, {
    0: "slower,-1",
    5: [2, 1],
    9: "local",
  });
});

Deno.test("heat with HeatNumas slower: each process's cold memory goes to its own slower tier; one with none allowed stays, one warning", async () => {
  using f = fixture({ heatnumas: { 0: "slower" } });
  withTiers(f);
  f.k.processes.get(B)!.memsAllowed = [0, 1];
  f.sys.sync();
  f.watch(A, B);
  f.scanned(A);
  f.scanned(B);
  await f.policy.round();
  assertEquals(f.tasks(), [[A, 1024, 2]]);
  f.finishTasks();
  f.clock.advance(1000);
  f.scanned(A);
  f.scanned(B);
  await f.policy.round();
  assertEquals(f.tasks(), []);
  assertEquals(f.k.pagesPerNode(B), new Map([[0, 1024]]));
  assertEquals(f.log().split("\n").filter((l) => l.startsWith("WARN")), [
    `WARN: policy heat: pid ${B} may not use any of HeatNumas.0 slower ` +
    "(its Mems_allowed_list): its memory stays where it is",
  ]);
});

Deno.test("heat with HeatNumas tier words: the words give node numbers before the NumaSize quotas apply", async () => {
  // Node 2 takes 2M = 512 pages of the watched processes.
  using f = fixture({ heatnumas: { 0: ["slowest", -1] }, numasize: { 2: "2M", "-1": "1M" } });
  withTiers(f);
  f.watch(A, B);
  f.count(A, 0, 512, 1); // hot: class 9, no nodes: stays
  f.scanned(A);
  f.scanned(B);
  await f.policy.round();
  // A's cold 512 pages fill node 2; B's 1024 fit neither node 2 nor swap's 256.
  assertEquals(f.tasks(), [[A, 512, 2]]);
});

Deno.test("heat with HeatNumas tier words: a process that exits before its classes resolve is skipped quietly", async () => {
  using f = fixture({ heatnumas: { 9: "slower" } });
  withTiers(f);
  f.watch(A, B);
  f.count(A, 0, 256, 1);
  f.count(B, 0, 256, 1);
  f.k.processes.get(A)!.exitAt = { step: "status", count: 1, zombie: false };
  await f.policy.round();
  assertEquals(f.tasks(), [[B, 256, 2]]);
  assertEquals(f.log(), "");
});
