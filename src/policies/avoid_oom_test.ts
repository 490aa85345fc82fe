import { ConfigError } from "../config/config_error.ts";
import { harness } from "../prompt/_harness.ts";
import type { ComponentDeps } from "../lifecycle/deps.ts";
import { Logger } from "../log/logger.ts";
import { Mover } from "../mover/mover.ts";
import { Stats } from "../stats/stats.ts";
import { assertEquals, assertThrows } from "../testing/assert.ts";
import { FakeKernel } from "../testing/fake_kernel.ts";
import { type FakeSystem, fakeSystem } from "../testing/fake_system.ts";
import { FakeClock } from "../time/clock.ts";
import type { PolicyRuntime } from "./runtime.ts";
import { type AvoidOomLogic, avoidOomPolicyFactory, parseWatermark } from "./avoid_oom.ts";
import {
  chooseTarget,
  classifyPressure,
  type MoveCandidate,
  type NodeSet,
  pressureStatus,
  sortCandidates,
} from "./avoid_oom_pressure.ts";

const MiB = 1 << 20;
const GiB_PAGES = 262144;
const CG = "/sys/fs/cgroup/app";

interface Fixture extends Disposable {
  sys: FakeSystem;
  deps: ComponentDeps;
  log: () => string;
  policy(config?: Record<string, unknown>): PolicyRuntime<AvoidOomLogic>;
  cgroup(path: string, pids: number[], mems: string): void;
  oomScore(pid: number, score: number): void;
}

/**
 * Nodes 0 (CPUs, 1 GiB), 2 (no CPUs, 64 MiB) and 5 (no CPUs, 1 GiB): the
 * ids are sparse on purpose. Pid 600 holds 10000 pages and pid 601 5500
 * pages on node 2 (15500 of its 16384 pages: 3.45 MiB available, below 8 %).
 * Pid 602 is in a cgroup that may use node 2 only (`/sys/fs/cgroup/pinned`):
 * that makes node 2 a node set of its own, under high pressure.
 */
function fixture(): Fixture {
  const k = new FakeKernel().addNode(0, GiB_PAGES, [0]).addNode(2, 16384).addNode(5, GiB_PAGES);
  k.addProcess(600, "meme", [{ startAddr: 0x10000000, pages: 10000, kind: "anon" }]);
  k.populate(600, 0, 2, 10000);
  k.addProcess(601, "meme", [{ startAddr: 0x20000000, pages: 5500, kind: "anon" }]);
  k.populate(601, 0, 2, 5500);
  k.addProcess(602, "pinned", [{ startAddr: 0x30000000, pages: 16, kind: "anon" }]);
  const sys = fakeSystem(k);
  const root = Deno.makeTempDirSync();
  const clock = new FakeClock();
  const stats = new Stats(clock);
  let log = "";
  const logger = new Logger((t) => log += t, { debug: false });
  const syscalls = () => sys.syscalls;
  const deps: ComponentDeps = {
    clock,
    procfs: sys.procfs,
    sysfs: sys.sysfs,
    syscalls,
    logger,
    stats,
    mover: new Mover({ syscalls, clock, stats, logger }),
    cgroupRoot: root,
  };
  const f: Fixture = {
    sys,
    deps,
    log: () => log,
    policy: (config = {}) =>
      avoidOomPolicyFactory.create(
        avoidOomPolicyFactory.parse({ Cgroups: ["/sys/fs/cgroup"], ...config }, "policy avoid-oom"),
        deps,
      ) as PolicyRuntime<AvoidOomLogic>,
    cgroup(path, pids, mems) {
      Deno.mkdirSync(`${root}${path}`, { recursive: true });
      Deno.writeTextFileSync(`${root}${path}/cgroup.procs`, pids.map((p) => `${p}\n`).join(""));
      Deno.writeTextFileSync(`${root}${path}/cpuset.mems.effective`, `${mems}\n`);
    },
    oomScore(pid, score) {
      Deno.writeTextFileSync(`${sys.procfs.root}/${pid}/oom_score`, `${score}\n`);
    },
    [Symbol.dispose]() {
      sys[Symbol.dispose]();
      Deno.removeSync(root, { recursive: true });
    },
  };
  f.cgroup("/sys/fs/cgroup", [], "");
  f.cgroup("/sys/fs/cgroup/pinned", [602], "2");
  f.oomScore(600, 100);
  f.oomScore(601, 900);
  return f;
}

Deno.test("avoid-oom reads sparse node ids and shows them in dump nodes", () => {
  using f = fixture();
  const p = f.policy();
  assertEquals(
    p.dump(["nodes"]),
    "Node 0: avail 1.000G/1.000G 100.0 %\n" +
      "Node 2: avail 0.003G/0.063G 5.4 %\n" +
      "Node 5: avail 1.000G/1.000G 100.0 %\n",
  );
  assertEquals(p.logic.nodes.map((n) => [n.id, n.startBytes, n.stopBytes]), [
    [0, 85899345, 171798691],
    [2, 5368709, 10737418],
    [5, 85899345, 171798691],
  ]);
});

Deno.test("avoid-oom recomputes nodes and watermarks when a node comes online", () => {
  using f = fixture();
  const p = f.policy();
  f.sys.kernel.addNode(7, 2 * GiB_PAGES);
  f.sys.sync();
  p.round();
  assertEquals(p.logic.nodes.map((n) => [n.id, n.startBytes]), [
    [0, 85899345],
    [2, 5368709],
    [5, 85899345],
    [7, 171798691],
  ]);
});

Deno.test("avoid-oom moves the highest-scored process's pages off the high node to a node with room", () => {
  using f = fixture();
  f.cgroup(`${CG}`, [600, 601], "0,2,5");
  const p = f.policy();
  p.round();
  assertEquals(p.dump(["balance"]), "pressure on some nodes");
  assertEquals(
    p.dump(["cands"]),
    "pid: 601 20000000 size: 21 MB (in 4 kB pages) fromNode: 2 score: 19800000\n" +
      "pid: 600 10000000 size: 39 MB (in 4 kB pages) fromNode: 2 score: 4000000\n",
  );
  // Node 2 needs 10737418 - 3620864 bytes (16 % of 64 MiB minus what is available): 1738 pages.
  const [task, ...rest] = f.deps.mover.tasks();
  assertEquals(rest.length, 0);
  assertEquals([task!.pid, task!.addrs.length, task!.target], [601, 1738, {
    kind: "node",
    node: 0,
  }]);
  assertEquals(task!.addrs[0], 0x20000000);
});

Deno.test("avoid-oom prefers the nodes the process already uses", () => {
  using f = fixture();
  f.sys.kernel.populate(601, 0, 5, 1); // one page of 601 on node 5
  f.sys.sync();
  f.cgroup(`${CG}`, [600, 601], "0,2,5");
  f.policy().round();
  assertEquals(f.deps.mover.tasks().map((t) => [t.pid, t.target]), [[601, {
    kind: "node",
    node: 5,
  }]]);
});

Deno.test("avoid-oom goes on with the next candidate when a process exits mid-round", () => {
  using f = fixture();
  f.cgroup(`${CG}`, [600, 601], "0,2,5");
  f.sys.kernel.processes.get(601)!.exitAt = { step: "locate", count: 1, zombie: false };
  f.policy().round();
  assertEquals(f.deps.mover.tasks().map((t) => [t.pid, t.addrs.length]), [[600, 1738]]);
  assertEquals(f.log().includes("WARN"), false);
});

Deno.test("avoid-oom leaves processes with less than 16 MiB on high nodes", () => {
  using f = fixture();
  f.cgroup(`${CG}/a`, [601], "0,2,5");
  f.oomScore(601, 1000);
  f.sys.kernel.processes.get(601)!.pages.forEach((pg, no) => {
    if (no % 2 === 0) pg.node = 0; // 2750 pages (10.7 MiB) left on node 2
  });
  f.sys.kernel.populate(602, 0, 2, 2750); // node 2 stays as full
  f.sys.sync();
  const p = f.policy();
  p.round();
  assertEquals(f.deps.mover.tasks().length, 0);
  assertEquals(p.dump(["cands"]), "");
});

Deno.test("avoid-oom in a dry run logs the move and queues nothing", () => {
  using f = fixture();
  f.cgroup(`${CG}`, [600, 601], "0,2,5");
  f.policy({ DryRun: true }).round();
  assertEquals(f.deps.mover.tasks().length, 0);
  assertEquals(
    f.log().includes(
      "policy avoid-oom dry run: would move 1738 pages (6.8 MiB) of pid 601 to node 0: " +
        "node 2 under memory pressure",
    ),
    true,
  );
  assertEquals(
    f.deps.stats.policyDecisions().map((d) => [d.policy, d.pid, d.dest, d.pages, d.dryRun]),
    [["avoid-oom", 601, 0, 1738, true]],
  );
});

Deno.test("avoid-oom does nothing while the mover has tasks", () => {
  using f = fixture();
  f.cgroup(`${CG}`, [600, 601], "0,2,5");
  f.deps.mover.addTask(600, new Float64Array([0x10000000]), { kind: "node", node: 0 });
  const p = f.policy();
  p.round();
  assertEquals(p.dump(["balance"]), "mover busy");
  assertEquals(f.deps.mover.tasks().length, 1);
});

Deno.test("avoid-oom skips cgroups without processes or cpuset.mems.effective; empty mems is all", () => {
  using f = fixture();
  f.cgroup(`${CG}/empty`, [], "2");
  Deno.mkdirSync(`${f.deps.cgroupRoot}${CG}/nocpuset`, { recursive: true });
  Deno.writeTextFileSync(`${f.deps.cgroupRoot}${CG}/nocpuset/cgroup.procs`, "600\n");
  f.cgroup(`${CG}/all`, [601], "");
  const p = f.policy();
  assertEquals(p.logic.readCgroups().cgroups, [
    { path: `${CG}/all`, pids: [601], nodes: [0, 2, 5] },
    { path: "/sys/fs/cgroup/pinned", pids: [602], nodes: [2] },
  ]);
});

function set(nodes: number[], avail: number, start: number, stop: number, cgroups = 0): NodeSet {
  return {
    nodes,
    cgroups: Array.from({ length: cgroups }, (_, i) => ({ path: `/c${i}`, pids: [], nodes })),
    availBytes: avail,
    totalBytes: 1000,
    startBytes: start,
    stopBytes: stop,
  };
}

Deno.test("classifyPressure: below start is high, below stop medium, the rest none", () => {
  const all = [0, 1, 2, 3];
  const { ordered, pressures } = classifyPressure(all, [
    set([0, 1, 2, 3], 400, 80, 160),
    set([3], 50, 80, 160),
    set([2], 100, 80, 160),
  ]);
  assertEquals(ordered.map((s) => s.nodes), [[3], [2], [0, 1, 2, 3]]);
  assertEquals([...pressures.high], [3]);
  assertEquals([...pressures.medium], [2]);
  assertEquals([...pressures.none], [0, 1]);
  assertEquals(pressureStatus(all, pressures), "pressure on some nodes");
});

Deno.test("pressureStatus names each case with the Go memtierd's words", () => {
  const all = [0, 2];
  const st = (high: number[], medium: number[], none: number[]) =>
    pressureStatus(all, { high: new Set(high), medium: new Set(medium), none: new Set(none) });
  assertEquals(st([], [2], [0]), "no pressure");
  assertEquals(st([0, 2], [], []), "high pressure on all nodes");
  assertEquals(st([2], [0], []), "no low pressure nodes");
  assertEquals(st([2], [], [0]), "pressure on some nodes");
});

function cand(pid: number, score: number, addr = 0x1000, fromNode = 2): MoveCandidate {
  return {
    pid,
    startAddr: addr,
    endAddr: addr + 0x1000,
    pageSizeKiB: 4,
    sizeOnNode: 4 * MiB,
    fromNode,
    targets: [[], [0, 5], [1], [0, 1, 5]],
    score,
  };
}

Deno.test("sortCandidates puts the highest oom score x size first, ties by pid and address", () => {
  const sorted = sortCandidates([
    cand(7, 10),
    cand(3, 50, 0x2000),
    cand(3, 50, 0x1000),
    cand(9, 99),
  ]);
  assertEquals(sorted.map((c) => [c.pid, c.startAddr, c.score]), [
    [9, 0x1000, 99],
    [3, 0x1000, 50],
    [3, 0x2000, 50],
    [7, 0x1000, 10],
  ]);
});

Deno.test("chooseTarget takes the first preferred node with room for a quarter of the candidate", () => {
  const c = cand(1, 1);
  assertEquals(chooseTarget(c, new Map([[0, MiB - 1], [5, MiB]])), 5);
  assertEquals(chooseTarget(c, new Map([[0, 2 * MiB], [5, MiB]])), 0);
  assertEquals(chooseTarget(c, new Map([[1, MiB]])), 1);
  assertEquals(chooseTarget(c, new Map([[0, 1], [5, 1]])), null);
});

Deno.test("parseWatermark takes N% and sizes with any case of unit", () => {
  assertEquals(parseWatermark("8%"), { kind: "percent", percent: 8 });
  assertEquals(parseWatermark(" 12.5 % "), { kind: "percent", percent: 12.5 });
  assertEquals(parseWatermark("256 MB"), { kind: "bytes", bytes: 256 * MiB });
  assertEquals(parseWatermark("1g"), { kind: "bytes", bytes: 1024 * MiB });
  assertEquals(parseWatermark("16k"), { kind: "bytes", bytes: 16384 });
  assertEquals(parseWatermark("4096"), { kind: "bytes", bytes: 4096 });
  assertEquals(parseWatermark(4096), { kind: "bytes", bytes: 4096 });
  assertEquals(parseWatermark("101%"), undefined);
  assertEquals(parseWatermark("lots"), undefined);
});

Deno.test("avoid-oom config: defaults, and errors that say what is accepted", () => {
  const parse = (c: unknown) => avoidOomPolicyFactory.parse(c, "policy avoid-oom");
  assertEquals(parse(undefined), {
    StartFreeingMemory: "8%",
    StopFreeingMemory: "16%",
    Cgroups: [],
    IntervalMs: 5000,
    Mover: { IntervalMs: 10, Bandwidth: 100 },
    DryRun: false,
  });
  assertEquals(
    parse({ startfreeingmemory: "256 MB", stopfreeingmemory: "264M" }).StartFreeingMemory,
    "256 MB",
  );
  assertThrows(
    () => parse({ IntervalMs: 0 }),
    ConfigError,
    "IntervalMs: must be a whole number from 1 to 3600000 (got 0)",
  );
  assertThrows(
    () => parse({ StartFreeingMemory: "lots" }),
    ConfigError,
    'StartFreeingMemory: must be N% (of the node\'s memory, 0 to 100) or a size in bytes like 256M or 1G (got "lots")',
  );
  assertThrows(
    () => parse({ Cgroups: ["app.slice"] }),
    ConfigError,
    "Cgroups: must be a list of absolute cgroup paths",
  );
  assertThrows(
    () => parse({ StartFreeingMemory: "20%", StopFreeingMemory: "10%" }),
    ConfigError,
    "must not be above StopFreeingMemory (10%)",
  );
});

Deno.test("prompt: policy -create avoid-oom -config, and its dumps", async () => {
  using h = harness();
  await h.run("policy -create avoid-oom");
  assertEquals(
    await h.run(`policy -config '{"Cgroups":["/sys/fs/cgroup"],"IntervalMs":2000}'`),
    "",
  );
  assertEquals(
    await h.run("policy -dump nodes"),
    "Node 0: avail 0.378G/0.381G 99.0 %\nNode 1: avail 0.381G/0.381G 100.0 %\n" +
      "Node 2: avail 0.191G/0.191G 100.0 %\nNode 3: avail 0.191G/0.191G 100.0 %\n\n\n",
  );
  assertEquals(await h.run("policy -dump status"), "offline\n\n");
  assertEquals(await h.run("policy -dump"), "dump <config|nodes|status|balance|cands>\n\n");
  assertEquals(
    await h.run("policy -dump heat"),
    "unknown argument, dump <config|nodes|status|balance|cands>\n\n",
  );
  assertEquals(
    JSON.parse(await h.run("policy -config-dump")).StartFreeingMemory,
    "8%",
  );
});
