import { ConfigError } from "../config/config_error.ts";
import { PermissionError, UnsupportedError } from "../errors.ts";
import type { ComponentDeps } from "../lifecycle/deps.ts";
import { Logger } from "../log/logger.ts";
import { Mover } from "../mover/mover.ts";
import { Stats } from "../stats/stats.ts";
import { type DamonIo, DamonSysfs } from "../sysfs/damon.ts";
import type { NonblockingFile, TraceIo } from "../sysfs/damon_trace.ts";
import { assertEquals, assertOk, assertThrows } from "../testing/assert.ts";
import { FakeKernel } from "../testing/fake_kernel.ts";
import { type FakeSystem, fakeSystem } from "../testing/fake_system.ts";
import type { Clock } from "../time/clock.ts";
import { DamonTracker, parseDamonConfig } from "./damon.ts";

const A = 0x10000000;
const MiB = 1 << 20;

/**
 * DAMON's sysfs as a folder tree, with the kernel's side simulated: writing
 * a count makes (or removes) the numbered folders, `state` takes commands
 * and reads back on/off, nr_kdamonds is refused while a kdamond is on,
 * `update_schemes_tried_regions` publishes the regions a test queued.
 */
class FakeDamon implements DamonIo {
  readonly dir: string;
  readonly writes: string[] = [];
  /** What the next update_schemes_tried_regions of kdamond K lists: [start, end, nr_accesses]. */
  readonly pending = new Map<number, [number, number, number][]>();
  /** What a new context's avail_operations lists. */
  availOperations = "vaddr\nfvaddr\npaddr";

  constructor(sysRoot: string, nrKdamonds: number) {
    this.dir = `${sysRoot}/kernel/mm/damon/admin/kdamonds`;
    Deno.mkdirSync(this.dir, { recursive: true });
    this.#put("nr_kdamonds", "0");
    this.#setCount("nr_kdamonds", nrKdamonds);
  }

  #put(rel: string, text: string): void {
    const p = `${this.dir}/${rel}`;
    Deno.mkdirSync(p.slice(0, p.lastIndexOf("/")), { recursive: true });
    Deno.writeTextFileSync(p, `${text}\n`);
  }

  get(rel: string): string {
    return Deno.readTextFileSync(`${this.dir}/${rel}`).trim();
  }

  #removeFrom(parent: string, n: number): void {
    for (const e of Deno.readDirSync(`${this.dir}/${parent}`)) {
      if (/^\d+$/.test(e.name) && Number(e.name) >= n) {
        Deno.removeSync(`${this.dir}/${parent}/${e.name}`, { recursive: true });
      }
    }
  }

  #setCount(rel: string, n: number): void {
    const parent = rel.includes("/") ? rel.slice(0, rel.lastIndexOf("/")) : "";
    const base = parent === "" ? "" : `${parent}/`;
    this.#removeFrom(parent, n);
    this.#put(rel, String(n));
    for (let i = 0; i < n; i++) {
      const d = `${base}${i}`;
      if (this.exists(`${this.dir}/${d}`)) continue;
      if (rel.endsWith("nr_kdamonds")) {
        this.#put(`${d}/state`, "off");
        this.#put(`${d}/pid`, "-1");
        this.#put(`${d}/contexts/nr_contexts`, "0");
      } else if (rel.endsWith("nr_contexts")) {
        this.#put(`${d}/avail_operations`, this.availOperations);
        this.#put(`${d}/operations`, "vaddr");
        for (const f of ["sample_us", "aggr_us", "update_us"]) {
          this.#put(`${d}/monitoring_attrs/intervals/${f}`, "0");
        }
        this.#put(`${d}/monitoring_attrs/nr_regions/min`, "10");
        this.#put(`${d}/monitoring_attrs/nr_regions/max`, "1000");
        this.#put(`${d}/targets/nr_targets`, "0");
        this.#put(`${d}/schemes/nr_schemes`, "0");
      } else if (rel.endsWith("nr_targets")) {
        this.#put(`${d}/pid_target`, "0");
        this.#put(`${d}/regions/nr_regions`, "0");
      } else if (rel.endsWith("nr_regions")) {
        this.#put(`${d}/start`, "0");
        this.#put(`${d}/end`, "0");
      } else if (rel.endsWith("nr_schemes")) {
        this.#put(`${d}/action`, "stat");
        for (const f of ["sz", "nr_accesses", "age"]) {
          this.#put(`${d}/access_pattern/${f}/min`, "0");
          this.#put(`${d}/access_pattern/${f}/max`, "0");
        }
        this.#put(`${d}/tried_regions/total_bytes`, "0");
      }
    }
  }

  /** A kdamond someone else runs (or holds), as the test sets it up. */
  setState(k: number, state: string, nrContexts = 1): void {
    this.#put(`${k}/state`, state);
    this.#setCount(`${k}/contexts/nr_contexts`, nrContexts);
  }

  read(path: string): string {
    return Deno.readTextFileSync(path);
  }

  exists(path: string): boolean {
    try {
      Deno.statSync(path);
      return true;
    } catch {
      return false;
    }
  }

  write(path: string, text: string): void {
    const rel = path.slice(this.dir.length + 1);
    const value = text.trim();
    this.writes.push(`${rel} ${value}`);
    if (!this.exists(path)) throw new Deno.errors.NotFound(`no such file ${rel}`);
    const m = /^(\d+)\/state$/.exec(rel);
    if (rel === "nr_kdamonds") {
      for (const e of Deno.readDirSync(this.dir)) {
        if (/^\d+$/.test(e.name) && this.get(`${e.name}/state`) === "on") {
          throw new Deno.errors.Busy("a kdamond is on");
        }
      }
      this.#setCount(rel, Number(value));
    } else if (/nr_(contexts|targets|regions|schemes)$/.test(rel)) {
      this.#setCount(rel, Number(value));
    } else if (m) {
      const k = Number(m[1]);
      const tried = `${k}/contexts/0/schemes/0/tried_regions`;
      if (value === "on" || value === "off") {
        this.#put(rel, value);
        // The kdamond thread's pid while on.
        this.#put(`${k}/pid`, value === "on" ? String(7000 + k) : "-1");
      } else if (value === "update_schemes_tried_regions") {
        this.#removeFrom(tried, 0);
        let total = 0;
        (this.pending.get(k) ?? []).forEach(([s, e, a], i) => {
          this.#put(`${tried}/${i}/start`, String(s));
          this.#put(`${tried}/${i}/end`, String(e));
          this.#put(`${tried}/${i}/nr_accesses`, String(a));
          this.#put(`${tried}/${i}/age`, "3");
          total += e - s;
        });
        this.#put(`${tried}/total_bytes`, String(total));
      } else if (value === "clear_schemes_tried_regions") this.#removeFrom(tried, 0);
      else if (value !== "commit") throw new Deno.errors.InvalidData(`bad command ${value}`);
    } else {
      Deno.writeTextFileSync(path, text);
    }
  }

  /** Writes made since the last call, without the commands that only read. */
  take(): string[] {
    const w = this.writes.splice(0);
    return w;
  }
}

/**
 * tracefs as the kernel shows it to memtierd: instances made and removed
 * (rmdir of a whole instance, as tracefs allows), the damon_aggregated
 * enable file, and a trace_pipe whose text the test queues.
 */
class FakeTrace implements TraceIo {
  readonly base: string;
  readonly done: string[] = [];
  dirs = new Set<string>();
  /** /proc entries that exist (for the stale-instance check). */
  procs = new Set<string>();
  /** Text the pipe gives next, in pieces as read(2) would return them. */
  pipe: string[] = [];
  hasDamonEvents = true;
  pipeOpen = false;

  constructor(sysRoot: string, place = "kernel/tracing") {
    this.base = `${sysRoot}/${place}/instances`;
    this.dirs.add(this.base);
  }

  #rel(path: string): string {
    return path.startsWith(this.base) ? path.slice(this.base.length + 1) : path;
  }

  exists(path: string): boolean {
    if (this.dirs.has(path) || this.procs.has(path)) return true;
    const m = /^(.*)\/events\/damon\/damon_aggregated\/enable$/.exec(path);
    return m !== null && this.hasDamonEvents && this.dirs.has(m[1]!);
  }

  list(dir: string): string[] {
    return [...this.dirs].filter((d) => d.startsWith(`${dir}/`)).map((d) =>
      d.slice(dir.length + 1)
    );
  }

  mkdir(path: string): void {
    this.done.push(`mkdir ${this.#rel(path)}`);
    this.dirs.add(path);
  }

  rmdir(path: string): void {
    this.done.push(`rmdir ${this.#rel(path)}`);
    this.dirs.delete(path);
  }

  write(path: string, text: string): void {
    this.done.push(`write ${this.#rel(path)} ${text.trim()}`);
  }

  openNonblocking(path: string): NonblockingFile {
    this.done.push(`open ${this.#rel(path)}`);
    this.pipeOpen = true;
    const enc = new TextEncoder();
    return {
      read: (buf) => {
        const piece = this.pipe.shift();
        if (piece === undefined) return null;
        const bytes = enc.encode(piece);
        buf.set(bytes);
        return bytes.length;
      },
      close: () => {
        this.done.push("close");
        this.pipeOpen = false;
      },
    };
  }
}

/** A damon_aggregated line of kdamond thread `tid`: [start, end, nr_accesses] of `nr` regions. */
function event(tid: number, nr: number, [start, end, acc]: [number, number, number]): string {
  return `       kdamond.0-${tid}    [001] .....   95.123456: damon_aggregated: target_id=0 ` +
    `nr_regions=${nr} ${start}-${end}: ${acc} 2\n`;
}

interface Setup extends Disposable {
  sys: FakeSystem;
  damon: FakeDamon;
  deps: ComponentDeps;
  clock: Clock & { nowMs: number };
  log: () => string;
  /** A tracker on the fake DAMON; with `traceIo`, reading events from it. */
  tracker(config?: unknown, traceIo?: TraceIo | null): DamonTracker;
}

/** Processes 100 (64 MiB anon at A) and 200 (16 MiB anon at 2A), `nr` kdamonds. */
function setup(nr = 0): Setup {
  const kernel = new FakeKernel().addNode(0, 100000, [0]);
  kernel.addProcess(100, "a", [{ startAddr: A, pages: 16384, kind: "anon" }]);
  kernel.populate(100, 0, 0, 16384);
  kernel.addProcess(200, "b", [{ startAddr: 2 * A, pages: 4096, kind: "anon" }]);
  kernel.populate(200, 0, 0, 4096);
  // The memtierd under test (its pid and start time go in kdamond records).
  kernel.addProcess(42, "memtierd", []);
  const sys = fakeSystem(kernel);
  const damon = new FakeDamon(sys.sysfs.root, nr);
  // Time that never comes: the tracker's own loop never runs a round, the
  // test runs them; now() is what the test sets.
  const clock: Clock & { nowMs: number } = {
    nowMs: 0,
    now: () => clock.nowMs,
    wallMs: () => 0,
    sleep: (_ms, signal) =>
      signal?.aborted
        ? Promise.resolve()
        : new Promise((resolve) =>
          signal?.addEventListener("abort", () => resolve(), { once: true })
        ),
  };
  let log = "";
  const logger = new Logger((t) => (log += t), { debug: true });
  const stats = new Stats(clock);
  const deps: ComponentDeps = {
    clock,
    procfs: sys.procfs,
    sysfs: sys.sysfs,
    syscalls: () => sys.syscalls,
    logger,
    stats,
    mover: new Mover({ syscalls: () => sys.syscalls, clock, stats, logger }),
  };
  return {
    sys,
    damon,
    deps,
    clock,
    log: () => log,
    tracker: (config, traceIo = null) =>
      new DamonTracker(parseDamonConfig(config), deps, { io: damon, traceIo, pid: 42 }),
    [Symbol.dispose]: () => sys[Symbol.dispose](),
  };
}

const w = (...pids: number[]) => pids.map((pid) => ({ pid, pidfd: null, startTicks: 0 }));

Deno.test("damon config: omitted fields take the Go defaults, zeros too; SysfsRegionsManager stays absent (fvaddr where the kernel has it)", () => {
  assertEquals(parseDamonConfig(undefined), {
    Connection: "",
    SamplingUs: 5000,
    AggregationUs: 100000,
    RegionsUpdateUs: 1000000,
    MinTargetRegions: 10,
    MaxTargetRegions: 1000,
    FilterAddressRangeSizeMax: 33554432,
    Interface: 0,
    KdamondsList: [],
    NrKdamonds: 0,
  });
  const c = parseDamonConfig('{"samplingus":0,"filteraddressrangesizemax":-1,"kdamondslist":[2]}');
  assertEquals([c.SamplingUs, c.FilterAddressRangeSizeMax, c.KdamondsList], [5000, -1, [2]]);
});

Deno.test("damon config: debugfs, unknown connections and bad region counts are refused", () => {
  const msg = (raw: string) => {
    try {
      parseDamonConfig(raw);
    } catch (e) {
      assertOk(e instanceof ConfigError, `ConfigError for ${raw}`);
      return (e as Error).message;
    }
    throw new Error(`accepted ${raw}`);
  };
  assertEquals(
    msg('{"Interface":2}'),
    "tracker damon: Interface: debugfs (2) is not supported: memtierd reads DAMON through sysfs (use 0 or 1) (got 2)",
  );
  assertEquals(
    msg('{"Connection":"ftrace"}'),
    'tracker damon: Connection: must be bpftrace or perf (memtierd reads DAMON itself either way: tracefs events, or sysfs) (got "ftrace")',
  );
  assertEquals(
    msg('{"MinTargetRegions":2}'),
    "tracker damon: MinTargetRegions: must be at least 3 (DAMON's minimum), or 0 for 10 (got 2)",
  );
  assertEquals(
    msg('{"MinTargetRegions":50,"MaxTargetRegions":20}'),
    "tracker damon: MaxTargetRegions: must not be below MinTargetRegions 50 (got 20)",
  );
  assertEquals(
    msg('{"SysfsRegionsManager":2}'),
    "tracker damon: SysfsRegionsManager: must be a whole number from 0 to 1 (got 2)",
  );
});

Deno.test("damon start: raises nr_kdamonds from 0 and sets up one context, vaddr, stat scheme open to every region", async () => {
  using s = setup(0);
  const t = s.tracker('{"Connection":"bpftrace","SamplingUs":1000,"SysfsRegionsManager":0}');
  t.addPids(w(100));
  t.start();
  assertEquals(s.damon.take(), [
    "nr_kdamonds 1",
    "0/contexts/nr_contexts 1",
    "0/contexts/0/operations vaddr",
    "0/contexts/0/monitoring_attrs/intervals/sample_us 1000",
    "0/contexts/0/monitoring_attrs/intervals/aggr_us 100000",
    "0/contexts/0/monitoring_attrs/intervals/update_us 1000000",
    "0/contexts/0/monitoring_attrs/nr_regions/max 1000",
    "0/contexts/0/monitoring_attrs/nr_regions/min 10",
    "0/contexts/0/targets/nr_targets 1",
    "0/contexts/0/targets/0/pid_target 100",
    "0/contexts/0/targets/0/regions/nr_regions 0",
    "0/contexts/0/schemes/nr_schemes 1",
    "0/contexts/0/schemes/0/action stat",
    "0/contexts/0/schemes/0/access_pattern/sz/min 0",
    "0/contexts/0/schemes/0/access_pattern/sz/max 18446744073709551615",
    "0/contexts/0/schemes/0/access_pattern/nr_accesses/min 0",
    "0/contexts/0/schemes/0/access_pattern/nr_accesses/max 4294967295",
    "0/contexts/0/schemes/0/access_pattern/age/min 0",
    "0/contexts/0/schemes/0/access_pattern/age/max 4294967295",
    "0/state on",
  ]);
  assertOk(
    s.log().includes(
      'INFO: tracker damon: Connection "bpftrace" is not used: memtierd reads DAMON itself (tracefs events, or sysfs)',
    ),
    s.log(),
  );
  await t.stop();
  assertEquals(s.damon.take(), [
    "0/state clear_schemes_tried_regions",
    "0/state off",
    "0/contexts/nr_contexts 0",
    "nr_kdamonds 0",
  ]);
  assertEquals(s.damon.get("nr_kdamonds"), "0");
});

Deno.test("damon with SysfsRegionsManager 1: fvaddr over the process's anon ranges, read again every RegionsUpdateUs and committed when they changed", async () => {
  using s = setup(1);
  const t = s.tracker('{"SysfsRegionsManager":1}');
  t.addPids(w(100));
  t.start();
  const writes = s.damon.take();
  assertOk(writes.includes("0/contexts/0/operations fvaddr"), writes.join("\n"));
  const r = "0/contexts/0/targets/0/regions";
  assertEquals(writes.filter((x) => x.startsWith(r)), [
    `${r}/nr_regions 1`,
    `${r}/0/start ${A}`,
    `${r}/0/end ${A + 64 * MiB}`,
  ]);
  t.round();
  assertEquals(s.damon.take(), ["0/state update_schemes_tried_regions"]);
  // The process maps 4 MiB more; its ranges are read again after RegionsUpdateUs (1 s).
  s.sys.kernel.processes.get(100)!.vmas.push({
    startAddr: A + 128 * MiB,
    pages: 1024,
    kind: "anon",
  });
  s.sys.kernel.populate(100, 1, 0, 1024);
  s.sys.sync();
  s.clock.nowMs = 999;
  t.round();
  assertEquals(s.damon.take(), ["0/state update_schemes_tried_regions"]);
  s.clock.nowMs = 1000;
  t.round();
  assertEquals(s.damon.take(), [
    `${r}/nr_regions 2`,
    `${r}/0/start ${A}`,
    `${r}/0/end ${A + 64 * MiB}`,
    `${r}/1/start ${A + 128 * MiB}`,
    `${r}/1/end ${A + 132 * MiB}`,
    "0/state commit",
    "0/state update_schemes_tried_regions",
  ]);
  await t.stop();
});

Deno.test("damon without SysfsRegionsManager monitors the process's own ranges with fvaddr where the kernel has it, vaddr where it has not", async () => {
  using s = setup(1);
  const t = s.tracker();
  t.addPids(w(100));
  t.start();
  const writes = s.damon.take();
  assertOk(writes.includes("0/contexts/0/operations fvaddr"), writes.join("\n"));
  assertOk(
    writes.includes(`0/contexts/0/targets/0/regions/0/end ${A + 64 * MiB}`),
    writes.join("\n"),
  );
  await t.stop();
  s.damon.availOperations = "vaddr\npaddr";
  const old = s.tracker();
  old.addPids(w(100));
  old.start();
  const oldWrites = s.damon.take();
  assertOk(oldWrites.includes("0/contexts/0/operations vaddr"), oldWrites.join("\n"));
  assertOk(oldWrites.includes("0/contexts/0/targets/0/regions/nr_regions 0"), oldWrites.join("\n"));
  await old.stop();
});

Deno.test("damon reads DAMON's events from a tracefs instance of its own: nr_accesses per (pid, region) from its kdamonds only, no tried regions asked for, the instance removed on stop", async () => {
  using s = setup(2);
  const trace = new FakeTrace(s.sys.sysfs.root);
  // Left by a memtierd that was killed (pid 99 is gone), and one of a memtierd alive (100).
  trace.dirs.add(`${trace.base}/memtierd-99-0`);
  trace.dirs.add(`${trace.base}/memtierd-100-0`);
  trace.procs.add(`${s.sys.procfs.root}/100`);
  const t = s.tracker('{"FilterAddressRangeSizeMax":8388608}', trace);
  t.addPids(w(100, 200));
  t.start();
  assertEquals(trace.done.splice(0), [
    "rmdir memtierd-99-0",
    "mkdir memtierd-42-0",
    "write memtierd-42-0/events/damon/damon_aggregated/enable 1",
    "open memtierd-42-0/trace_pipe",
  ]);
  s.damon.take();
  // Two aggregations of kdamond 0 (thread 7000), one of kdamond 1 (7001),
  // one of someone else's kdamond (7999); the text split mid-line.
  const text = event(7000, 2, [A, A + 4 * MiB, 5]) +
    event(7000, 2, [A + 4 * MiB, A + 64 * MiB, 9]) +
    event(7999, 1, [A, A + 4 * MiB, 50]) + event(7001, 1, [2 * A, 2 * A + 8 * MiB, 0]) +
    "CPU:1 [LOST 3 EVENTS]\n" +
    event(7000, 2, [A, A + 4 * MiB, 3]) + event(7000, 2, [A + 4 * MiB, A + 64 * MiB, 1]);
  trace.pipe = [text.slice(0, 300), text.slice(300)];
  t.round();
  assertEquals(s.damon.take(), []);
  const counters = t.getCounters().map((c) =>
    `${c.pid} ${c.range.startAddr.toString(16)}-${c.range.endAddr.toString(16)} a=${c.accesses}`
  );
  assertEquals(counters, ["100 10000000-10400000 a=8", "200 20000000-20800000 a=0"]);
  const scans = s.deps.stats.scans().get(100);
  assertEquals([scans?.count, scans?.lastScanned, scans?.lastAccessed], [1, 2048, 2048]);
  assertEquals(
    t.dump([]),
    "kdamond 0: pid 100 (fvaddr), last round: 2 regions, 67108864 bytes, 1 dropped by FilterAddressRangeSizeMax\n" +
      "kdamond 1: pid 200 (fvaddr), last round: 1 regions, 8388608 bytes, 0 dropped by FilterAddressRangeSizeMax",
  );
  t.round();
  assertEquals(t.getCounters()[0]?.accesses, 8);
  await t.stop();
  assertEquals(trace.done.splice(0), [
    "write memtierd-42-0/events/damon/damon_aggregated/enable 0",
    "close",
    "rmdir memtierd-42-0",
  ]);
  assertEquals(trace.list(trace.base), ["memtierd-100-0"]);
});

Deno.test("damon finds tracefs under debugfs (/sys/kernel/debug/tracing) where /sys/kernel/tracing is not mounted", async () => {
  using s = setup(1);
  const trace = new FakeTrace(s.sys.sysfs.root, "kernel/debug/tracing");
  const t = s.tracker(undefined, trace);
  t.addPids(w(100));
  t.start();
  assertEquals(trace.done.splice(0), [
    "mkdir memtierd-42-0",
    "write memtierd-42-0/events/damon/damon_aggregated/enable 1",
    "open memtierd-42-0/trace_pipe",
  ]);
  assertEquals(s.log().split("\n").filter((l) => l.includes("tried regions")), []);
  s.damon.take();
  trace.pipe = [event(7000, 1, [A, A + 4 * MiB, 6])];
  t.round();
  assertEquals(s.damon.take(), []);
  assertEquals(t.getCounters().map((c) => c.accesses), [6]);
  await t.stop();
  assertEquals(trace.done.splice(0).at(-1), "rmdir memtierd-42-0");
});

Deno.test("damon without tracefs anywhere reads the sysfs tried regions, naming both places it looked", async () => {
  using s = setup(1);
  const trace = new FakeTrace(s.sys.sysfs.root, "nowhere");
  const t = s.tracker(undefined, trace);
  t.addPids(w(100));
  t.start();
  assertEquals(trace.done, []);
  const root = s.sys.sysfs.root;
  assertEquals(s.log().split("\n").filter((l) => l.includes("tried regions")), [
    "INFO: tracker damon: reading DAMON's tried regions through sysfs every round, not its events: " +
    `${root}/kernel/tracing/instances and ${root}/kernel/debug/tracing/instances are missing ` +
    "(tracefs not mounted, nor debugfs)",
  ]);
  await t.stop();
});

Deno.test("damon reads the sysfs tried regions, saying why once, where tracefs has no DAMON events", async () => {
  using s = setup(1);
  const trace = new FakeTrace(s.sys.sysfs.root);
  trace.hasDamonEvents = false;
  const t = s.tracker(undefined, trace);
  t.addPids(w(100));
  t.start();
  assertEquals(trace.done.splice(0), ["mkdir memtierd-42-0", "rmdir memtierd-42-0"]);
  assertEquals(s.log().split("\n").filter((l) => l.includes("tried regions")), [
    "INFO: tracker damon: reading DAMON's tried regions through sysfs every round, not its events: " +
    `${trace.base}/memtierd-42-0/events/damon/damon_aggregated/enable is missing (no DAMON tracepoints)`,
  ]);
  s.damon.take();
  s.damon.pending.set(0, [[A, A + 4 * MiB, 5]]);
  t.round();
  assertEquals(s.damon.take(), ["0/state update_schemes_tried_regions"]);
  assertEquals(t.getCounters().map((c) => c.accesses), [5]);
  await t.stop();
  assertEquals(trace.done, []);
});

Deno.test("damon counters: nr_accesses add up per (pid, region) over rounds; regions above the filter are dropped", async () => {
  using s = setup(2);
  const t = s.tracker('{"FilterAddressRangeSizeMax":8388608}');
  t.addPids(w(100, 200));
  t.start();
  assertEquals(t.kdamonds(), [{ id: 0, pid: 100 }, { id: 1, pid: 200 }]);
  s.damon.pending.set(0, [[A, A + 4 * MiB, 5], [A + 4 * MiB, A + 64 * MiB, 9]]);
  s.damon.pending.set(1, [[2 * A, 2 * A + 8 * MiB, 0]]);
  t.round();
  s.damon.pending.set(0, [[A, A + 4 * MiB, 3]]);
  t.round();
  const text = t.getCounters().map((c) =>
    `${c.pid} ${c.range.startAddr.toString(16)}-${c.range.endAddr.toString(16)} a=${c.accesses}`
  );
  assertEquals(text, ["100 10000000-10400000 a=8", "200 20000000-20800000 a=0"]);
  const scans = s.deps.stats.scans().get(100);
  assertEquals([scans?.count, scans?.lastScanned, scans?.lastAccessed], [2, 1024, 1024]);
  t.resetCounters();
  assertEquals(t.getCounters(), []);
  await t.stop();
});

Deno.test("damon warns once per process when most of its regions' bytes are above the filter for two regions updates in a row, naming fvaddr as the way out", async () => {
  using s = setup(1);
  // Two aggregations make two regions update intervals here.
  const t = s.tracker('{"SysfsRegionsManager":0,"RegionsUpdateUs":100000}');
  t.addPids(w(100));
  t.start();
  // vaddr over a sparse reservation: two regions of 40 GiB around 1 MiB.
  const GiB = 1024 * MiB;
  s.damon.pending.set(0, [[A, A + MiB, 1], [A + MiB, A + 40 * GiB, 0], [
    A + 40 * GiB,
    A + 80 * GiB,
    0,
  ]]);
  const warnings = () => s.log().split("\n").filter((l) => l.startsWith("WARN"));
  t.round();
  // Then mostly counted: the streak starts again.
  s.damon.pending.set(0, [[A, A + 8 * MiB, 1], [A + 8 * MiB, A + 16 * MiB, 0]]);
  t.round();
  s.damon.pending.set(0, [[A, A + 40 * GiB, 0]]);
  t.round();
  assertEquals(warnings(), []);
  t.round();
  t.round();
  assertEquals(warnings(), [
    "WARN: tracker damon: pid 100: 1 of 1 regions (40960 of 40960 MiB) are above " +
    "FilterAddressRangeSizeMax 33554432 bytes and not counted: vaddr spreads its regions over " +
    "all the address space the process reserves, used or not (V8, JVMs, Go); " +
    "SysfsRegionsManager 1 (or none) monitors the process's own ranges (fvaddr)",
  ]);
  await t.stop();
});

Deno.test("damon leaves a running kdamond it was not given alone, and one that holds a context", async () => {
  using s = setup(3);
  s.damon.setState(0, "on");
  s.damon.setState(1, "off", 1);
  const t = s.tracker();
  t.addPids(w(100));
  t.start();
  assertEquals(t.kdamonds(), [{ id: 2, pid: 100 }]);
  const writes = s.damon.take();
  assertOk(writes.every((x) => x.startsWith("2/")), writes.join("\n"));
  await t.stop();
  assertEquals(s.damon.get("0/state"), "on");
  assertEquals(s.damon.get("1/contexts/nr_contexts"), "1");
  assertEquals(s.damon.get("2/contexts/nr_contexts"), "0");
  assertEquals(s.damon.get("nr_kdamonds"), "3");
});

Deno.test("damon start fails clearly when every kdamond is someone else's", () => {
  using s = setup(1);
  s.damon.setState(0, "on");
  const t = s.tracker();
  assertThrows(
    () => t.start(),
    UnsupportedError,
    "Cannot start tracker damon: all 1 kdamonds are in use by someone else (on, or holding a context); " +
      "list the ones memtierd may take in KdamondsList",
  );
  assertEquals(s.damon.take(), []);
});

Deno.test("damon takes over a running kdamond that KdamondsList names, with a warning", async () => {
  using s = setup(2);
  s.damon.setState(1, "on");
  const t = s.tracker('{"KdamondsList":[1]}');
  t.addPids(w(200));
  t.start();
  assertOk(s.log().includes("WARN: tracker damon: kdamond 1 is running; taking it over"), s.log());
  assertEquals(t.kdamonds(), [{ id: 1, pid: 200 }]);
  assertEquals(s.damon.get("1/contexts/0/targets/0/pid_target"), "200");
  await t.stop();
  assertEquals(s.damon.get("1/state"), "off");
});

Deno.test("damon re-applies targets when pids come and go, one kdamond each", async () => {
  using s = setup(2);
  const t = s.tracker();
  t.addPids(w(100));
  t.start();
  s.damon.take();
  t.addPids(w(200));
  assertEquals(t.kdamonds(), [{ id: 0, pid: 100 }, { id: 1, pid: 200 }]);
  assertEquals(s.damon.get("1/contexts/0/targets/0/pid_target"), "200");
  assertEquals(s.damon.get("1/state"), "on");
  assertOk(!s.damon.take().some((x) => x.startsWith("0/")), "kdamond 0 untouched by the add");
  t.removePids(w(100));
  assertEquals(s.damon.take(), ["0/state off", "0/contexts/nr_contexts 0"]);
  assertEquals(t.kdamonds(), [{ id: 0, pid: undefined }, { id: 1, pid: 200 }]);
  await t.stop();
});

Deno.test("damon frees the kdamond of a target that exited, and restarts one that stopped otherwise", async () => {
  using s = setup(2);
  const t = s.tracker();
  t.addPids(w(100, 200));
  t.start();
  // The kernel stops a kdamond whose targets all exited.
  s.sys.kernel.exit(100);
  s.sys.sync();
  s.damon.setState(0, "off");
  s.damon.setState(1, "off");
  s.damon.take();
  t.round();
  assertEquals(t.kdamonds(), [{ id: 0, pid: undefined }, { id: 1, pid: 200 }]);
  assertEquals(s.damon.get("0/contexts/nr_contexts"), "0");
  assertEquals(s.damon.get("1/state"), "on");
  assertOk(s.log().includes("INFO: tracker damon: pid 100 exited, kdamond 0 freed"), s.log());
  assertOk(
    s.log().includes("WARN: tracker damon: kdamond 1 of pid 200 stopped; starting it again"),
    s.log(),
  );
  await t.stop();
  assertEquals(s.damon.get("1/state"), "off");
});

Deno.test("damon warns once about a pid without a free kdamond", async () => {
  using s = setup(2);
  s.damon.setState(0, "on");
  const t = s.tracker();
  t.addPids(w(100, 200));
  t.start();
  t.addPids(w(200));
  assertEquals(
    s.log().split("\n").filter((l) => l.includes("no free kdamond")).length,
    1,
  );
  assertEquals(t.kdamonds(), [{ id: 1, pid: 100 }]);
  await t.stop();
});

Deno.test("damon start without DAMON's sysfs says what the kernel needs", () => {
  using s = setup(0);
  Deno.removeSync(`${s.sys.sysfs.root}/kernel`, { recursive: true });
  assertThrows(
    () => s.tracker().start(),
    UnsupportedError,
    "is missing (the kernel needs CONFIG_DAMON_SYSFS)",
  );
});

Deno.test("damon dump raw: start records every tried region read per round, new prints and clears them, stop ends", async () => {
  using s = setup(2);
  const t = s.tracker('{"FilterAddressRangeSizeMax":8388608}');
  t.addPids(w(100, 200));
  t.start();
  assertEquals(t.dump(["raw", "new"]), "error: not recording (dump raw start first)");
  s.damon.pending.set(0, [[A, A + 4 * MiB, 5], [A + 4 * MiB, A + 64 * MiB, 9]]);
  s.damon.pending.set(1, [[2 * A, 2 * A + 8 * MiB, 0]]);
  t.round(); // not recorded
  assertEquals(t.dump(["raw", "start"]), "raw access events recording started");
  t.round();
  s.damon.pending.set(0, [[A, A + 1 * MiB, 2]]);
  t.round();
  assertEquals(t.dump(["raw", "new"]).split("\n"), [
    "           timestamp kdamond      pid            start              end    pages     accs      age counted",
    "                   0       0      100         10000000         10400000     1024        5        3 yes",
    "                   0       0      100         10400000         14000000    15360        9        3 no",
    "                   0       1      200         20000000         20800000     2048        0        3 yes",
    "                   0       0      100         10000000         10100000      256        2        3 yes",
    "                   0       1      200         20000000         20800000     2048        0        3 yes",
  ]);
  // Only what came since the last new.
  assertEquals(t.dump(["raw", "new"]).split("\n").length, 1);
  t.round();
  assertEquals(t.dump(["raw", "new"]).split("\n").length, 3);
  assertEquals(t.dump(["raw", "stop"]), "raw access events recording stopped");
  t.round();
  assertEquals(t.dump(["raw", "new"]), "error: not recording (dump raw start first)");
  // Recording leaves the counters alone: all five rounds counted, the filtered region not.
  assertEquals(
    t.getCounters().map((c) => `${c.pid} ${c.range.startAddr.toString(16)} a=${c.accesses}`),
    ["100 10000000 a=10", "200 20000000 a=0", "100 10000000 a=6"],
  );
  await t.stop();
});

Deno.test("damon dump: kdamonds by default, and a clear line for unknown arguments", async () => {
  using s = setup(1);
  const t = s.tracker();
  t.addPids(w(100));
  t.start();
  assertEquals(t.dump([]), "kdamond 0: pid 100 (fvaddr)");
  assertEquals(t.dump(["kdamonds"]), "kdamond 0: pid 100 (fvaddr)");
  assertEquals(
    t.dump(["regions"]),
    'tracker damon: dump accepts: kdamonds, raw start|new|stop (got "regions")',
  );
  assertEquals(
    t.dump(["raw", "begin"]),
    'tracker damon: dump raw accepts: start, new, stop (got "begin")',
  );
  assertEquals(t.dump(["raw"]), 'tracker damon: dump raw accepts: start, new, stop (got "")');
  await t.stop();
});

Deno.test("DAMON sysfs: a write answered EBUSY (a kdamond holding DAMON's lock) is tried again; other errors are not, permission denied names the file and what is missing", () => {
  const tries: string[] = [];
  let busy = 3;
  const io: DamonIo = {
    read: () => "",
    exists: () => true,
    write(path, text) {
      tries.push(`${path.split("/").pop()} ${text.trim()}`);
      if (path.endsWith("nr_regions") && busy-- > 0) throw new Deno.errors.Busy("busy");
      if (path.endsWith("pid_target")) throw new Deno.errors.PermissionDenied("no");
    },
  };
  const d = new DamonSysfs({ root: "/x", io });
  d.write("0/contexts/0/targets/0/regions/nr_regions", 2);
  assertEquals(tries, Array(4).fill("nr_regions 2"));
  assertThrows(
    () => d.write("0/contexts/0/targets/0/pid_target", 1),
    PermissionError,
    "Cannot use DAMON: /x/kernel/mm/damon/admin/kdamonds/0/contexts/0/targets/0/pid_target: " +
      "permission denied; run memtierd as root (DAMON's sysfs files are root's)",
  );
  assertEquals(tries.length, 5);
});

Deno.test("tracker damon start as a user who may not read DAMON's files: a PermissionError naming nr_kdamonds", () => {
  using s = setup();
  const io: DamonIo = {
    read: () => {
      throw new Deno.errors.PermissionDenied("Permission denied (os error 13)");
    },
    exists: () => true,
    write: () => {},
  };
  const t = new DamonTracker(parseDamonConfig({}), s.deps, { io });
  assertThrows(
    () => t.start(),
    PermissionError,
    `Cannot use DAMON: ${s.sys.sysfs.root}/kernel/mm/damon/admin/kdamonds/nr_kdamonds: ` +
      "permission denied; run memtierd as root",
  );
});

/** Where the trackers of `s` keep their kdamond records (beside the fake /sys). */
const recordDir = (s: Setup) => `${s.sys.sysfs.root}/../run/memtierd/kdamonds`;

/**
 * A memtierd of pid 43 that takes kdamond 0 for pid 100 and is then killed
 * with SIGKILL: never stopped, its process gone (or, with `zombie`, not
 * reaped yet).
 */
function killedMemtierd(s: Setup, zombie = false): void {
  s.sys.kernel.addProcess(43, "memtierd", []);
  s.sys.sync();
  const first = new DamonTracker(parseDamonConfig(undefined), s.deps, {
    io: s.damon,
    traceIo: null,
    pid: 43,
  });
  first.addPids(w(100));
  first.start();
  s.sys.kernel.exit(43, zombie);
  s.sys.sync();
  s.damon.take();
}

Deno.test("damon reclaims, with one INFO line, the kdamond a killed memtierd left on (its record names a pid that is gone)", async () => {
  using s = setup(1);
  killedMemtierd(s);
  assertEquals([s.damon.get("0/state"), s.damon.get("0/contexts/nr_contexts")], ["on", "1"]);
  const record = JSON.parse(Deno.readTextFileSync(`${recordDir(s)}/kdamond-0`));
  assertEquals([record.pid, record.target, record.thread], [43, 100, 7000]);
  const t = s.tracker();
  t.addPids(w(200));
  t.start();
  assertEquals(t.kdamonds(), [{ id: 0, pid: 200 }]);
  assertEquals(s.damon.get("0/contexts/0/targets/0/pid_target"), "200");
  assertEquals(s.damon.take().slice(0, 3), [
    "0/state off",
    "0/contexts/nr_contexts 0",
    "0/contexts/nr_contexts 1",
  ]);
  const info = s.log().split("\n").filter((l) => l.includes("reclaimed"));
  assertEquals(info, [
    "INFO: tracker damon: kdamond 0 (on, monitoring pid 100) was taken by memtierd pid 43, which is gone: reclaimed",
  ]);
  assertEquals(JSON.parse(Deno.readTextFileSync(`${recordDir(s)}/kdamond-0`)).pid, 42);
  await t.stop();
});

Deno.test("damon reclaims the kdamond of a killed memtierd whose pid now runs another process, or is a zombie not reaped", async () => {
  {
    using s = setup(1);
    killedMemtierd(s);
    s.sys.kernel.addProcess(43, "sh", []);
    s.sys.sync();
    const t = s.tracker();
    t.addPids(w(100));
    t.start();
    assertEquals(t.kdamonds(), [{ id: 0, pid: 100 }]);
    assertOk(
      s.log().includes(
        "INFO: tracker damon: kdamond 0 (on, monitoring pid 100) was taken by memtierd pid 43, " +
          "which now runs another process (pid reused): reclaimed",
      ),
      s.log(),
    );
    await t.stop();
  }
  {
    using s = setup(1);
    killedMemtierd(s, true);
    const t = s.tracker();
    t.addPids(w(100));
    t.start();
    assertOk(s.log().includes("which is a zombie (killed): reclaimed"), s.log());
    await t.stop();
  }
});

Deno.test("damon never touches a running kdamond without a record, with a record it cannot read, or whose taker still runs", () => {
  for (const leftover of ["none", "garbage", "taker runs"]) {
    using s = setup(1);
    if (leftover === "taker runs") {
      s.sys.kernel.addProcess(43, "memtierd", []);
      s.sys.sync();
      const running = new DamonTracker(parseDamonConfig(undefined), s.deps, {
        io: s.damon,
        traceIo: null,
        pid: 43,
      });
      running.addPids(w(100));
      running.start();
    } else {
      s.damon.setState(0, "on");
      s.damon.write(`${s.damon.dir}/0/contexts/0/targets/nr_targets`, "1");
      s.damon.write(`${s.damon.dir}/0/contexts/0/targets/0/pid_target`, "100");
      if (leftover === "garbage") {
        Deno.mkdirSync(recordDir(s), { recursive: true, mode: 0o700 });
        Deno.writeTextFileSync(`${recordDir(s)}/kdamond-0`, '{"kdamond":0,"pid":43}\n');
      }
    }
    assertEquals(s.damon.get("0/state"), "on", leftover);
    s.damon.take();
    const t = s.tracker();
    assertThrows(
      () => t.start(),
      UnsupportedError,
      "Cannot start tracker damon: all 1 kdamonds are in use by someone else",
    );
    assertEquals(s.damon.take(), [], leftover);
    assertEquals(s.damon.get("0/state"), "on", leftover);
    assertOk(!s.log().includes("reclaimed"), s.log());
  }
});

Deno.test("damon leaves a dead memtierd's kdamond alone when somebody else has set it up since (another target)", () => {
  using s = setup(1);
  killedMemtierd(s);
  s.damon.write(`${s.damon.dir}/0/state`, "off");
  s.damon.write(`${s.damon.dir}/0/contexts/0/targets/0/pid_target`, "200");
  s.damon.write(`${s.damon.dir}/0/state`, "on");
  s.damon.take();
  const t = s.tracker();
  assertThrows(() => t.start(), UnsupportedError, "all 1 kdamonds are in use by someone else");
  assertEquals(s.damon.take(), []);
});

Deno.test("damon removes its kdamond record on a clean stop, and when its target exits", async () => {
  using s = setup(2);
  const t = s.tracker();
  t.addPids(w(100, 200));
  t.start();
  assertEquals(
    [...Deno.readDirSync(recordDir(s))].map((e) => e.name).sort(),
    ["kdamond-0", "kdamond-1"],
  );
  const mode = Deno.statSync(recordDir(s)).mode! & 0o777;
  assertEquals(mode.toString(8), "700");
  t.removePids(w(200));
  assertEquals([...Deno.readDirSync(recordDir(s))].map((e) => e.name), ["kdamond-0"]);
  await t.stop();
  assertEquals([...Deno.readDirSync(recordDir(s))], []);
});

Deno.test("damon keeps no records in a folder others may write to, and says so once", async () => {
  using s = setup(1);
  Deno.mkdirSync(recordDir(s), { recursive: true });
  Deno.chmodSync(recordDir(s), 0o777);
  const t = s.tracker();
  t.addPids(w(100));
  t.start();
  assertEquals(t.kdamonds(), [{ id: 0, pid: 100 }]);
  assertOk(
    s.log().includes(
      `WARN: tracker damon: cannot keep kdamond ownership records (${
        recordDir(s)
      } may be written by others (mode 777))`,
    ),
    s.log(),
  );
  assertEquals([...Deno.readDirSync(recordDir(s))], []);
  await t.stop();
});

/** Memtierd 42 (`a`) on pid 100, then memtierd 43 (`b`) on pid 200, two kdamonds. */
function twoMemtierds(s: Setup): { a: DamonTracker; b: DamonTracker } {
  s.sys.kernel.addProcess(43, "memtierd", []);
  s.sys.kernel.addProcess(300, "c", [{ startAddr: 3 * A, pages: 16, kind: "anon" }]);
  s.sys.sync();
  const a = s.tracker();
  a.addPids(w(100));
  a.start();
  const b = new DamonTracker(parseDamonConfig(undefined), s.deps, {
    io: s.damon,
    traceIo: null,
    pid: 43,
  });
  b.addPids(w(200));
  b.start();
  return { a, b };
}

Deno.test("damon with two memtierds at once: stopping the one that started first leaves the kdamond the other took since", async () => {
  using s = setup(2);
  const { a, b } = twoMemtierds(s);
  await a.stop();
  assertEquals([s.damon.get("0/state"), s.damon.get("0/contexts/nr_contexts")], ["off", "0"]);
  assertEquals([s.damon.get("1/state"), s.damon.get("1/contexts/0/targets/0/pid_target")], [
    "on",
    "200",
  ]);
  await b.stop();
  assertEquals(s.damon.get("1/state"), "off");
});

Deno.test("damon with two memtierds at once: neither takes a kdamond the other set up since it started", async () => {
  using s = setup(2);
  const { a, b } = twoMemtierds(s);
  assertEquals([a.kdamonds(), b.kdamonds()], [[{ id: 0, pid: 100 }, { id: 1, pid: undefined }], [{
    id: 1,
    pid: 200,
  }]]);
  s.damon.take();
  a.addPids(w(300));
  assertEquals(s.damon.take(), []);
  assertEquals(s.damon.get("1/contexts/0/targets/0/pid_target"), "200");
  const said = s.log().split("\n").filter((l) => l.includes("kdamond 1 was") || l.includes("300"));
  assertEquals(said, [
    "INFO: tracker damon: kdamond 1 was set up by memtierd pid 43 since this memtierd started: left to them",
    "WARN: tracker damon: no free kdamond for pid 300 (memtierd has 1; give NrKdamonds or KdamondsList): not tracked",
  ]);
  assertEquals(a.kdamonds(), [{ id: 0, pid: 100 }]);
  // Stopping one leaves the other's kdamond as it is.
  await a.stop();
  assertEquals([s.damon.get("1/state"), s.damon.get("1/contexts/0/targets/0/pid_target")], [
    "on",
    "200",
  ]);
  assertEquals(s.damon.get("0/state"), "off");
  await b.stop();
  assertEquals(s.damon.get("1/state"), "off");
});

Deno.test("damon reclaims a killed memtierd's kdamond that stopped by itself (its target exited) but holds its context", async () => {
  using s = setup(1);
  killedMemtierd(s);
  s.damon.write(`${s.damon.dir}/0/state`, "off");
  s.damon.take();
  const t = s.tracker();
  t.addPids(w(200));
  t.start();
  assertEquals(t.kdamonds(), [{ id: 0, pid: 200 }]);
  assertEquals(s.damon.take().slice(0, 2), [
    "0/contexts/nr_contexts 0",
    "0/contexts/nr_contexts 1",
  ]);
  assertOk(
    s.log().includes(
      "INFO: tracker damon: kdamond 0 (off, monitoring pid 100) was taken by memtierd pid 43, which is gone: reclaimed",
    ),
    s.log(),
  );
  await t.stop();
});

Deno.test("damon round that finds DAMON's lock taken past the retries skips that kdamond with a debug line, and the next round goes on", async () => {
  using s = setup(1);
  const t = s.tracker();
  t.addPids(w(100));
  t.start();
  const real = s.damon.read.bind(s.damon);
  let busy = true;
  s.damon.read = (path: string) => {
    if (busy && path.endsWith("/0/state")) throw new Deno.errors.Busy("Device or resource busy");
    return real(path);
  };
  t.round(); // about 1 s of retries (whileBusy), then skipped
  assertOk(
    s.log().includes(
      "DEBUG: tracker damon: kdamond 0 busy (Device or resource busy); 1 round(s) skipped",
    ),
    s.log(),
  );
  assertOk(!s.log().includes("ERROR"), s.log());
  busy = false;
  t.round();
  assertEquals(t.kdamonds(), [{ id: 0, pid: 100 }]);
  assertEquals(s.damon.get("0/state"), "on");
  await t.stop();
});
