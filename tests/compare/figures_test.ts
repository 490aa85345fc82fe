import { assertEquals, assertOk } from "../../src/testing/assert.ts";
import {
  compareLine,
  figuresOf,
  modelledSlowdown,
  parseCounters,
  parseSamples,
  parseWords,
  residencyChart,
} from "./figures.ts";

const OUT = `memory exerciser
pid: 77
hotset: 1000 pages at 0x7f0000000010, hot 100 pages (10 %, 90 % of the touches), 11 cold pages a round, writing
ready: 1000 pages
hotset: t=0.0 accesses=0 phase=0 hot_fast=0.000 cold_slow=0.300 hit=0.070 absent=0
hotset: t=1.0 accesses=1000 phase=0 hot_fast=0.500 cold_slow=0.300 hit=0.520 absent=0
hotset: t=2.0 accesses=2000 phase=0 hot_fast=0.950 cold_slow=0.400 hit=0.915 absent=0
hotset: t=3.0 accesses=3000 phase=0 hot_fast=1.000 cold_slow=0.500 hit=0.950 absent=0
hotset: t=4.0 accesses=5000 phase=1 hot_fast=0.000 cold_slow=0.500 hit=0.050 absent=0
hotset: t=5.0 accesses=6000 phase=1 hot_fast=0.800 cold_slow=0.600 hit=0.760 absent=0
hotset: t=6.0 accesses=7000 phase=1 hot_fast=0.900 cold_slow=0.700 hit=0.840 absent=0
hotset: t=7.0 accesses=8000 phase=1 hot_fast=1.000 cold_slow=0.800 hit=0.920 absent=0
hotset: done, 8000 accesses (sum 0)
hotset: end least_moves=300 to_fast=200 to_slow=100 pingpong_sampled=5/200
verify: OK 1000 pages in 1 arrays
`;

const BEFORE = parseCounters(`pgmigrate_success 10
pgdemote_kswapd 0
pgpromote_success 0
numa_hint_faults 5
sys_ticks 1000
kdamond_ticks 0
memtierd_ticks 500
memtierd_hwm_kb 90000
uptime 100.5`);
const AFTER = parseCounters(`pgmigrate_success 460
pgdemote_kswapd 150
pgdemote_direct 10
pgpromote_success 250
numa_hint_faults 1005
sys_ticks 1250
kdamond_ticks 30
memtierd_ticks 820
memtierd_hwm_kb 102400
uptime 108.5`);

Deno.test("parseSamples() reads the workload's once-a-second lines and nothing else", () => {
  const s = parseSamples(OUT);
  assertEquals(s.length, 8);
  assertEquals(s[2], { t: 2, accesses: 2000, phase: 0, hotFast: 0.95, coldSlow: 0.4, hit: 0.915 });
});

Deno.test("parseWords() splits k=v words", () => {
  assertEquals(
    [...parseWords("variant=write contender=ours-age-softdirty shift=20")],
    [["variant", "write"], ["contender", "ours-age-softdirty"], ["shift", "20"]],
  );
});

Deno.test("figuresOf() times 90 % from the start and from the shift, and weighs the hit ratio by accesses", () => {
  const end = "hotset: end least_moves=300 to_fast=200 to_slow=100 pingpong_sampled=5/200";
  const f = figuresOf(parseSamples(OUT), 3.5, BEFORE, AFTER, end);
  // Hit: (1000 x 0.52 + 1000 x 0.915 + 1000 x 0.95 + 2000 x 0.05 + 1000 x (0.76 + 0.84 + 0.92)) / 8000.
  const hit = (520 + 915 + 950 + 100 + 760 + 840 + 920) / 8000;
  // Steady: the last quarter of phase 0 (t >= 2.25: 1.0) and of phase 1 (t >= 6.25: 1.0).
  assertEquals(f, {
    t90Start: 2,
    t90Shift: 2.5,
    steadyHot: 1,
    coldSlowEnd: 0.8,
    hit,
    migrated: 450,
    promoted: 250,
    demoted: 160,
    leastMoves: 300,
    pingPong: 0.025,
    memtierdCpuS: 3.2,
    kdamondCpuS: 0.3,
    systemCpuS: 2.5,
    numaHintFaults: 1000,
    peakRssMiB: 100,
  });
});

Deno.test("figuresOf() says never when 90 % was not reached", () => {
  const s = parseSamples(OUT).map((x) => ({ ...x, hotFast: Math.min(x.hotFast, 0.5) }));
  const f = figuresOf(s, 3.5, BEFORE, AFTER, "");
  assertEquals([f.t90Start, f.t90Shift, f.leastMoves, f.pingPong], [null, null, 0, 0]);
});

Deno.test("figuresOf() and compareLine() say n/a for event counters a kernel does not count", () => {
  const drop = (m: Map<string, number>) =>
    new Map([...m].filter(([k]) => k !== "pgmigrate_success" && k !== "numa_hint_faults"));
  const f = figuresOf(parseSamples(OUT), 3.5, drop(BEFORE), drop(AFTER), "least_moves=300");
  assertEquals([f.migrated, f.numaHintFaults, f.promoted], [null, null, 250]);
  const line = compareLine("read", "ours-age-idlepage", f);
  assertOk(line.includes("  migrated n/a (promoted 250, demoted 160) least 300 = n/a  "));
  assertOk(line.includes(" hint-faults n/a  "));
});

Deno.test("modelledSlowdown() is the mean latency of 10 ns hits and 100 ns misses against all hits", () => {
  assertEquals([modelledSlowdown(1), modelledSlowdown(0), modelledSlowdown(0.9)], [1, 10, 1.9]);
});

Deno.test("compareLine() prints every figure of a contender", () => {
  const f = figuresOf(
    parseSamples(OUT),
    3.5,
    BEFORE,
    AFTER,
    "pingpong_sampled=5/200 least_moves=300",
  );
  assertEquals(
    compareLine("write", "kernel", f),
    "write kernel                      t90   2 s  after shift   3 s  hot 1.00  cold-slow 0.80  hit 0.626  " +
      "model 4.37x  migrated 450 (promoted 250, demoted 160) least 300 = 1.50x  ping-pong 2.5 %  " +
      "cpu memtierd 3.2 s kdamond 0.3 s system 2.5 s hint-faults 1000  rss 100 MiB",
  );
});

Deno.test("residencyChart() draws one line per contender and names each in the legend", () => {
  const s = parseSamples(OUT);
  const svg = residencyChart(
    "title",
    [{ name: "kernel", samples: s }, { name: "ours", samples: s }],
    8,
    3.5,
  );
  assertEquals(svg.match(/<polyline /g)?.length, 2);
  assertOk(svg.includes(">kernel</text>") && svg.includes(">ours</text>"));
  // The first point: t 0 at x 50, hot share 0 at the bottom (y 30 + 260).
  assertOk(svg.includes('points="50,290 '));
});
