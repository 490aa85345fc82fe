import { ConfigError } from "../config/config_error.ts";
import { nodeTarget, SWAP_TARGET } from "../mover/mover.ts";
import { assertEquals, assertIncludes, assertThrows } from "../testing/assert.ts";
import { BASE, PAGE, PID, trackerFixture } from "../trackers/_test_deps.ts";
import { createRatioPolicy, parseRatioConfig, type RatioConfig } from "./ratio.ts";
import {
  counter,
  pagesAt,
  pidlistSpec,
  scriptedSpec,
  ScriptedTracker,
} from "./_policy_test_deps.ts";
import { loadAllComponents } from "../_test_components.ts";

await loadAllComponents();

/** Four ranges of 256 pages; accessed 5, 1, 3 and 0 times. */
const COUNTERS = [
  counter(pagesAt(0, 256), 5),
  counter(pagesAt(256, 512), 1),
  counter(pagesAt(512, 768), 3),
  counter(pagesAt(768, 1024), 0),
];

function fixture(config: Partial<RatioConfig> = {}) {
  const f = trackerFixture();
  f.sys.kernel.addNode(1, 100000).addNode(2, 100000);
  f.sys.sync();
  const tracker = new ScriptedTracker();
  tracker.counters = COUNTERS;
  const policy = createRatioPolicy({
    pidWatcher: pidlistSpec(),
    tracker: scriptedSpec(tracker),
    Mover: { IntervalMs: 10, Bandwidth: 100 },
    DryRun: false,
    IntervalMs: 1000,
    Ratio: 0.5,
    RatioTargets: [-1],
    ...config,
  }, f.deps);
  const tasks = () =>
    f.deps.mover.tasks().map((t) => [t.pid, t.addrs.length, t.target, t.addrs[0]! - BASE]);
  return { f, tracker, policy, tasks, [Symbol.dispose]: () => f[Symbol.dispose]() };
}

const watcher = { PidWatcher: { name: "pidlist", config: "pids: [500]" } };

Deno.test("parseRatioConfig: Tracker idlepage, IntervalMs 5000, RatioTargets [-1] and the mover's defaults when omitted", () => {
  const c = parseRatioConfig({ ...watcher, ratio: 0.3 }, "policy ratio");
  assertEquals(
    [c.tracker.name, c.IntervalMs, c.RatioTargets, c.Mover, c.DryRun, c.Ratio],
    ["idlepage", 5000, [-1], { IntervalMs: 10, Bandwidth: 100 }, false, 0.3],
  );
});

Deno.test("parseRatioConfig: Ratio is required, above 0 and at most 1", () => {
  assertThrows(
    () => parseRatioConfig(watcher, "policy ratio"),
    ConfigError,
    "policy ratio: Ratio: missing: this key is required",
  );
  assertThrows(
    () => parseRatioConfig({ ...watcher, Ratio: 0 }, "policy ratio"),
    ConfigError,
    "policy ratio: Ratio: must be a number above 0, at most 1 (got 0)",
  );
  assertThrows(
    () => parseRatioConfig({ ...watcher, Ratio: 1.5 }, "policy ratio"),
    ConfigError,
    "(got 1.5)",
  );
  assertThrows(
    () => parseRatioConfig({ ...watcher, Ratio: 0.5, RatioTargets: [] }, "policy ratio"),
    ConfigError,
    "policy ratio: RatioTargets: must list at least one target (-1: swap)",
  );
  assertThrows(
    () => parseRatioConfig({ ...watcher, Ratio: 0.5, Pids: [1] }, "policy ratio"),
    ConfigError,
    "policy ratio: Pids: deprecated in the ratio policy",
  );
});

Deno.test("ratio: the least accessed ranges, up to Ratio of the tracked memory, go in one task", () => {
  using x = fixture();
  x.policy.round();
  // accessed 0 times (768..1024) and once (256..512): 512 of 1024 pages
  assertEquals(x.tasks(), [[PID, 512, SWAP_TARGET, 256 * PAGE]]);
  assertEquals(x.f.deps.mover.tasks()[0]!.addrs[256]! - BASE, 768 * PAGE);
});

Deno.test("ratio: memory already swapped out counts towards the ratio", () => {
  using x = fixture();
  x.f.sys.kernel.populate(PID, 1, 0, 300, 0, { swapped: true }); // pages 0..300 are in swap
  x.f.sys.sync();
  x.policy.round();
  // 300 swapped + 256 of the least accessed range >= 512
  assertEquals(x.tasks(), [[PID, 256, SWAP_TARGET, 768 * PAGE]]);
  assertEquals(x.policy.dump([]).split("\n"), [
    "table: ratio 0.5 of tracked memory at the target",
    "     pid target tracked[G] attarget[G] attarget[%]  picked[G] queued[pages] age[s]",
    "     500   swap      0.004       0.001        29.3      0.001           256    0.0",
  ]);
});

Deno.test("ratio: a round with enough at the target queues nothing", () => {
  using x = fixture({ Ratio: 0.25 });
  x.f.sys.kernel.populate(PID, 1, 0, 256, 0, { swapped: true });
  x.f.sys.sync();
  x.policy.round();
  assertEquals(x.tasks(), []);
});

Deno.test("ratio to a node: pages on it count, and the target is the first node the process may use", () => {
  using x = fixture({ RatioTargets: [1, 2], Ratio: 0.4 });
  x.f.sys.kernel.processes.get(PID)!.memsAllowed = [0, 2];
  x.f.sys.kernel.populate(PID, 1, 2, 100, 0); // 100 pages on node 2 already
  x.f.sys.sync();
  x.policy.round();
  // 100 + 256 (accessed 0) < 409.6, + 256 (accessed once)
  assertEquals(x.tasks(), [[PID, 512, nodeTarget(2), 256 * PAGE]]);
});

Deno.test("ratio: nothing is decided while the mover has a task left", () => {
  using x = fixture();
  x.policy.round();
  x.policy.round();
  assertEquals(x.tasks().length, 1);
});

Deno.test("ratio: in a dry run the decision is logged and nothing is queued", () => {
  using x = fixture({ DryRun: true });
  x.policy.round();
  assertEquals(x.tasks(), []);
  assertIncludes(
    x.f.log(),
    "policy ratio dry run: would move 512 pages (2.0 MiB) of pid 500 to swap: least accessed, to have 0.5 of its tracked memory there",
  );
});

Deno.test("ratio: a process that exits mid-round is forgotten, and the round goes on", () => {
  using x = fixture();
  x.f.sys.kernel.addProcess(501, "meme", [{ startAddr: BASE, pages: 512, kind: "anon" }]);
  x.f.sys.kernel.populate(501, 0, 0, 512);
  x.f.sys.sync();
  x.tracker.counters = [...COUNTERS, counter(pagesAt(0, 512), 0, 0, 501)];
  x.f.sys.kernel.processes.get(PID)!.exitAt = { step: "pagemap", count: 1, zombie: false };
  x.policy.round();
  assertEquals(x.tasks(), [[501, 512, SWAP_TARGET, 0]]);
  assertEquals(x.policy.dump(["ratio"]).split("\n").slice(2).map((l) => l.trim().split(/ +/)[0]), [
    "501",
  ]);
});

Deno.test("ratio measures memory by the pages there, not by range length: a mostly empty range counts little", () => {
  using x = fixture();
  const B2 = BASE + 0x1000000;
  x.f.sys.kernel.addProcess(502, "meme", [
    { startAddr: BASE, pages: 1024, kind: "anon" },
    { startAddr: B2, pages: 400, kind: "anon" },
  ]);
  x.f.sys.kernel.populate(502, 0, 0, 100); // 100 of 1024 pages there
  x.f.sys.kernel.populate(502, 1, 0, 400);
  x.f.sys.sync();
  x.tracker.counters = [
    counter(pagesAt(0, 1024), 0, 0, 502),
    counter({ startAddr: B2, endAddr: B2 + 200 * PAGE }, 1, 0, 502),
    counter({ startAddr: B2 + 200 * PAGE, endAddr: B2 + 400 * PAGE }, 2, 0, 502),
  ];
  x.policy.round();
  // 500 pages of memory, half is 250: the empty-ish range (100) and the
  // next least accessed (200). By length (Go), the 1024-page range alone
  // would have been "half", and 100 of 500 pages would have gone.
  assertEquals(x.tasks(), [[502, 300, SWAP_TARGET, 0]]);
});
