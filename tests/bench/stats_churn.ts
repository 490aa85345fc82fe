/**
 * What process churn costs the statistics store and /metrics: one new
 * process a second, each living 3 s, with what a policy records for it (a
 * decision, a move_pages call, a process_madvise call, a scan a second).
 * A day of it (86,400 processes) with exited processes dropped after the
 * default 5 minutes, against an hour of it with everything kept (as before
 * issue 20), scaled to a day. Time is a FakeClock: this measures memory,
 * not speed. Prints "bench:" lines.
 *
 *   deno run --v8-flags=--expose-gc tests/bench/stats_churn.ts
 */
import { collectMetrics } from "../../src/metrics/collect.ts";
import { renderExposition } from "../../src/metrics/exposition.ts";
import { Stats } from "../../src/stats/stats.ts";
import { FakeClock } from "../../src/time/clock.ts";

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("run with --v8-flags=--expose-gc");

function heapBytes(): number {
  gc!();
  gc!();
  return Deno.memoryUsage().heapUsed;
}

function churn(processes: number, retentionMs: number) {
  const clock = new FakeClock();
  const living = new Set<number>();
  const before = heapBytes();
  const stats = new Stats(clock, {
    alive: (pid) => living.has(pid),
    exitedRetentionMs: retentionMs,
  });
  for (let i = 0; i < processes; i++) {
    const pid = 1000 + i;
    living.add(pid);
    stats.recordPolicyDecision({ policy: "age", pid, dest: 1, pages: 512, dryRun: false });
    stats.recordMove({
      pid,
      toNode: 1,
      addrs: new Float64Array(512).map((_, k) => 0x7f0000000000 + k * 4096),
      status: new Int32Array(512).fill(1),
      result: 0,
    });
    stats.recordMadvise(pid, 21, 512, 0);
    for (const p of living) stats.recordScan(p, 800, 2048, 300, 40);
    living.delete(pid - 3);
    clock.advance(1000);
  }
  const held = stats.processCount();
  const text = renderExposition(collectMetrics({
    stats,
    numaMaps: () => [],
    mover: () => ({
      status: "AllDone",
      config: { IntervalMs: 10, Bandwidth: 100 },
      tasks: () => [],
    }),
    watchedPids: () => [...living],
    activePids: () => [],
    version: "0.1.0",
    build: "bench",
  }));
  const series = text.split("\n").filter((l) => l.includes('pid="')).length;
  return { held, heap: heapBytes() - before, scrapeBytes: text.length, series, stats };
}

const kib = (n: number) => `${(n / 1024).toFixed(0)} KiB`;
const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;

const day = 86_400;
const dropped = churn(day, 5 * 60_000);
console.log(
  `bench: stats churn, a day (${day} processes, 1/s living 3 s), exited dropped after 5 min: ` +
    `${dropped.held} processes held, heap +${kib(dropped.heap)}, /metrics ${dropped.series} ` +
    `per-pid series, ${kib(dropped.scrapeBytes)} a scrape`,
);
const hour = 3600;
const kept = churn(hour, Infinity);
console.log(
  `bench: stats churn, an hour (${hour} processes) kept forever (before issue 20): ` +
    `${kept.held} processes held, heap +${mib(kept.heap)} (${(kept.heap / hour).toFixed(0)} ` +
    `bytes a process), /metrics ${kept.series} per-pid series, ${
      kib(kept.scrapeBytes)
    } a scrape; ` +
    `a day: ~${mib(kept.heap / hour * day)}, ~${mib(kept.scrapeBytes / hour * day)} a scrape`,
);
