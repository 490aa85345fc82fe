/**
 * The age policy with tier words in IdleNumas and ActiveNumas (src/tiers):
 * resolved per process from the kernel's memory tiers and its cpuset.
 */
import { nodeTarget } from "../mover/mover.ts";
import { assertEquals, assertIncludes } from "../testing/assert.ts";
import { PID, trackerFixture } from "../trackers/_test_deps.ts";
import { type AgeConfig, createAgePolicy, parseAgeConfig } from "./age.ts";
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

/** Node 0 with the CPU and node 1 in memory_tier4, CPU-less nodes 2 and 3 in memory_tier450. */
function fixture(config: Partial<AgeConfig>) {
  const f = trackerFixture();
  f.sys.kernel.addNode(1, 100000).addNode(2, 100000).addNode(3, 100000);
  f.sys.sync();
  const tiers = `${f.deps.sysfs.root}/devices/virtual/memory_tiering`;
  for (const [tier, nodes] of [["memory_tier4", "0-1"], ["memory_tier450", "2-3"]]) {
    Deno.mkdirSync(`${tiers}/${tier}`, { recursive: true });
    Deno.writeTextFileSync(`${tiers}/${tier}/nodelist`, `${nodes}\n`);
  }
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
  const round = (ms: number, ...counters: ReturnType<typeof counter>[]) => {
    f.clock.advance(ms);
    tracker.counters = counters;
    policy.round();
  };
  const tasks = () => f.deps.mover.tasks().map((t) => [t.pid, t.addrs.length, t.target]);
  return { f, policy, round, tasks, [Symbol.dispose]: () => f[Symbol.dispose]() };
}

const ref = {
  PidWatcher: { name: "pidlist", config: { Pids: [500] } },
  Tracker: { name: "softdirty" },
};

Deno.test("parseAgeConfig: IdleNumas and ActiveNumas take tier words; node numbers stay a list", () => {
  const c = parseAgeConfig(
    { ...ref, IdleDurationMs: 1000, IdleNumas: "slower", ActiveNumas: [0, 1] },
    "policy age",
  );
  assertEquals(c.IdleNumas, { nodes: [], words: [{ kind: "slower" }] });
  assertEquals(c.ActiveNumas, [0, 1]);
  assertIncludes(
    createAgePolicy(
      parseAgeConfig({ ...ref, IdleNumas: "slowest,3" }, "age"),
      trackerFixture().deps,
    )
      .configJson(),
    '"IdleNumas":"3,slowest"',
  );
});

Deno.test("age with IdleNumas slower: idle memory goes to the first node of the next slower tier", () => {
  using x = fixture({
    IdleDurationMs: 1000,
    IdleNumas: parseAgeConfig({ ...ref, IdleNumas: "slower" }, "age").IdleNumas,
  });
  x.round(0, counter(A, 1), counter(B, 1));
  x.round(2000, counter(A, 2), counter(B, 1));
  assertEquals(x.tasks(), [[PID, 512, nodeTarget(2)]]);
});

Deno.test("age with IdleNumas slower: only the slower tier's nodes the process's cpuset allows", () => {
  using x = fixture({
    IdleDurationMs: 1000,
    IdleNumas: { nodes: [], words: [{ kind: "slower" }] },
  });
  x.f.sys.kernel.processes.get(PID)!.memsAllowed = [0, 1, 3];
  x.f.sys.sync();
  x.round(0, counter(B, 1));
  x.round(2000, counter(B, 1));
  assertEquals(x.tasks(), [[PID, 512, nodeTarget(3)]]);
});

Deno.test("age with ActiveNumas local: active memory on a slow node comes back to the CPU's node", () => {
  using x = fixture({
    ActiveDurationMs: 1000,
    ActiveNumas: { nodes: [], words: [{ kind: "local" }] },
  });
  x.f.sys.kernel.populate(PID, 1, 2, 512, 512); // B on node 2
  x.f.sys.sync();
  x.round(0, counter(B, 1));
  x.round(1000, counter(B, 2));
  assertEquals(x.tasks(), [[PID, 512, nodeTarget(0)]]);
});

Deno.test("age with IdleNumas slower and no slower tier allowed: memory stays, one warning", () => {
  using x = fixture({
    IdleDurationMs: 1000,
    IdleNumas: { nodes: [], words: [{ kind: "slower" }] },
  });
  x.f.sys.kernel.processes.get(PID)!.memsAllowed = [0, 1];
  x.f.sys.sync();
  x.round(0, counter(B, 1));
  x.round(2000, counter(B, 1));
  x.round(1000, counter(B, 1));
  assertEquals(x.tasks(), []);
  assertEquals(
    x.f.log().split("\n").filter((l) => l.includes("may not use")),
    [
      `WARN: policy age: pid ${PID} may not use any of nodes slower (its Mems_allowed_list): its memory stays where it is`,
    ],
  );
});
