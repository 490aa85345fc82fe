import { MADV_PAGEOUT } from "../ffi/syscalls.ts";
import type { MoverTask } from "../mover/mover.ts";
import { parseNumaMaps } from "../procfs/numa_maps.ts";
import { Stats } from "../stats/stats.ts";
import { assertEquals } from "../testing/assert.ts";
import { FakeClock } from "../time/clock.ts";
import { collectMetrics, type MetricsSource, type MoverView } from "./collect.ts";
import { renderExposition } from "./exposition.ts";

/** The sample lines of metric `name` in `text`. */
function lines(text: string, name: string): string[] {
  return text.split("\n").filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
}

const NUMA_MAPS_42 = "7f0000000000 default anon=300 dirty=300 N0=100 N2=200 kernelpagesize_kB=4\n" +
  "7f1000000000 default file=/usr/lib/libc.so.6 mapped=10 N0=10 kernelpagesize_kB=4\n" +
  "7f2000000000 default anon=1024 dirty=1024 N3=2 kernelpagesize_kB=2048\n";

function idleMover(tasks: MoverTask[] = []): MoverView {
  return { status: "AllDone", config: { IntervalMs: 10, Bandwidth: 100 }, tasks: () => tasks };
}

function source(stats: Stats, overrides: Partial<MetricsSource> = {}): MetricsSource {
  return {
    stats,
    numaMaps: (pid) => {
      if (pid === 42) return parseNumaMaps(NUMA_MAPS_42);
      throw new Error(`no process ${pid}`);
    },
    mover: () => idleMover(),
    watchedPids: () => [42],
    activePids: () => [],
    version: "0.1.0",
    build: "v0.1.0-3-gabc",
    ...overrides,
  };
}

const scrape = (src: MetricsSource) => renderExposition(collectMetrics(src));

Deno.test("collectMetrics() gives a watched process's bytes per node from numa_maps, huge pages in bytes", () => {
  const text = scrape(source(new Stats(new FakeClock())));
  assertEquals(lines(text, "memtierd_process_node_memory_bytes"), [
    'memtierd_process_node_memory_bytes{pid="42",node="0"} 450560', // 110 pages of 4 KiB
    'memtierd_process_node_memory_bytes{pid="42",node="2"} 819200',
    'memtierd_process_node_memory_bytes{pid="42",node="3"} 4194304', // 2 huge pages
  ]);
  assertEquals(lines(text, "memtierd_watched_processes"), ["memtierd_watched_processes 1"]);
  assertEquals(lines(text, "memtierd_build_info"), [
    'memtierd_build_info{version="0.1.0",build="v0.1.0-3-gabc"} 1',
  ]);
});

Deno.test("collectMetrics() counts moved bytes per destination node and failed pages by errno name", () => {
  const stats = new Stats(new FakeClock());
  stats.recordMove({
    pid: 42,
    toNode: 2,
    addrs: new Float64Array([0x1000, 0x2000, 0x3000, 0x4000]),
    status: new Int32Array([2, 2, -16, -13]),
    result: 2,
  });
  stats.recordMove({
    pid: 42,
    toNode: 3,
    addrs: new Float64Array([0x5000]),
    status: new Int32Array([3]),
    result: 0,
  });
  const text = scrape(source(stats));
  assertEquals(lines(text, "memtierd_moved_bytes_total"), [
    'memtierd_moved_bytes_total{pid="42",node="2"} 8192',
    'memtierd_moved_bytes_total{pid="42",node="3"} 4096',
  ]);
  assertEquals(lines(text, "memtierd_move_pages_failed_pages_total"), [
    'memtierd_move_pages_failed_pages_total{pid="42",errno="EACCES"} 1',
    'memtierd_move_pages_failed_pages_total{pid="42",errno="EBUSY"} 1',
  ]);
  assertEquals(lines(text, "memtierd_move_pages_calls_total"), [
    'memtierd_move_pages_calls_total{pid="42"} 2',
  ]);
});

Deno.test("collectMetrics() counts swapped-out bytes that process_madvise advised, failures apart", () => {
  const stats = new Stats(new FakeClock());
  stats.recordMadvise(7, MADV_PAGEOUT, 256, 0);
  stats.recordMadvise(7, MADV_PAGEOUT, 10, 3);
  const text = scrape(source(stats));
  assertEquals(lines(text, "memtierd_swapped_out_bytes_total"), [
    'memtierd_swapped_out_bytes_total{pid="7"} 1048576',
  ]);
  assertEquals(lines(text, "memtierd_process_madvise_failed_bytes_total"), [
    'memtierd_process_madvise_failed_bytes_total{pid="7",errno="ESRCH"} 40960',
  ]);
  assertEquals(lines(text, "memtierd_process_madvise_calls_total"), [
    'memtierd_process_madvise_calls_total{pid="7"} 2',
  ]);
});

Deno.test("collectMetrics() gives tracker scans as counts, seconds and pages", () => {
  const stats = new Stats(new FakeClock());
  stats.recordScan(42, 1500, 1000, 30, 10);
  stats.recordScan(42, 500, 1000, 20, 0);
  const text = scrape(source(stats));
  assertEquals(lines(text, "memtierd_tracker_scans_total"), [
    'memtierd_tracker_scans_total{pid="42"} 2',
  ]);
  assertEquals(lines(text, "memtierd_tracker_scan_seconds_total"), [
    'memtierd_tracker_scan_seconds_total{pid="42"} 0.002',
  ]);
  assertEquals(lines(text, "memtierd_tracker_last_scan_seconds"), [
    'memtierd_tracker_last_scan_seconds{pid="42"} 0.0005',
  ]);
  assertEquals(lines(text, "memtierd_tracker_scanned_pages_total"), [
    'memtierd_tracker_scanned_pages_total{pid="42"} 2000',
  ]);
  assertEquals(lines(text, "memtierd_tracker_accessed_pages_total"), [
    'memtierd_tracker_accessed_pages_total{pid="42"} 50',
  ]);
  assertEquals(lines(text, "memtierd_tracker_written_pages_total"), [
    'memtierd_tracker_written_pages_total{pid="42"} 10',
  ]);
});

Deno.test("collectMetrics() shows the mover's queue, bandwidth, state and dropped tasks", () => {
  const stats = new Stats(new FakeClock());
  stats.recordDroppedTask({
    taskId: 0,
    pid: 9,
    dest: 1,
    pagesLeft: 5,
    reason: "pid 9 exited",
    exitCode: 3,
  });
  stats.heartbeat("Mover.round");
  stats.heartbeat("Mover.round");
  const tasks: MoverTask[] = [
    { id: 1, pid: 42, addrs: new Float64Array(100), target: { kind: "node", node: 2 }, offset: 40 },
    { id: 2, pid: 43, addrs: new Float64Array(8), target: { kind: "swap" }, offset: 0 },
  ];
  const mover: MoverView = {
    status: "Busy",
    config: { IntervalMs: 10, Bandwidth: 50 },
    tasks: () => tasks,
  };
  const text = scrape(source(stats, { mover: () => mover }));
  assertEquals(lines(text, "memtierd_mover_tasks"), ["memtierd_mover_tasks 2"]);
  assertEquals(lines(text, "memtierd_mover_queued_pages"), ["memtierd_mover_queued_pages 68"]);
  assertEquals(lines(text, "memtierd_mover_bandwidth_bytes_per_second"), [
    "memtierd_mover_bandwidth_bytes_per_second 52428800",
  ]);
  assertEquals(lines(text, "memtierd_mover_state"), [
    'memtierd_mover_state{state="NotRunning"} 0',
    'memtierd_mover_state{state="Paused"} 0',
    'memtierd_mover_state{state="Busy"} 1',
    'memtierd_mover_state{state="AllDone"} 0',
  ]);
  assertEquals(lines(text, "memtierd_mover_dropped_tasks_total"), [
    "memtierd_mover_dropped_tasks_total 1",
  ]);
  assertEquals(lines(text, "memtierd_events_total"), [
    'memtierd_events_total{event="Mover.round"} 2',
  ]);
});

Deno.test("collectMetrics() leaves out a process that exited and reads at most maxProcesses numa_maps", () => {
  const read: number[] = [];
  const src = source(new Stats(new FakeClock()), {
    watchedPids: () => [42, 50, 60],
    activePids: () => [42, 41],
    maxProcesses: 2,
    numaMaps: (pid) => {
      read.push(pid);
      if (pid === 41) throw new Error("gone");
      return parseNumaMaps("7f0000000000 default anon=1 N1=1 kernelpagesize_kB=4\n");
    },
  });
  const text = scrape(src);
  assertEquals(read, [41, 42]);
  assertEquals(lines(text, "memtierd_process_node_memory_bytes"), [
    'memtierd_process_node_memory_bytes{pid="42",node="1"} 4096',
  ]);
  assertEquals(lines(text, "memtierd_scrape_skipped_processes"), [
    "memtierd_scrape_skipped_processes 2",
  ]);
  assertEquals(lines(text, "memtierd_watched_processes"), ["memtierd_watched_processes 3"]);
});

Deno.test("collectMetrics() counts policy rounds, and decisions and their bytes by destination and dry run", () => {
  const stats = new Stats(new FakeClock());
  stats.recordPolicyRound("age");
  stats.recordPolicyRound("age");
  stats.recordPolicyDecision({ policy: "age", pid: 42, dest: 2, pages: 300, dryRun: false });
  stats.recordPolicyDecision({ policy: "age", pid: 42, dest: 2, pages: 100, dryRun: false });
  stats.recordPolicyDecision({ policy: "age", pid: 42, dest: -1, pages: 256, dryRun: true });
  const text = scrape(source(stats));
  assertEquals(lines(text, "memtierd_policy_rounds_total"), [
    'memtierd_policy_rounds_total{policy="age"} 2',
  ]);
  assertEquals(lines(text, "memtierd_policy_decisions_total"), [
    'memtierd_policy_decisions_total{policy="age",pid="42",destination="swap",dry_run="true"} 1',
    'memtierd_policy_decisions_total{policy="age",pid="42",destination="2",dry_run="false"} 2',
  ]);
  assertEquals(lines(text, "memtierd_policy_decided_bytes_total"), [
    'memtierd_policy_decided_bytes_total{policy="age",pid="42",destination="swap",dry_run="true"} 1048576',
    'memtierd_policy_decided_bytes_total{policy="age",pid="42",destination="2",dry_run="false"} 1638400',
  ]);
});

Deno.test("collectMetrics() drops an exited process's series 5 minutes after memtierd finds it gone", () => {
  const clock = new FakeClock();
  const living = new Set([42, 7]);
  const stats = new Stats(clock, { alive: (pid) => living.has(pid) });
  for (const pid of [42, 7]) {
    stats.recordMove({
      pid,
      toNode: 1,
      addrs: new Float64Array([0x1000]),
      status: new Int32Array([1]),
      result: 0,
    });
    stats.recordScan(pid, 1000, 1, 1, 0);
  }
  living.delete(7);
  clock.advance(10_000); // found gone
  const pidsIn = (
    text: string,
  ) => [...new Set([...text.matchAll(/pid="(\d+)"/g).map((m) => m[1])])];
  assertEquals(pidsIn(scrape(source(stats))), ["42", "7"]);
  clock.advance(5 * 60_000);
  const text = scrape(source(stats));
  assertEquals(pidsIn(text), ["42"]);
  assertEquals(lines(text, "memtierd_move_pages_calls_total"), [
    'memtierd_move_pages_calls_total{pid="42"} 1',
  ]);
});
