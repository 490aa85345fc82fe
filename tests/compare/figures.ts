/**
 * The comparison's figures from what a run left (tests/compare/lib.bash):
 * the workload's `hotset:` lines, the kernel's counters before and after
 * the accesses, and the run's meta line. Pure: text in, figures and lines
 * and SVG out. Every figure is the kernel's view (move_pages, /proc/vmstat,
 * /proc/PID/stat), none is memtierd's own report.
 *
 * @module
 */
import { nodeColor, r, svgDocument, svgRect, svgText } from "../../src/pictures/svg.ts";

/** One `hotset:` line of the workload. */
export interface Sample {
  t: number;
  accesses: number;
  phase: number;
  hotFast: number;
  coldSlow: number;
  hit: number;
}

/** The once-a-second lines of the workload's output. */
export function parseSamples(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split("\n")) {
    const m =
      /^hotset: t=([\d.]+) accesses=(\d+) phase=(\d) hot_fast=([\d.]+) cold_slow=([\d.]+) hit=([\d.]+)/
        .exec(line);
    if (!m) continue;
    out.push({
      t: Number(m[1]),
      accesses: Number(m[2]),
      phase: Number(m[3]),
      hotFast: Number(m[4]),
      coldSlow: Number(m[5]),
      hit: Number(m[6]),
    });
  }
  return out;
}

/** `name value` lines (compare-counters, a .meta line's `k=v` words) into a map. */
export function parseCounters(text: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const line of text.split("\n")) {
    const f = line.trim().split(/\s+/);
    if (f.length === 2 && /^-?[\d.]+$/.test(f[1]!)) m.set(f[0]!, Number(f[1]));
  }
  return m;
}

/** The `k=v` words of a line. */
export function parseWords(line: string): Map<string, string> {
  return new Map(
    line.trim().split(/\s+/).filter((w) => w.includes("=")).map((w) => {
      const i = w.indexOf("=");
      return [w.slice(0, i), w.slice(i + 1)] as [string, string];
    }),
  );
}

/** What one contender achieved. */
export interface Figures {
  /** Seconds from the start until 90 % of the hot set was on the fast tier; null: never. */
  t90Start: number | null;
  /** Seconds from the shift until 90 % of the new hot set was on the fast tier; null: never. */
  t90Shift: number | null;
  /** Mean hot-set share on the fast tier over the last quarter of each phase. */
  steadyHot: number;
  /** Share of the cold pages on the slow tier at the end. */
  coldSlowEnd: number;
  /** Fast-tier hit ratio, weighted by the accesses of each second. */
  hit: number;
  /** pgmigrate_success; null where the kernel counts no VM events. */
  migrated: number | null;
  promoted: number;
  demoted: number;
  /** Least migrations from the starting placement to the final one. */
  leastMoves: number;
  /** Sampled pages that changed tier 3 times or more, as a share of the sampled pages. */
  pingPong: number;
  /** CPU seconds: memtierd (utime+stime), kdamond threads, all system time. */
  memtierdCpuS: number;
  kdamondCpuS: number;
  systemCpuS: number;
  /** null where the kernel counts no VM events. */
  numaHintFaults: number | null;
  /** memtierd's peak RSS in MiB (VmHWM), 0 without memtierd. */
  peakRssMiB: number;
}

const TICKS_PER_S = 100;

function delta(before: Map<string, number>, after: Map<string, number>, key: string): number {
  return (after.get(key) ?? 0) - (before.get(key) ?? 0);
}

/** The delta of an event counter, null when the kernel does not count it. */
function eventDelta(
  before: Map<string, number>,
  after: Map<string, number>,
  key: string,
): number | null {
  return after.has(key) ? delta(before, after, key) : null;
}

/** The first second, counted from `from`, at which a sample of `phase` had 90 % of the hot set on the fast tier. */
function t90(samples: readonly Sample[], phase: number, from: number): number | null {
  const s = samples.find((x) => x.phase === phase && x.t >= from && x.hotFast >= 0.9);
  return s ? Math.round((s.t - from) * 10) / 10 : null;
}

/** The figures of one run. */
export function figuresOf(
  samples: readonly Sample[],
  shiftS: number,
  before: Map<string, number>,
  after: Map<string, number>,
  endLine: string,
): Figures {
  const steady: number[] = [];
  for (const phase of [0, 1]) {
    const ps = samples.filter((s) => s.phase === phase);
    if (ps.length === 0) continue;
    const first = ps[0]!.t;
    const last = ps[ps.length - 1]!.t;
    const from = last - (last - first) / 4;
    for (const s of ps) if (s.t >= from) steady.push(s.hotFast);
  }
  let weighted = 0;
  let total = 0;
  for (let i = 1; i < samples.length; i++) {
    const n = samples[i]!.accesses - samples[i - 1]!.accesses;
    weighted += n * samples[i]!.hit;
    total += n;
  }
  const end = parseWords(endLine);
  const [pp, sampled] = (end.get("pingpong_sampled") ?? "0/0").split("/").map(Number);
  const demoted = ["pgdemote_kswapd", "pgdemote_direct", "pgdemote_khugepaged"]
    .reduce((a, k) => a + delta(before, after, k), 0);
  return {
    t90Start: t90(samples, 0, 0),
    t90Shift: t90(samples, 1, shiftS),
    steadyHot: steady.length ? steady.reduce((a, b) => a + b, 0) / steady.length : 0,
    coldSlowEnd: samples.length ? samples[samples.length - 1]!.coldSlow : 0,
    hit: total > 0 ? weighted / total : 0,
    migrated: eventDelta(before, after, "pgmigrate_success"),
    promoted: delta(before, after, "pgpromote_success"),
    demoted,
    leastMoves: Number(end.get("least_moves") ?? 0),
    pingPong: sampled ? pp! / sampled : 0,
    memtierdCpuS: delta(before, after, "memtierd_ticks") / TICKS_PER_S,
    kdamondCpuS: delta(before, after, "kdamond_ticks") / TICKS_PER_S,
    systemCpuS: delta(before, after, "sys_ticks") / TICKS_PER_S,
    numaHintFaults: eventDelta(before, after, "numa_hint_faults"),
    peakRssMiB: Math.round((after.get("memtierd_hwm_kb") ?? 0) / 1024),
  };
}

/** HMAT latencies of the VM (ns): fast and slow tier. */
export const FAST_NS = 10;
export const SLOW_NS = 100;

/** A model, not a measurement: mean memory latency at hit ratio `hit`, against all-fast. */
export function modelledSlowdown(hit: number): number {
  return (hit * FAST_NS + (1 - hit) * SLOW_NS) / FAST_NS;
}

function secs(s: number | null): string {
  return s === null ? "never" : `${s.toFixed(0)} s`;
}

/** The `compare:` line of one contender (without the `compare: ` prefix). */
export function compareLine(variant: string, contender: string, f: Figures): string {
  const ratio = f.migrated === null
    ? "n/a"
    : f.leastMoves > 0
    ? `${(f.migrated / f.leastMoves).toFixed(2)}x`
    : "-";
  return [
    `${variant.padEnd(5)} ${contender.padEnd(26)}`,
    `t90 ${secs(f.t90Start).padStart(5)}`,
    `after shift ${secs(f.t90Shift).padStart(5)}`,
    `hot ${f.steadyHot.toFixed(2)}`,
    `cold-slow ${f.coldSlowEnd.toFixed(2)}`,
    `hit ${f.hit.toFixed(3)}`,
    `model ${modelledSlowdown(f.hit).toFixed(2)}x`,
    `migrated ${
      f.migrated ?? "n/a"
    } (promoted ${f.promoted}, demoted ${f.demoted}) least ${f.leastMoves} = ${ratio}`,
    `ping-pong ${(100 * f.pingPong).toFixed(1)} %`,
    `cpu memtierd ${f.memtierdCpuS.toFixed(1)} s kdamond ${f.kdamondCpuS.toFixed(1)} s system ${
      f.systemCpuS.toFixed(1)
    } s hint-faults ${f.numaHintFaults ?? "n/a"}`,
    `rss ${f.peakRssMiB} MiB`,
  ].join("  ");
}

/**
 * An SVG chart: the hot set's share on the fast tier over time, one line per
 * contender, a dashed line at the shift.
 */
export function residencyChart(
  title: string,
  series: readonly { name: string; samples: readonly Sample[] }[],
  ttlS: number,
  shiftS: number,
): string {
  const left = 50;
  const top = 30;
  const w = 560;
  const h = 260;
  const legendX = left + w + 20;
  const x = (t: number) => left + (w * t) / Math.max(1, ttlS);
  const y = (v: number) => top + h * (1 - v);
  const body: string[] = [svgText(left, 18, title)];
  body.push(svgRect(left, top, w, h, "#f7f7f7"));
  for (const v of [0, 0.25, 0.5, 0.75, 0.9, 1]) {
    body.push(
      `<line x1="${r(left)}" y1="${r(y(v))}" x2="${r(left + w)}" y2="${
        r(y(v))
      }" stroke="#dddddd"/>`,
      svgText(left - 6, y(v) + 4, v.toFixed(2), "end"),
    );
  }
  for (let t = 0; t <= ttlS; t += ttlS > 120 ? 30 : 10) {
    body.push(svgText(x(t), top + h + 16, `${t}`, "middle"));
  }
  body.push(svgText(left + w / 2, top + h + 32, "seconds since the accesses started", "middle"));
  body.push(
    `<line x1="${r(x(shiftS))}" y1="${r(top)}" x2="${r(x(shiftS))}" y2="${
      r(top + h)
    }" stroke="#444444" stroke-dasharray="4 3"/>`,
    svgText(x(shiftS) + 4, top + 12, "hot set shifts"),
  );
  series.forEach((s, i) => {
    const color = nodeColor(i);
    // Eight colours: the next eight lines are dashed.
    const dash = i >= 8 ? ` stroke-dasharray="6 3"` : "";
    const points = s.samples.map((p) => `${r(x(p.t))},${r(y(p.hotFast))}`).join(" ");
    body.push(
      `<polyline fill="none" stroke="${color}" stroke-width="2"${dash} points="${points}"/>`,
    );
    body.push(
      `<line x1="${r(legendX)}" y1="${r(top + 8 + 18 * i)}" x2="${r(legendX + 20)}" y2="${
        r(top + 8 + 18 * i)
      }" stroke="${color}" stroke-width="3"${dash}/>`,
      svgText(legendX + 26, top + 12 + 18 * i, s.name),
    );
  });
  body.push(
    svgText(
      left,
      top + h + 50,
      "y: share of the hot set on the fast tier (move_pages samples of the workload)",
    ),
  );
  return svgDocument(legendX + 200, top + h + 60, body);
}
