/**
 * The ratio and demote-idle policies with tier words in their node lists
 * (RatioTargets, IdleNumas; src/tiers/node_list.ts): resolved per process
 * from the kernel's memory tiers and its cpuset. The heat policy's are in
 * heat_test.ts, the age policy's in age_tiers_test.ts.
 */
import { ConfigError } from "../config/config_error.ts";
import { nodeTarget, SWAP_TARGET } from "../mover/mover.ts";
import { assertEquals, assertThrows } from "../testing/assert.ts";
import { BASE, PAGE, PID, trackerFixture } from "../trackers/_test_deps.ts";
import { type DemoteIdleLogic, demoteIdlePolicyFactory } from "./demote_idle.ts";
import type { PolicyRuntime } from "./runtime.ts";
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

type Fixture = ReturnType<typeof trackerFixture>;

/** Node 0 (pid 500's CPU and memory) and node 1 in memory_tier4; CPU-less nodes 2 and 3 in memory_tier450. */
function tiered(pageFrames = false): Fixture {
  const f = trackerFixture(pageFrames);
  f.sys.kernel.addNode(1, 100000).addNode(2, 100000).addNode(3, 100000);
  f.sys.sync();
  const root = `${f.deps.sysfs.root}/devices/virtual/memory_tiering`;
  for (const [tier, nodes] of [["memory_tier4", "0-1"], ["memory_tier450", "2-3"]]) {
    Deno.mkdirSync(`${root}/${tier}`, { recursive: true });
    Deno.writeTextFileSync(`${root}/${tier}/nodelist`, `${nodes}\n`);
  }
  return f;
}

function allowNodes(f: Fixture, nodes: number[], pid = PID): void {
  f.sys.kernel.processes.get(pid)!.memsAllowed = nodes;
  f.sys.sync();
}

function warnings(f: Fixture): string[] {
  return f.log().split("\n").filter((l) => l.startsWith("WARN"));
}

const HELP = "must be node numbers (2, 2-3) or tier words (fastest, slowest, local, slower, " +
  "faster, tier:N)";

// ---- ratio ----

const watcher = { PidWatcher: { name: "pidlist", config: "pids: [500]" }, Ratio: 0.5 };

/** Four ranges of 256 pages, accessed 5, 1, 3 and 0 times: Ratio 0.5 picks 256..512 and 768..1024. */
function ratio(f: Fixture, RatioTargets: RatioConfig["RatioTargets"]) {
  const tracker = new ScriptedTracker();
  tracker.counters = [
    counter(pagesAt(0, 256), 5),
    counter(pagesAt(256, 512), 1),
    counter(pagesAt(512, 768), 3),
    counter(pagesAt(768, 1024), 0),
  ];
  const policy = createRatioPolicy({
    pidWatcher: pidlistSpec(),
    tracker: scriptedSpec(tracker),
    Mover: { IntervalMs: 10, Bandwidth: 100 },
    DryRun: false,
    IntervalMs: 1000,
    Ratio: 0.5,
    RatioTargets,
  }, f.deps);
  const tasks = () =>
    f.deps.mover.tasks().map((t) => [t.pid, t.addrs.length, t.target, t.addrs[0]! - BASE]);
  return { policy, tracker, tasks };
}

function ratioTargets(raw: unknown): RatioConfig["RatioTargets"] {
  return parseRatioConfig({ ...watcher, RatioTargets: raw }, "policy ratio").RatioTargets;
}

Deno.test("parseRatioConfig: RatioTargets takes tier words and -1 in their order; node numbers stay a list", () => {
  assertEquals(ratioTargets("slower"), [{ kind: "slower" }]);
  assertEquals(ratioTargets(["slowest", -1]), [{ kind: "slowest" }, -1]);
  assertEquals(ratioTargets("tier:450,-1"), [{ kind: "tier", id: 450 }, -1]);
  assertEquals(ratioTargets([3, 2, -1]), [3, 2, -1]);
  using f = tiered();
  const dump = (raw: unknown) =>
    JSON.parse(ratio(f, ratioTargets(raw)).policy.dump(["config"])).RatioTargets;
  assertEquals(dump(["slowest", -1]), "slowest,-1");
  assertEquals(dump("slower"), "slower");
  assertEquals(dump([3, 2, -1]), [3, 2, -1]);
  assertEquals(dump("2-3"), [2, 3]);
});

Deno.test("parseRatioConfig: a bad word in RatioTargets says what is accepted", () => {
  assertThrows(
    () => parseRatioConfig({ ...watcher, RatioTargets: "slowr" }, "policy ratio"),
    ConfigError,
    `policy ratio: RatioTargets: ${HELP}, or -1 (swap), or a list of them (got "slowr")`,
  );
  assertThrows(
    () => parseRatioConfig({ ...watcher, RatioTargets: [-2] }, "policy ratio"),
    ConfigError,
    `policy ratio: RatioTargets: ${HELP}, or -1 (swap), or a list of them (got a list)`,
  );
});

Deno.test("ratio with RatioTargets slower: the least accessed share goes to the first node of the next slower tier", () => {
  using f = tiered();
  const x = ratio(f, ratioTargets("slower"));
  x.policy.round();
  assertEquals(x.tasks(), [[PID, 512, nodeTarget(2), 256 * PAGE]]);
});

Deno.test("ratio with RatioTargets slower: the process's cpuset picks the slow node", () => {
  using f = tiered();
  allowNodes(f, [0, 1, 3]);
  const x = ratio(f, ratioTargets("slower"));
  x.policy.round();
  assertEquals(x.tasks(), [[PID, 512, nodeTarget(3), 256 * PAGE]]);
});

Deno.test("ratio with RatioTargets [slower, -1]: no slower node allowed goes on to swap; a tier word is never swap", () => {
  using f = tiered();
  allowNodes(f, [0, 1]);
  const x = ratio(f, ratioTargets(["slower", -1]));
  x.policy.round();
  assertEquals(x.tasks(), [[PID, 512, SWAP_TARGET, 256 * PAGE]]);
  assertEquals(warnings(f), []);
});

Deno.test("ratio with RatioTargets slower and no slower tier allowed: memory stays, one warning", () => {
  using f = tiered();
  allowNodes(f, [0, 1]);
  const x = ratio(f, ratioTargets("slower"));
  x.policy.round();
  f.clock.advance(1000);
  x.policy.round();
  assertEquals(x.tasks(), []);
  assertEquals(warnings(f), [
    `WARN: policy ratio: pid ${PID} may not use any of RatioTargets slower ` +
    "(its Mems_allowed_list): its memory stays where it is",
  ]);
  assertEquals(x.policy.dump([]).split("\n")[2]!.trim().split(/ +/).slice(0, 2), ["500", "none"]);
});

Deno.test("ratio with tier words: a process that exits before its targets resolve is skipped quietly", () => {
  using f = tiered();
  f.sys.kernel.addProcess(501, "meme", [{ startAddr: BASE, pages: 512, kind: "anon" }]);
  f.sys.kernel.populate(501, 0, 0, 512);
  f.sys.sync();
  const x = ratio(f, ratioTargets("slower"));
  x.tracker.counters.push(counter(pagesAt(0, 512), 0, 0, 501));
  f.sys.kernel.processes.get(PID)!.exitAt = { step: "status", count: 1, zombie: false };
  x.policy.round();
  assertEquals(x.tasks(), [[501, 512, nodeTarget(2), 0]]);
  assertEquals(warnings(f), []);
});

// ---- demote-idle ----

function demoteIdle(f: Fixture, IdleNumas: unknown): PolicyRuntime<DemoteIdleLogic> {
  const parsed = demoteIdlePolicyFactory.parse(
    { IdleNumas, PidWatcher: { name: "stub" } },
    "policy demote-idle",
  );
  const p = demoteIdlePolicyFactory.create(parsed, f.deps) as PolicyRuntime<DemoteIdleLogic>;
  p.addPids([f.watched()]);
  return p;
}

const tasks = (f: Fixture) => f.deps.mover.tasks().map((t) => [t.pid, t.addrs.length, t.target]);

Deno.test("demote-idle config: IdleNumas takes tier words; the dump shows them as written", () => {
  using f = tiered(true);
  assertEquals(JSON.parse(demoteIdle(f, "slower").dump(["config"])).IdleNumas, "slower");
  assertEquals(JSON.parse(demoteIdle(f, ["slowest", 1]).dump(["config"])).IdleNumas, "slowest,1");
  assertEquals(JSON.parse(demoteIdle(f, [3, 2]).dump(["config"])).IdleNumas, [3, 2]);
});

Deno.test("demote-idle config: a bad word in IdleNumas says what is accepted", () => {
  assertThrows(
    () =>
      demoteIdlePolicyFactory.parse(
        { IdleNumas: "slower,-1", PidWatcher: { name: "stub" } },
        "policy demote-idle",
      ),
    ConfigError,
    `policy demote-idle: IdleNumas: ${HELP}, or a list of them (got "slower,-1")`,
  );
});

Deno.test("demote-idle with IdleNumas slower: pages idle for a round go to the next slower tier", () => {
  using f = tiered(true);
  const p = demoteIdle(f, "slower");
  p.round();
  p.round();
  assertEquals(tasks(f), [[PID, 1040, nodeTarget(2)]]);
});

Deno.test("demote-idle with IdleNumas slowest: only a node the process's cpuset allows", () => {
  using f = tiered(true);
  allowNodes(f, [0, 3]);
  const p = demoteIdle(f, "slowest");
  p.round();
  p.round();
  assertEquals(tasks(f), [[PID, 1040, nodeTarget(3)]]);
});

Deno.test("demote-idle with IdleNumas slower and no slower tier allowed: pages stay, one warning", () => {
  using f = tiered(true);
  allowNodes(f, [0, 1]);
  const p = demoteIdle(f, "slower");
  p.round();
  p.round();
  p.round();
  assertEquals(tasks(f), []);
  assertEquals(warnings(f), [
    `WARN: policy demote-idle: pid ${PID} may not use any of IdleNumas slower ` +
    "(its Mems_allowed_list): its memory stays where it is",
  ]);
  assertEquals(p.dump([]), "pids: 1, ranges: 2, pages: 1040 (4.1 MiB)");
});

Deno.test("demote-idle with tier words: a process that exits before its nodes resolve is forgotten quietly", () => {
  using f = tiered(true);
  const p = demoteIdle(f, "slower");
  p.round();
  // The first status read is the tier words' (nothing else reads it).
  f.sys.kernel.processes.get(PID)!.exitAt = { step: "status", count: 1, zombie: false };
  p.round();
  assertEquals(tasks(f), []);
  assertEquals(p.dump([]), "pids: 0, ranges: 0, pages: 0 (0.0 MiB)");
  assertEquals(warnings(f), []);
});
