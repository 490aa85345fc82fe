import { assertEquals, assertIncludes } from "../testing/assert.ts";
import { nodeTarget, SWAP_TARGET } from "../mover/mover.ts";
import { BASE, HEAP, PAGE, PID, trackerFixture } from "../trackers/_test_deps.ts";
import {
  nodeRoomPages,
  parsePlacementConfig,
  Placement,
  type PlacementConfig,
} from "./placement.ts";

const RANGE = { startAddr: BASE, endAddr: BASE + 1024 * PAGE };

function placement(f: ReturnType<typeof trackerFixture>, config: Partial<PlacementConfig> = {}) {
  f.sys.kernel.addNode(1, 100000);
  f.sys.sync();
  return new Placement({
    deps: f.deps,
    policy: "age",
    config: { Mover: { IntervalMs: 10, Bandwidth: 100 }, DryRun: false, ...config },
  });
}

Deno.test("queue puts the range's pages that are not on the target in one mover task, and says which", () => {
  using f = trackerFixture();
  f.sys.kernel.populate(PID, 1, 1, 24); // the first 24 pages are on node 1 already
  const p = placement(f);
  const r = p.queue(PID, [RANGE], nodeTarget(1), "idle");
  assertEquals(r, {
    pid: PID,
    target: nodeTarget(1),
    pagesQueued: 1000,
    pagesAlreadyThere: 24,
    taskId: 0,
  });
  const [task] = f.deps.mover.tasks();
  assertEquals([task!.id, task!.urgent], [0, undefined]);
  assertEquals(task!.addrs.length, 1000);
  assertEquals(task!.addrs[0], BASE + 24 * PAGE);
  assertEquals(f.stats.policyDecisions().map((d) => [d.policy, d.pid, d.dest, d.pages, d.dryRun]), [
    ["age", PID, 1, 1000, false],
  ]);
});

Deno.test("queue leaves out pages shared with other processes and pages not present", () => {
  using f = trackerFixture();
  f.sys.kernel.populate(PID, 1, 0, 100, 0, { shared: true });
  f.sys.kernel.processes.get(PID)!.pages.delete(BASE / PAGE + 200);
  const p = placement(f);
  const r = p.queue(PID, [RANGE], SWAP_TARGET, "not used for 60 s");
  assertEquals(r.pagesQueued, 1024 - 100 - 1);
  assertEquals(f.deps.mover.tasks()[0]!.target, SWAP_TARGET);
});

Deno.test("in a dry run queue logs what it would move and queues nothing", () => {
  using f = trackerFixture();
  const p = placement(f, { DryRun: true });
  const r = p.queue(
    PID,
    [{ startAddr: HEAP, endAddr: HEAP + 16 * PAGE }, RANGE],
    nodeTarget(1),
    "idle for 30 s",
  );
  assertEquals(r.pagesQueued, 1040);
  assertEquals(f.deps.mover.tasks().length, 0);
  assertIncludes(
    f.log(),
    "policy age dry run: would move 1040 pages (4.1 MiB) of pid 500 to node 1: idle for 30 s",
  );
  assertEquals(f.stats.policyDecisions()[0]!.dryRun, true);
});

Deno.test("a process that exited is a skipped result, not an error", () => {
  using f = trackerFixture();
  const p = placement(f);
  f.sys.kernel.exit(PID);
  f.sys.sync();
  assertEquals(p.queue(PID, [RANGE], nodeTarget(1), "idle").skipped, "process-gone");
  assertEquals(f.deps.mover.tasks().length, 0);
  assertEquals(f.stats.policyDecisions().length, 0);
});

Deno.test("a process that exits while its pages are being located is a skipped result", () => {
  using f = trackerFixture();
  const p = placement(f);
  f.sys.kernel.processes.get(PID)!.exitAt = { step: "locate", count: 1, zombie: false };
  assertEquals(p.queue(PID, [RANGE], nodeTarget(1), "idle").skipped, "process-gone");
});

Deno.test("ranges that were unmapped, or hold too few pages to move, queue nothing", () => {
  using f = trackerFixture();
  const p = placement(f);
  const gone = { startAddr: BASE + 0x10000000, endAddr: BASE + 0x10000000 + 64 * PAGE };
  assertEquals(p.queue(PID, [gone], nodeTarget(1), "idle").skipped, "no-pages");
  const small = { startAddr: BASE, endAddr: BASE + 99 * PAGE };
  assertEquals(p.queue(PID, [small], nodeTarget(1), "idle").skipped, "below-minimum");
  assertEquals(p.queue(PID, [], nodeTarget(1), "idle").skipped, "no-pages");
  f.sys.kernel.populate(PID, 1, 1, 1024);
  assertEquals(p.queue(PID, [RANGE], nodeTarget(1), "idle"), {
    pid: PID,
    target: nodeTarget(1),
    pagesQueued: 0,
    pagesAlreadyThere: 1024,
    skipped: "no-pages",
  });
  assertEquals(f.deps.mover.tasks().length, 0);
});

Deno.test("the Mover entry takes the mover's defaults for what it omits, and applies to the mover", () => {
  using f = trackerFixture();
  assertEquals(parsePlacementConfig({}, "policy age"), {
    Mover: { IntervalMs: 10, Bandwidth: 100 },
    DryRun: false,
  });
  const config = parsePlacementConfig({ mover: { bandwidth: 5 }, dryrun: true }, "policy age");
  assertEquals(config, { Mover: { IntervalMs: 10, Bandwidth: 5 }, DryRun: true });
  const p = placement(f, config);
  p.applyMoverConfig();
  assertEquals(f.deps.mover.config, { IntervalMs: 10, Bandwidth: 5 });
  p.roundDone();
  p.roundDone();
  assertEquals(f.stats.policyRounds().get("age"), 2);
});

Deno.test("queueWithRoom fills the nodes in order by their room; pages on a listed node stay", () => {
  using f = trackerFixture();
  f.sys.kernel.addNode(2, 100000);
  f.sys.kernel.populate(PID, 1, 2, 24); // the first 24 pages are on node 2, a listed node
  const p = placement(f);
  const r = p.queueWithRoom(
    PID,
    [RANGE],
    [{ node: 1, roomPages: 600 }, {
      node: 2,
      roomPages: 300,
    }],
    "active",
    { urgent: true },
  );
  assertEquals(r, {
    pid: PID,
    queued: [{ node: 1, pages: 600, taskId: 0 }, { node: 2, pages: 300, taskId: 1 }],
    pagesAlreadyThere: 24,
    pagesWithoutRoom: 100,
  });
  assertEquals(
    f.deps.mover.tasks().map((t) => [t.target, t.addrs.length, t.addrs[0], t.urgent]),
    [
      [nodeTarget(1), 600, BASE + 24 * PAGE, true],
      [nodeTarget(2), 300, BASE + 624 * PAGE, true],
    ],
  );
});

Deno.test("queueWithRoom queues nothing where no node has room, and says so in the result", () => {
  using f = trackerFixture();
  const p = placement(f, { DryRun: true });
  const r = p.queueWithRoom(PID, [RANGE], [{ node: 1, roomPages: 0 }], "idle");
  assertEquals([r.skipped, r.queued, r.pagesWithoutRoom], ["no-room", [], 1024]);
  assertEquals(f.stats.policyDecisions().length, 0);
});

Deno.test("queueWithRoom in a dry run logs one line per node and queues nothing", () => {
  using f = trackerFixture();
  const p = placement(f, { DryRun: true });
  const r = p.queueWithRoom(PID, [RANGE], [{ node: 1, roomPages: 1000 }, {
    node: 2,
    roomPages: 1000,
  }], "idle for 30 s");
  assertEquals(r.queued, [{ node: 1, pages: 1000 }, { node: 2, pages: 24 }]);
  assertEquals(f.deps.mover.tasks().length, 0);
  assertIncludes(
    f.log(),
    "policy age dry run: would move 1000 pages (3.9 MiB) of pid 500 to node 1: idle for 30 s",
  );
  assertIncludes(
    f.log(),
    "policy age dry run: would move 24 pages (0.1 MiB) of pid 500 to node 2: idle for 30 s",
  );
});

Deno.test("nodeRoomPages leaves free what /proc/zoneinfo says the kernel keeps: high watermark and lowmem reserve", () => {
  using f = trackerFixture();
  f.sys.kernel.addNode(2, 100000);
  f.sys.sync();
  Deno.writeTextFileSync(
    `${f.sys.procfs.root}/zoneinfo`,
    "Node 2, zone    DMA32\n  pages free     5000\n        high     140\n" +
      "        protection: (0, 0, 4000, 4000, 4000)\n" +
      "Node 2, zone   Normal\n  pages free     3000\n        high     2900\n" +
      "        protection: (0, 0, 0, 0, 0)\n" +
      "Node 0, zone   Normal\n  pages free     100\n        high     200\n" +
      "        protection: (0, 0, 0, 0, 0)\n",
  );
  // Node 2: 5000 - 140 - 4000 + 3000 - 2900; node 0: below its high watermark.
  assertEquals(nodeRoomPages(f.deps), new Map([[0, 0], [2, 960]]));
});
