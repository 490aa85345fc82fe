import { ConfigError } from "../config/config_error.ts";
import { UsageError } from "../errors.ts";
import { nodeTarget, SWAP_TARGET } from "../mover/mover.ts";
import { assertEquals, assertIncludes, assertThrows } from "../testing/assert.ts";
import { BASE, PAGE, PID, trackerFixture } from "../trackers/_test_deps.ts";
import { type AgeConfig, createAgePolicy, parseAgeConfig, parseTimeSpecMs } from "./age.ts";
import {
  counter,
  pagesAt,
  pidlistSpec,
  scriptedSpec,
  ScriptedTracker,
} from "./_policy_test_deps.ts";
import { loadAllComponents } from "../_test_components.ts";

await loadAllComponents();

const A = pagesAt(0, 512);
const B = pagesAt(512, 1024);

function fixture(config: Partial<AgeConfig> = {}) {
  const f = trackerFixture();
  f.sys.kernel.addNode(1, 100000).addNode(2, 100000);
  f.sys.sync();
  const tracker = new ScriptedTracker();
  const policy = createAgePolicy({
    pidWatcher: pidlistSpec(),
    tracker: scriptedSpec(tracker),
    Mover: { IntervalMs: 10, Bandwidth: 100 },
    DryRun: false,
    IntervalMs: 1000,
    SwapOutMs: 0,
    IdleDurationMs: 0,
    IdleNumas: [],
    ActiveDurationMs: 0,
    ActiveNumas: [],
    DemoteToMakeRoom: false,
    ...config,
  }, f.deps);
  /** One policy round after `ms` more, with these counters. */
  const round = (ms: number, ...counters: ReturnType<typeof counter>[]) => {
    f.clock.advance(ms);
    tracker.counters = counters;
    policy.round();
  };
  const tasks = () =>
    f.deps.mover.tasks().map((t) => [t.pid, t.addrs.length, t.target, t.addrs[0]! - BASE]);
  return { f, tracker, policy, round, tasks, [Symbol.dispose]: () => f[Symbol.dispose]() };
}

const twoPids = { PidWatcher: { name: "pidlist", config: { Pids: [500] } } };

Deno.test("parseAgeConfig: an omitted Mover, IntervalMs and DryRun take their defaults", () => {
  const c = parseAgeConfig(
    { ...twoPids, tracker: { name: "softdirty" }, idledurationms: 3000, idlenumas: [2] },
    "policy age",
  );
  assertEquals(
    [c.Mover, c.IntervalMs, c.DryRun, c.SwapOutMs, c.ActiveNumas, c.IdleNumas],
    [{ IntervalMs: 10, Bandwidth: 100 }, 5000, false, 0, [], [2]],
  );
  assertEquals([c.pidWatcher.name, c.tracker.name], ["pidlist", "softdirty"]);
});

// Every policy's IntervalMs is at most an hour now, as every other loop's
// (age, ratio and heat accepted a day, avoid-oom and demote-idle an hour).
Deno.test("parseAgeConfig refuses IntervalMs 0 in one line", () => {
  assertThrows(
    () =>
      parseAgeConfig({ ...twoPids, Tracker: { name: "softdirty" }, IntervalMs: 0 }, "policy age"),
    ConfigError,
    "policy age: IntervalMs: must be a whole number from 1 to 3600000 (got 0)",
  );
});

Deno.test("parseAgeConfig refuses the deprecated Cgroups and Pids with the pidwatcher to use", () => {
  const e = assertThrows(
    () =>
      parseAgeConfig(
        { ...twoPids, Tracker: { name: "softdirty" }, Cgroups: ["/sys/fs/cgroup/a"] },
        "policy age",
      ),
    ConfigError,
  );
  assertEquals(
    e.message,
    "policy age: Cgroups: deprecated in the age policy: use a cgroups pidwatcher instead, " +
      "pidwatcher: {name: cgroups, config: {cgroups: [/sys/fs/cgroup/PATH]}}",
  );
  assertEquals(e.keyPath, ["Cgroups"]);
  assertThrows(
    () => parseAgeConfig({ ...twoPids, Tracker: { name: "softdirty" }, Pids: [1] }, "policy age"),
    ConfigError,
    "use a pidlist pidwatcher instead",
  );
});

Deno.test("parseAgeConfig: errors in nested components carry their key path", () => {
  const e = assertThrows(
    () =>
      parseAgeConfig(
        { ...twoPids, Tracker: { name: "softdirty", config: { ScanIntervalMs: 0 } } },
        "policy age",
      ),
    ConfigError,
  );
  assertEquals(e.keyPath, ["Tracker", "config", "ScanIntervalMs"]);
  assertIncludes(e.message, "policy age: Tracker.config.ScanIntervalMs: must be");
  assertThrows(
    () => parseAgeConfig({ Tracker: { name: "softdirty" } }, "policy age"),
    ConfigError,
    "policy age: PidWatcher: missing: this key is required",
  );
  assertThrows(
    () => parseAgeConfig({ ...twoPids, Tracker: { name: "nosuch" } }, "policy age"),
    ConfigError,
    'unknown tracker "nosuch"',
  );
});

Deno.test("age: a range unchanged for IdleDurationMs goes to the idle node; an active one to the active node", () => {
  using x = fixture({
    IdleDurationMs: 2000,
    IdleNumas: [2],
    ActiveDurationMs: 1000,
    ActiveNumas: [1],
  });
  x.round(0, counter(A, 1), counter(B, 1)); // t=0: both new (count as changed)
  assertEquals(x.tasks(), []);
  x.round(1000, counter(A, 2), counter(B, 1)); // t=1000: A changed twice in a row: active
  assertEquals(x.tasks(), [[PID, 512, nodeTarget(1), 0]]);
  x.f.deps.mover.removeTask(x.f.deps.mover.tasks()[0]!.id);
  x.round(1000, counter(A, 3), counter(B, 1)); // t=2000: B last changed at 0, not before 0
  assertEquals(x.tasks(), [[PID, 512, nodeTarget(1), 0]]);
  x.f.deps.mover.removeTask(x.f.deps.mover.tasks()[0]!.id);
  x.round(1000, counter(A, 4), counter(B, 1)); // t=3000: B idle for 3000 > 2000
  assertEquals(x.tasks(), [[PID, 512, nodeTarget(1), 0], [PID, 512, nodeTarget(2), 512 * PAGE]]);
});

Deno.test("age: no idle memory is queued while a demotion of its own is still on the mover", () => {
  using x = fixture({ IdleDurationMs: 1000, IdleNumas: [2] });
  x.round(0, counter(A, 1), counter(B, 1));
  x.round(2000, counter(A, 2), counter(B, 1));
  assertEquals(x.tasks(), [[PID, 512, nodeTarget(2), 512 * PAGE]]);
  x.round(1000, counter(A, 2), counter(B, 1)); // A idle now too, but the mover is busy
  assertEquals(x.tasks().length, 1);
});

Deno.test("age: active memory is queued as an urgent promotion while a long demotion is still on the mover", () => {
  using x = fixture({
    IdleDurationMs: 1000,
    IdleNumas: [2],
    ActiveDurationMs: 1000,
    ActiveNumas: [1],
  });
  x.round(0, counter(A, 0), counter(B, 1));
  x.round(2000, counter(A, 0), counter(B, 2)); // A idle: demoted; B changed twice: promoted first
  assertEquals(x.tasks(), [[PID, 512, nodeTarget(1), 512 * PAGE], [PID, 512, nodeTarget(2), 0]]);
  assertEquals(x.f.deps.mover.tasks().map((t) => t.urgent), [true, undefined]);
  x.f.deps.mover.removeTask(x.f.deps.mover.tasks()[0]!.id); // the promotion done, the demotion not
  x.round(1000, counter(A, 0), counter(B, 3));
  assertEquals(x.tasks(), [[PID, 512, nodeTarget(2), 0], [PID, 512, nodeTarget(1), 512 * PAGE]]);
});

Deno.test("age: a promotion still on the mover holds back the next promotion, not a demotion", () => {
  using x = fixture({
    IdleDurationMs: 1000,
    IdleNumas: [2],
    ActiveDurationMs: 1000,
    ActiveNumas: [1],
  });
  x.round(0, counter(A, 1), counter(B, 1));
  x.round(1000, counter(A, 1), counter(B, 2)); // B active
  assertEquals(x.tasks(), [[PID, 512, nodeTarget(1), 512 * PAGE]]);
  x.round(1000, counter(A, 1), counter(B, 3)); // A idle now; B's promotion still queued
  assertEquals(x.tasks(), [[PID, 512, nodeTarget(1), 512 * PAGE], [PID, 512, nodeTarget(2), 0]]);
});

Deno.test("age: a round with no change in any of a process's counts keeps its active rounds in a row", () => {
  // ActiveDurationMs 2000 at 1000 ms rounds: changed in 3 rounds in a row.
  using x = fixture({ ActiveDurationMs: 2000, ActiveNumas: [1] });
  x.round(0, counter(A, 1), counter(B, 1));
  x.round(1000, counter(A, 2), counter(B, 1));
  x.round(1000, counter(A, 2), counter(B, 1)); // no scan finished since: no news of the process
  assertEquals(x.tasks(), []);
  x.round(1000, counter(A, 3), counter(B, 1)); // the 3rd round with news in which A changed
  assertEquals(x.tasks(), [[PID, 512, nodeTarget(1), 0]]);
});

Deno.test("age: a range that changed in neither of the last two rounds is not active, news or not", () => {
  using x = fixture({ ActiveDurationMs: 1000, ActiveNumas: [1] });
  x.round(0, counter(A, 1), counter(B, 1));
  x.round(1000, counter(A, 2), counter(B, 1));
  x.f.deps.mover.removeTask(x.f.deps.mover.tasks()[0]!.id);
  x.round(1000, counter(A, 2), counter(B, 1)); // no news, A changed one round ago: still active
  assertEquals(x.tasks(), [[PID, 512, nodeTarget(1), 0]]);
  x.f.deps.mover.removeTask(x.f.deps.mover.tasks()[0]!.id);
  x.round(1000, counter(A, 2), counter(B, 1)); // two rounds ago: not active
  assertEquals(x.tasks(), []);
});

Deno.test("age: in a round where another range changed, an unchanged one starts its rounds in a row again", () => {
  using x = fixture({ ActiveDurationMs: 2000, ActiveNumas: [1] });
  x.round(0, counter(A, 1), counter(B, 1));
  x.round(1000, counter(A, 2), counter(B, 2));
  x.round(1000, counter(A, 2), counter(B, 3)); // B changed: A was not accessed in this round
  x.round(1000, counter(A, 3), counter(B, 4));
  assertEquals(x.tasks(), [[PID, 512, nodeTarget(1), 512 * PAGE]]); // B only
});

Deno.test("age: memory stays active when the tracker redraws its ranges (DAMON's regions)", () => {
  using x = fixture({ ActiveDurationMs: 2000, ActiveNumas: [1] });
  x.round(0, counter(A, 1), counter(B, 1));
  x.round(1000, counter(A, 2), counter(B, 1));
  // A redrawn as two halves; A's own counter stays, unchanged, as damon's do.
  x.round(
    1000,
    counter(A, 2),
    counter(B, 1),
    counter(pagesAt(0, 256), 1),
    counter(pagesAt(256, 512), 1),
  );
  assertEquals(x.tasks(), [[PID, 512, nodeTarget(1), 0]]);
});

Deno.test("age: a range is not idle while a range of its process that overlaps it changed", () => {
  using x = fixture({ IdleDurationMs: 1000, IdleNumas: [2] });
  x.round(0, counter(A, 1), counter(B, 1));
  x.round(1000, counter(A, 1), counter(B, 1), counter(pagesAt(0, 256), 1)); // A's first half redrawn, accessed
  x.round(1000, counter(A, 1), counter(B, 1), counter(pagesAt(0, 256), 1));
  assertEquals(x.tasks(), [[PID, 512, nodeTarget(2), 512 * PAGE]]); // B only
});

Deno.test("age: a round before the tracker finished a scan of the process takes none of its counts", () => {
  // ActiveDurationMs 2000 at 1000 ms rounds: changed in 3 rounds in a row.
  using x = fixture({ ActiveDurationMs: 2000, ActiveNumas: [1] });
  const scanned = () => x.f.deps.stats.recordScan(PID, 100, 1024, 1024, 1024);
  scanned();
  x.round(0, counter(A, 1), counter(B, 1));
  scanned();
  x.round(1000, counter(A, 2), counter(B, 2));
  x.round(1000, counter(A, 3), counter(B, 2)); // a scan under way: A counted again, B not yet
  assertEquals(x.tasks(), []);
  scanned();
  x.round(1000, counter(A, 3), counter(B, 3)); // the scan done: A and B changed in 3 scans
  assertEquals(x.tasks(), [[PID, 1024, nodeTarget(1), 0]]);
});

Deno.test("age: a stopped process's rounds in a row end after a finished scan; the one change a migration makes is not activity", () => {
  // ActiveDurationMs 2000 at 1000 ms rounds: changed in 3 rounds in a row.
  using x = fixture({ ActiveDurationMs: 2000, ActiveNumas: [1] });
  const scanned = () => x.f.deps.stats.recordScan(PID, 100, 1024, 1024, 1024);
  scanned();
  x.round(0, counter(A, 1), counter(B, 1));
  scanned();
  x.round(1000, counter(A, 2), counter(B, 1));
  // Stopped: scans finish and find nothing written.
  scanned();
  x.round(1000, counter(A, 2), counter(B, 1));
  scanned();
  x.round(1000, counter(A, 2), counter(B, 1));
  // The kernel marks the pages it migrated soft-dirty: A's count changes once.
  scanned();
  x.round(1000, counter(A, 3), counter(B, 1));
  assertEquals(x.tasks(), []);
});

Deno.test("age: the changes its own move makes in the scans around it are not activity; later ones are", () => {
  // ActiveDurationMs 1000 at 1000 ms rounds: changed in 2 rounds in a row.
  using x = fixture({
    IdleDurationMs: 1000,
    IdleNumas: [2],
    ActiveDurationMs: 1000,
    ActiveNumas: [1],
  });
  const scanned = () => x.f.deps.stats.recordScan(PID, 100, 1024, 1024, 1024);
  scanned();
  x.round(0, counter(A, 1));
  scanned();
  x.round(2000, counter(A, 1)); // idle: demoted
  assertEquals(x.tasks(), [[PID, 512, nodeTarget(2), 0]]);
  // The move straddles two scans: each sees some of A's migrated pages soft-dirty.
  scanned();
  x.round(1000, counter(A, 2));
  x.f.deps.mover.removeTask(x.f.deps.mover.tasks()[0]!.id); // done
  scanned();
  x.round(1000, counter(A, 3));
  assertEquals(x.tasks(), []);
  // The scan under way when the move was done may have seen some too.
  scanned();
  x.round(1000, counter(A, 4));
  assertEquals(x.tasks(), []);
  // Then A is written in two rounds in a row: active.
  scanned();
  x.round(1000, counter(A, 5));
  assertEquals(x.tasks(), []);
  scanned();
  x.round(1000, counter(A, 6));
  assertEquals(x.tasks(), [[PID, 512, nodeTarget(1), 0]]);
});

Deno.test("age: idle pages already on another node of IdleNumas stay there", () => {
  using x = fixture({ IdleDurationMs: 1000, IdleNumas: [2, 1] });
  x.f.sys.kernel.populate(PID, 1, 1, 400, 512); // 400 of B's pages are on node 1, a slow node too
  x.f.sys.sync();
  x.round(0, counter(B, 1));
  x.round(2000, counter(B, 1));
  assertEquals(x.tasks(), [[PID, 112, nodeTarget(2), 912 * PAGE]]);
});

Deno.test("age: SwapOutMs swaps idle ranges out, and merged neighbours make one task", () => {
  using x = fixture({ SwapOutMs: 1500 });
  x.round(0, counter(A, 1), counter(B, 1));
  x.round(1000, counter(A, 1), counter(B, 1));
  assertEquals(x.tasks(), []);
  x.round(1000, counter(A, 1), counter(B, 1));
  assertEquals(x.tasks(), [[PID, 1024, SWAP_TARGET, 0]]);
});

Deno.test("age: pages already on the idle node are not queued again", () => {
  using x = fixture({ IdleDurationMs: 1000, IdleNumas: [2] });
  x.f.sys.kernel.populate(PID, 1, 2, 400, 512); // 400 of B's pages are on node 2 already
  x.f.sys.sync();
  x.round(0, counter(B, 1));
  x.round(2000, counter(B, 1));
  assertEquals(x.tasks(), [[PID, 112, nodeTarget(2), 912 * PAGE]]);
});

Deno.test("age: the idle node is the first of IdleNumas the process may use", () => {
  using x = fixture({ IdleDurationMs: 1000, IdleNumas: [1, 2] });
  x.f.sys.kernel.processes.get(PID)!.memsAllowed = [0, 2];
  x.f.sys.sync();
  x.round(0, counter(B, 1));
  x.round(2000, counter(B, 1));
  assertEquals(x.tasks(), [[PID, 512, nodeTarget(2), 512 * PAGE]]);
});

Deno.test("age: active memory fills the first node of ActiveNumas as far as its room goes, then the next", () => {
  using x = fixture({ ActiveDurationMs: 1000, ActiveNumas: [3, 2, 1] });
  // Room less 1 % of MemTotal: node 3 (300 pages) takes 297, node 2 (600) the other 215.
  x.f.sys.kernel.addNode(3, 300).addNode(2, 600);
  x.f.sys.sync();
  x.round(0, counter(A, 1));
  x.round(1000, counter(A, 2));
  x.round(1000, counter(A, 3));
  assertEquals(x.tasks(), [
    [PID, 297, nodeTarget(3), 0],
    [PID, 215, nodeTarget(2), 297 * PAGE],
  ]);
});

Deno.test("age: idle pages no node of IdleNumas has room for stay where they are", () => {
  using x = fixture({ IdleDurationMs: 1000, IdleNumas: [3, 2] });
  // Node 3 (200 pages) takes 198, node 2 (300) 297: 17 of the 512 are left.
  x.f.sys.kernel.addNode(3, 200).addNode(2, 300);
  x.f.sys.sync();
  x.round(0, counter(B, 1));
  x.round(2000, counter(B, 1));
  assertEquals(x.tasks(), [
    [PID, 198, nodeTarget(3), 512 * PAGE],
    [PID, 297, nodeTarget(2), 710 * PAGE],
  ]);
});

Deno.test("age: a sparse range is sized by its present pages, not its length", () => {
  using x = fixture({ ActiveDurationMs: 1000, ActiveNumas: [3, 2] });
  // 1 GiB mapped, 2,560 pages (10 MiB) present; node 3 has room for 4,950 pages (19 MiB).
  const sparse = 0x80000000;
  x.f.sys.kernel.processes.get(PID)!.vmas.push({ startAddr: sparse, pages: 262144, kind: "anon" });
  x.f.sys.kernel.populate(PID, 2, 0, 2560);
  x.f.sys.kernel.addNode(3, 5000);
  x.f.sys.sync();
  const range = { startAddr: sparse, endAddr: sparse + 2 ** 30 };
  x.round(0, counter(range, 1));
  x.round(1000, counter(range, 2));
  x.round(1000, counter(range, 3));
  assertEquals(x.tasks(), [[PID, 2560, nodeTarget(3), sparse - BASE]]);
});

Deno.test("age: the room a process's promotion takes is gone for the next process of the round", () => {
  using x = fixture({ ActiveDurationMs: 1000, ActiveNumas: [3, 2] });
  const other = 501;
  x.f.sys.kernel.addProcess(other, "meme", [{ startAddr: BASE, pages: 512, kind: "anon" }]);
  x.f.sys.kernel.populate(other, 0, 0, 512);
  x.f.sys.kernel.addNode(3, 800); // room for 792 pages: 512 of pid 500, 280 of pid 501
  x.f.sys.sync();
  const both = (n: number) => [counter(A, n), counter(A, n, 0, other)];
  x.round(0, ...both(1));
  x.round(1000, ...both(2));
  x.round(1000, ...both(3));
  assertEquals(x.tasks(), [
    [PID, 512, nodeTarget(3), 0],
    [other, 280, nodeTarget(3), 0],
    [other, 232, nodeTarget(2), 280 * PAGE],
  ]);
});

/**
 * The fixture with node 0 full: the hot half A (pages 0-511) on slow node
 * 2, the cold half B on node 0, which has room for 26 pages (32 free less
 * 1 % of its 560).
 */
function fullFastNode(config: Partial<AgeConfig>) {
  const x = fixture({
    ActiveDurationMs: 1000,
    ActiveNumas: [0],
    IdleDurationMs: 60000,
    IdleNumas: [2],
    ...config,
  });
  x.f.sys.kernel.populate(PID, 1, 2, 512);
  x.f.sys.kernel.nodes.get(0)!.capacityPages = 560;
  x.f.sys.sync();
  return x;
}

Deno.test("age DemoteToMakeRoom: on a full fast node the least accessed memory goes down to make room for the most accessed", () => {
  using x = fullFastNode({ DemoteToMakeRoom: true });
  // Every page of A written in each round, 8 of B's 512: both change in every round.
  x.round(0, counter(A, 512), counter(B, 8));
  x.round(1000, counter(A, 1024), counter(B, 16));
  assertEquals(x.tasks(), [
    [PID, 512, nodeTarget(2), 512 * PAGE],
    [PID, 512, nodeTarget(0), 0],
  ]);
  assertEquals(x.f.deps.mover.tasks().map((t) => t.urgent), [true, true]);
  // The next exchange waits for both tasks.
  x.f.deps.mover.removeTask(x.f.deps.mover.tasks()[1]!.id);
  x.round(1000, counter(A, 1536), counter(B, 24));
  assertEquals(x.tasks(), [[PID, 512, nodeTarget(2), 512 * PAGE]]);
});

Deno.test("age DemoteToMakeRoom: the exchange waits for a finished scan of the tracker", () => {
  using x = fullFastNode({ DemoteToMakeRoom: true });
  const scanned = () => x.f.deps.stats.recordScan(PID, 100, 1024, 1024, 1024);
  scanned();
  x.round(0, counter(A, 512), counter(B, 8));
  scanned();
  x.round(1000, counter(A, 1024), counter(B, 16));
  const exchange = [[PID, 512, nodeTarget(2), 512 * PAGE], [PID, 512, nodeTarget(0), 0]];
  assertEquals(x.tasks(), exchange);
  for (const t of [...x.f.deps.mover.tasks()]) x.f.deps.mover.removeTask(t.id); // not moved
  x.round(1000, counter(A, 1024), counter(B, 16)); // no scan finished: no news, no exchange
  assertEquals(x.tasks(), []);
  scanned();
  x.round(1000, counter(A, 1536), counter(B, 24));
  assertEquals(x.tasks(), exchange);
});

Deno.test("age DemoteToMakeRoom: pages are located again only in ranges moved since, and every 5 exchanges", () => {
  using x = fullFastNode({ DemoteToMakeRoom: true });
  const kernel = x.f.sys.kernel;
  const movePages = kernel.movePages.bind(kernel);
  let located = 0;
  kernel.movePages = (pid, addrs, nodes, status, flags) => {
    if (nodes === null) located += addrs.length;
    return movePages(pid, addrs, nodes, status, flags);
  };
  // A and B accessed alike: nothing trades places, nothing moves.
  const perRound: number[] = [];
  for (let i = 0; i < 8; i++) {
    const before = located;
    x.round(1000, counter(A, 256 * (i + 1)), counter(B, 160 * (i + 1)));
    perRound.push(located - before);
  }
  assertEquals(x.tasks(), []);
  // Exchanges from the second round on; the first locates all 1024 pages, then the
  // ranges come back staggered: B 4 exchanges after it, A 5.
  assertEquals(perRound, [0, 1024, 0, 0, 0, 512, 512, 0]);
});

Deno.test("age: without DemoteToMakeRoom, memory touched in every round never leaves a full fast node", () => {
  using x = fullFastNode({});
  x.round(0, counter(A, 512), counter(B, 8));
  x.round(1000, counter(A, 1024), counter(B, 16));
  // The 26 pages of room go to A; B is not idle, so nothing makes more.
  assertEquals(x.tasks(), [[PID, 26, nodeTarget(0), 0]]);
});

Deno.test("age DemoteToMakeRoom: memory accessed about as much as the memory waiting stays where it is", () => {
  using x = fullFastNode({ DemoteToMakeRoom: true });
  // A: half of its pages written in a scan (0.69 accesses per page), B: 160
  // of 512 (0.38): more than a quarter as much.
  x.round(0, counter(A, 256), counter(B, 160));
  x.round(1000, counter(A, 512), counter(B, 320));
  x.round(1000, counter(A, 768), counter(B, 480));
  assertEquals(x.tasks(), []);
});

Deno.test("age: a process that may use none of IdleNumas keeps its memory, with one warning", () => {
  using x = fixture({ IdleDurationMs: 1000, IdleNumas: [1] });
  x.f.sys.kernel.processes.get(PID)!.memsAllowed = [0];
  x.f.sys.sync();
  x.round(0, counter(B, 1));
  x.round(2000, counter(B, 1));
  x.round(1000, counter(B, 1));
  assertEquals(x.tasks(), []);
  assertEquals(
    x.f.log().split("\n").filter((l) => l.includes("may not use")),
    [
      "WARN: policy age: pid 500 may not use any of nodes 1 (its Mems_allowed_list): its memory stays where it is",
    ],
  );
});

Deno.test("age: a process that exits mid-round is forgotten, and the round goes on", () => {
  using x = fixture({ IdleDurationMs: 1000, IdleNumas: [2] });
  x.f.sys.kernel.addProcess(501, "meme", [{ startAddr: BASE, pages: 512, kind: "anon" }]);
  x.f.sys.kernel.populate(501, 0, 0, 512);
  x.f.sys.sync();
  x.round(0, counter(B, 1), counter(pagesAt(0, 512), 1, 0, 501));
  // pid 500 exits when placement reads its pagemap
  x.f.sys.kernel.processes.get(PID)!.exitAt = { step: "pagemap", count: 1, zombie: false };
  x.round(2000, counter(B, 1), counter(pagesAt(0, 512), 1, 0, 501));
  assertEquals(x.tasks(), [[501, 512, nodeTarget(2), 0]]);
  assertEquals(
    x.policy.dump(["accessed", "0,0"]).split("\n").slice(2).map((l) => l.trim().split(/ +/)[0]),
    [
      "501",
    ],
  );
});

Deno.test("age: a range that went away is skipped; what is left of the process still moves", () => {
  using x = fixture({ IdleDurationMs: 1000, IdleNumas: [2] });
  const gone = { startAddr: BASE + 4096 * PAGE, endAddr: BASE + 4608 * PAGE };
  x.round(0, counter(B, 1), counter(gone, 1));
  x.round(2000, counter(B, 1), counter(gone, 1));
  assertEquals(x.tasks(), [[PID, 512, nodeTarget(2), 512 * PAGE]]);
});

Deno.test("age: ranges not seen for two intervals are forgotten", () => {
  using x = fixture({ IdleDurationMs: 5000, IdleNumas: [2] });
  x.round(0, counter(A, 1), counter(B, 1));
  x.round(1000, counter(B, 1));
  x.round(1000, counter(B, 1)); // A last seen 2000 ms ago: still kept
  assertEquals(
    x.policy.dump(["accessed", "0,0"]).split("\n").at(-1),
    "     500         0.000        0.000     1024    0.004    100.00",
  );
  x.round(1, counter(B, 1));
  assertEquals(
    x.policy.dump(["accessed", "0,0"]).split("\n").at(-1),
    "     500         0.000        0.000      512    0.002    100.00",
  );
});

Deno.test("age: in a dry run the decision is logged and nothing is queued", () => {
  using x = fixture({ IdleDurationMs: 1000, IdleNumas: [2], DryRun: true });
  x.round(0, counter(B, 1));
  x.round(2000, counter(B, 1));
  assertEquals(x.tasks(), []);
  assertIncludes(
    x.f.log(),
    "policy age dry run: would move 512 pages (2.0 MiB) of pid 500 to node 2: not accessed for 1000 ms",
  );
  assertEquals(x.f.stats.policyDecisions().map((d) => [d.pid, d.dest, d.pages, d.dryRun]), [
    [PID, 2, 512, true],
  ]);
});

Deno.test("age dump accessed: memory per time since last change, per pid and all, as the Go table", () => {
  using x = fixture({ IdleDurationMs: 3000, SwapOutMs: 6000, ActiveDurationMs: 1000 });
  x.f.sys.kernel.addProcess(501, "meme", [{ startAddr: BASE, pages: 256, kind: "anon" }]);
  x.round(0, counter(A, 1), counter(B, 1), counter(pagesAt(0, 256), 1, 0, 501));
  x.round(1000, counter(A, 1), counter(B, 1), counter(pagesAt(0, 256), 1, 0, 501));
  x.round(1000, counter(A, 2), counter(B, 1), counter(pagesAt(0, 256), 1, 0, 501));
  // now 2000: A changed 0 s ago, B and 501's range 2 s ago
  assertEquals(
    x.policy.dump(["accessed", "0,1s,2500ms,0", "500"]),
    [
      "table: time since last access",
      "     pid lastaccs>=[s] lastaccs<[s]    pages   mem[G] pidmem[%]",
      "     500         0.000        1.000      512    0.002     50.00",
      "     500         1.000        2.500      512    0.002     50.00",
      "     500         2.500        0.000        0    0.000      0.00",
    ].join("\n"),
  );
  assertEquals(
    x.policy.dump(["accessed"]),
    [
      "using limits from configuration: active 1000 ms, idle 3000 ms, swapout 6000 ms",
      "table: time since last access",
      "     pid lastaccs>=[s] lastaccs<[s]    pages   mem[G] pidmem[%]",
      "     all         0.000        1.000      512    0.002     40.00",
      "     all         1.000        3.000      768    0.003     60.00",
      "     all         3.000        6.000        0    0.000      0.00",
      "     all         6.000        0.000        0    0.000      0.00",
      "     500         0.000        1.000      512    0.002     50.00",
      "     500         1.000        3.000      512    0.002     50.00",
      "     500         3.000        6.000        0    0.000      0.00",
      "     500         6.000        0.000        0    0.000      0.00",
      "     501         0.000        1.000        0    0.000      0.00",
      "     501         1.000        3.000      256    0.001    100.00",
      "     501         3.000        6.000        0    0.000      0.00",
      "     501         6.000        0.000        0    0.000      0.00",
    ].join("\n"),
  );
});

Deno.test("age dump: bad TIMESPECs and views are usage errors; config is a view", () => {
  using x = fixture();
  assertThrows(() => x.policy.dump(["accessed", "1x"]), UsageError, 'Invalid TIMESPEC "1x"');
  assertThrows(() => x.policy.dump(["accessed", "1s"]), UsageError, "too few TIMESPECs");
  assertThrows(() => x.policy.dump(["heatmap"]), UsageError, 'unknown dump "heatmap"');
  assertEquals(JSON.parse(x.policy.dump(["config"])).IntervalMs, 1000);
  assertEquals([parseTimeSpecMs("1m"), parseTimeSpecMs("250us"), parseTimeSpecMs("0")], [
    60000,
    0.25,
    0,
  ]);
});

Deno.test("age says at start what its config leaves off: IdleDurationMs without IdleNumas, nothing to do", async () => {
  using x = fixture({ IdleDurationMs: 1000 });
  await x.policy.start();
  await x.policy.stop();
  assertEquals(x.f.log().split("\n").filter((l) => l.startsWith("WARN: policy age")), [
    "WARN: policy age: IdleDurationMs is set but IdleNumas is empty: idle memory is not moved",
    "WARN: policy age: nothing to do: set SwapOutMs, IdleDurationMs with IdleNumas, or ActiveDurationMs with ActiveNumas",
  ]);
  using y = fixture({ SwapOutMs: 1000 });
  assertEquals(y.policy.logic.configWarnings(), []);
});

Deno.test("age: DemoteToMakeRoom defaults to off, and without IdleNumas it says at start that it is off", () => {
  const c = parseAgeConfig(
    { ...twoPids, tracker: { name: "softdirty" }, demotetomakeroom: true },
    "policy age",
  );
  assertEquals(c.DemoteToMakeRoom, true);
  assertEquals(
    parseAgeConfig({ ...twoPids, tracker: { name: "softdirty" } }, "policy age").DemoteToMakeRoom,
    false,
  );
  using x = fixture({ ActiveDurationMs: 1000, ActiveNumas: [0], DemoteToMakeRoom: true });
  assertEquals(x.policy.logic.configWarnings(), [
    "DemoteToMakeRoom is set but needs ActiveDurationMs with ActiveNumas and IdleNumas: it is off",
  ]);
});
