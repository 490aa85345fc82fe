import { ConfigError } from "../config/config_error.ts";
import { assertEquals, assertIncludes, assertThrows } from "../testing/assert.ts";
import { BASE, HEAP, PAGE, PID, trackerFixture } from "../trackers/_test_deps.ts";
import { type DemoteIdleLogic, demoteIdlePolicyFactory } from "./demote_idle.ts";
import type { PolicyRuntime } from "./runtime.ts";
import { encodeVab as vab } from "./poi.ts";
import { fourNodeKernel, harness } from "../prompt/_harness.ts";
import { loadAllComponents } from "../_test_components.ts";

await loadAllComponents();

type Fixture = ReturnType<typeof trackerFixture>;

/** The fixture (pid 500: 16 heap pages and 1024 anon pages on node 0) with idle bits and a node 1. */
function fixture(): Fixture {
  const f = trackerFixture(true);
  f.sys.kernel.addNode(1, 100000);
  f.sys.sync();
  return f;
}

function policy(f: Fixture, config: Record<string, unknown>): PolicyRuntime<DemoteIdleLogic> {
  const parsed = demoteIdlePolicyFactory.parse(
    { IdleNumas: [1], ...config },
    "policy demote-idle",
  );
  return demoteIdlePolicyFactory.create(parsed, f.deps) as PolicyRuntime<DemoteIdleLogic>;
}

function bitmap(f: Fixture): Uint8Array {
  return Deno.readFileSync(`${f.deps.sysfs.root}/kernel/mm/page_idle/bitmap`);
}

Deno.test("demote-idle queues the pidwatcher's pages left idle for a round to IdleNumas[0]", () => {
  using f = fixture();
  const p = policy(f, { PidWatcher: { name: "stub" } });
  p.addPids([f.watched()]);
  assertEquals(p.dump([]), "pids: 1, ranges: 2, pages: 1040 (4.1 MiB)");
  p.round(); // nothing was marked idle before: this round only sets the bits
  assertEquals(f.deps.mover.tasks().length, 0);
  f.sys.access(PID, BASE, BASE + 100 * PAGE, false);
  p.round();
  const [task] = f.deps.mover.tasks();
  assertEquals(task!.target, { kind: "node", node: 1 });
  assertEquals(task!.addrs.length, 16 + 924);
  assertEquals(task!.addrs[0], HEAP);
  assertEquals(task!.addrs[16], BASE + 100 * PAGE);
  const scans = f.stats.scans().get(PID)!;
  assertEquals([scans.lastScanned, scans.lastAccessed], [1040, 100]);
  // Pages queued leave the pages of interest: only the 100 accessed ones stay.
  assertEquals(p.dump([]), "pids: 1, ranges: 1, pages: 100 (0.4 MiB)");
});

Deno.test("demote-idle only sets idle bits while the mover has tasks from an earlier round", () => {
  using f = fixture();
  const p = policy(f, { PidWatcher: { name: "stub" } });
  p.addPids([f.watched()]);
  f.deps.mover.addTask(PID, new Float64Array([BASE]), { kind: "node", node: 1 });
  f.sys.access(PID, BASE, BASE + 1024 * PAGE, false);
  p.round();
  p.round();
  assertEquals(f.deps.mover.tasks().length, 1);
  assertEquals(f.stats.scans().get(PID), undefined);
  // The bits were set all the same: the anon pages' frames 0..1023 read idle.
  assertEquals(bitmap(f).subarray(0, 128).every((b) => b === 0xff), true);
});

Deno.test("demote-idle marks idle only the frames of its pages, not their 64-frame neighbours", () => {
  using f = fixture();
  const dir = Deno.makeTempDirSync();
  try {
    Deno.writeFileSync(`${dir}/${PID}.vab`, vab([[BASE, BASE + 10 * PAGE]]));
    const p = policy(f, { PagesOfInterestDir: dir });
    p.round();
    // Frames 0..9 (the pages BASE.. have PFNs 0..); frames 10..63 of the word stay as they were.
    assertEquals([...bitmap(f).subarray(0, 9)], [0xff, 0x03, 0, 0, 0, 0, 0, 0, 0]);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("demote-idle scans both the pidwatcher's processes and the folder's", () => {
  using f = fixture();
  const k = f.sys.kernel;
  k.addProcess(501, "other", [{ startAddr: 0x41000000, pages: 64, kind: "anon" }]);
  k.populate(501, 0, 0, 64);
  f.sys.sync();
  const dir = Deno.makeTempDirSync();
  try {
    Deno.writeFileSync(`${dir}/501.vab`, vab([[0x41000000, 0x41000000 + 32 * PAGE]]));
    const p = policy(f, { PidWatcher: { name: "stub" }, PagesOfInterestDir: dir });
    p.addPids([f.watched()]);
    p.round();
    p.round();
    assertEquals(f.stats.scans().get(PID)?.lastScanned, 1040);
    assertEquals(f.stats.scans().get(501)?.lastScanned, 32);
    assertEquals(f.deps.mover.tasks().map((t) => [t.pid, t.addrs.length]), [[PID, 1040], [
      501,
      32,
    ]]);
    assertEquals(p.dump([]), "pids: 2, ranges: 1, pages: 32 (0.1 MiB)");
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("demote-idle leaves the folder alone while its lock is held, and says so once", () => {
  using f = fixture();
  const dir = Deno.makeTempDirSync();
  try {
    Deno.writeFileSync(`${dir}/${PID}.vab`, vab([[BASE, BASE + 64 * PAGE]]));
    const writer = Deno.openSync(`${dir}/lock`, { write: true, create: true });
    writer.lockSync(true);
    const p = policy(f, { PagesOfInterestDir: dir });
    p.round();
    p.round();
    p.round();
    assertEquals(f.stats.scans().get(PID), undefined);
    assertEquals(bitmap(f)[0], 0); // not even the idle bits were set
    assertEquals(f.log().split(`${dir}/lock is held by a writer`).length - 1, 1);
    writer.close();
    p.round();
    p.round();
    assertIncludes(f.log(), `${dir}/lock released`);
    assertEquals(f.deps.mover.tasks()[0]?.addrs.length, 64);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("demote-idle with an empty folder moves nothing", () => {
  using f = fixture();
  const dir = Deno.makeTempDirSync();
  try {
    const p = policy(f, { PagesOfInterestDir: dir });
    p.round();
    p.round();
    assertEquals(f.deps.mover.tasks().length, 0);
    assertEquals(p.dump([]), "pids: 0, ranges: 0, pages: 0 (0.0 MiB)");
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("demote-idle goes on with the others when a process exits mid-round", () => {
  using f = fixture();
  const k = f.sys.kernel;
  const other = k.addProcess(501, "other", [{ startAddr: 0x41000000, pages: 64, kind: "anon" }]);
  k.populate(501, 0, 0, 64);
  f.sys.sync();
  const p = policy(f, { PidWatcher: { name: "stub" } });
  p.addPids([f.watched(501), f.watched()]);
  p.round();
  // pid 501 exits while its idle pages are being located for the task.
  other.exitAt = { step: "locate", count: 1, zombie: false };
  p.round();
  assertEquals(f.deps.mover.tasks().map((t) => [t.pid, t.addrs.length]), [[PID, 1040]]);
  // 501 is forgotten; 500 stays watched, with every page of interest queued.
  assertEquals(p.dump([]), "pids: 1, ranges: 0, pages: 0 (0.0 MiB)");
  assertEquals(f.log().includes("WARN"), false);
});

Deno.test("demote-idle in a dry run logs what it would move and moves nothing", () => {
  using f = fixture();
  const p = policy(f, { PidWatcher: { name: "stub" }, DryRun: true });
  p.addPids([f.watched()]);
  p.round();
  p.round();
  p.round();
  assertEquals(f.deps.mover.tasks().length, 0);
  const line =
    `policy demote-idle dry run: would move 1040 pages (4.1 MiB) of pid ${PID} to node 1: idle for 5000 ms`;
  assertEquals(f.log().split(line).length - 1, 2);
  assertEquals(p.dump([]), "pids: 1, ranges: 2, pages: 1040 (4.1 MiB)");
});

Deno.test("demote-idle config: defaults, and the dump shows the Go keys", () => {
  using f = fixture();
  const p = policy(f, { PidWatcher: { name: "pidlist", config: "pids: [500]" } });
  assertEquals(
    JSON.parse(p.dump(["config"])),
    {
      IntervalMs: 5000,
      IdleNumas: [1],
      PagesOfInterestDir: "",
      Mover: { IntervalMs: 10, Bandwidth: 100 },
      DryRun: false,
      PidWatcher: { name: "pidlist", config: "pids: [500]" },
    },
  );
  assertEquals(p.pidWatcher() !== null, true);
});

Deno.test("demote-idle config errors say what is accepted", () => {
  const parse = (c: unknown) => demoteIdlePolicyFactory.parse(c, "policy demote-idle");
  assertThrows(
    () => parse({ IdleNumas: [3] }),
    ConfigError,
    "needs PidWatcher, PagesOfInterestDir or both",
  );
  assertThrows(
    () => parse({ IdleNumas: [], PidWatcher: { name: "stub" } }),
    ConfigError,
    "IdleNumas: must list at least one node id",
  );
  assertThrows(
    () => parse({ IdleNumas: [1], IntervalMs: 0, PidWatcher: { name: "stub" } }),
    ConfigError,
    "IntervalMs: must be a whole number from 1 to 3600000 (got 0)",
  );
  const e = assertThrows(
    () => parse({ IdleNumas: [1], PagesOfInterestDir: "/nonexistent/poi" }),
    ConfigError,
    'no such folder "/nonexistent/poi" (must be an existing folder)',
  );
  assertEquals(e.keyPath, ["PagesOfInterestDir"]);
  const w = assertThrows(
    () => parse({ IdleNumas: [1], PidWatcher: { name: "proc", config: { nope: 1 } } }),
    ConfigError,
    "unknown key",
  );
  assertEquals(w.keyPath, ["PidWatcher", "config", "nope"]);
});

Deno.test("prompt: policy -create demote-idle -config and -dump show the Go config keys", async () => {
  using h = harness();
  const config = '{"IdleNumas":[3],"IntervalMs":1000,"PidWatcher":{"name":"pidlist",' +
    '"config":{"Pids":[500]}}}';
  assertEquals(await h.run("policy -create demote-idle"), "policy created\n");
  assertEquals(await h.run(`policy -config '${config}'`), "");
  assertEquals(await h.run("policy -dump"), "pids: 0, ranges: 0, pages: 0 (0.0 MiB)\n\n");
  assertEquals(
    await h.run("policy -dump config"),
    '{"IntervalMs":1000,"IdleNumas":[3],"PagesOfInterestDir":"","Mover":{"IntervalMs":10,' +
      '"Bandwidth":100},"DryRun":false,"PidWatcher":{"name":"pidlist","config":{"Pids":[500]}}}\n\n',
  );
});

Deno.test("prompt: policy -config ... -start demotes the idle pages through the mover", async () => {
  const kernel = fourNodeKernel();
  kernel.pageFrames = true;
  using h = harness(kernel);
  const config = '{"IdleNumas":[3],"IntervalMs":1000,"PidWatcher":{"name":"pidlist",' +
    '"config":{"Pids":[500]}}}';
  await h.run("policy -create demote-idle");
  try {
    // The fake clock runs rounds back to back: the second finds every page idle.
    assertEquals(await h.run(`policy -config '${config}' -start`), "");
    assertEquals(await h.run("policy -dump"), "pids: 1, ranges: 0, pages: 0 (0.0 MiB)\n\n");
  } finally {
    await h.run("policy -stop");
  }
  assertEquals(kernel.pagesPerNode(500), new Map([[3, 1040]]));
  assertIncludes(
    await h.run("stats -t policy_decisions"),
    " demote-idle      500     3         1       1040",
  );
});

Deno.test("prompt: policy -create demote-idle without a config says what it needs", async () => {
  using h = harness();
  await h.run("policy -create demote-idle");
  assertIncludes(await h.run("policy -start"), "start failed: cannot start without configuration");
  assertIncludes(
    await h.run(`policy -config '{"IdleNumas":[3]}'`),
    "config failed: needs PidWatcher, PagesOfInterestDir or both",
  );
});

Deno.test("demote-idle warns once when its folder goes away, and goes on with the pidwatcher's", () => {
  using f = fixture();
  const dir = Deno.makeTempDirSync();
  const p = policy(f, { PidWatcher: { name: "stub" }, PagesOfInterestDir: dir });
  p.addPids([f.watched()]);
  Deno.removeSync(dir, { recursive: true });
  p.round();
  p.round();
  assertEquals(f.log().split(`cannot read ${dir}`).length - 1, 1);
  assertEquals(f.deps.mover.tasks()[0]?.addrs.length, 1040);
});
