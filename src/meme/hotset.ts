/**
 * `meme hotset`: a workload that knows its hot set, for comparing tiering
 * policies (tests/compare). The pure parts: options, where the hot set is,
 * which pages a round touches, which pages are sampled, what the samples
 * say, and the line printed every second.
 *
 * The working set is one array of W pages. The hot set is H pages (`-hot`
 * percent of W), first the last H pages, after `-shift` the H pages before
 * them. A round touches every hot page once and, so that `-hot-access`
 * percent of all touches go to hot pages, the next `H * (100 - a) / a` cold
 * pages from a cursor that cycles through the cold pages: with 10 % hot and
 * 90 % of the touches, a hot page is touched 81 times as often as a cold one.
 * A touch reads one 32-bit word of the page, or (`-write`) writes it back
 * unchanged, so the `-pattern` data stays verifiable.
 *
 * @module
 */
import { MemeUsageError, parseDurationNs, parseSizeBytes } from "./options.ts";
import { PAGE_BYTES } from "./pattern.ts";

/** What `meme hotset` was asked to do. */
export interface HotsetOptions {
  workingSetBytes: number;
  /** Share of the working set's pages that are hot, in percent. */
  hotPercent: number;
  /** Share of all touches that go to hot pages, in percent. */
  hotAccessPercent: number;
  /** Write the touched words (back, unchanged) instead of only reading them. */
  write: boolean;
  /** When the hot set moves, from the start of the accesses; undefined: never. */
  shiftAtNs: number | undefined;
  /** How long the accesses run. */
  ttlNs: number;
  /** Pause after each round, so that the workload leaves CPU to the tiering. */
  roundPauseNs: number;
  /** Most pages sampled per set (hot, cold) for each placement line. */
  samplePages: number;
  /** Fast-tier nodes; undefined: the nodes with CPUs. */
  fastNodes: number[] | undefined;
  /** Starting placement: `cold-fast` puts cold pages on the fast tier (as far as they fit) and the hot set on the slow one. */
  place: "none" | "cold-fast";
  /** Memory left free on each fast node by `-place cold-fast`. */
  fastReserveBytes: number;
  patternSeed: number;
  /** Wait for a `start` line on stdin after placing, before the accesses. */
  waitStart: boolean;
}

/** The flags of `meme hotset`, their defaults and help. */
export const HOTSET_FLAGS: readonly { name: string; value: string; help: string }[] = [
  { name: "ws", value: "256M", help: "working set size (k, M or G), a multiple of 4k" },
  { name: "hot", value: "10", help: "hot pages, percent of the working set (1-50)" },
  {
    name: "hot-access",
    value: "90",
    help: "share of the touches that go to hot pages, percent (1-99)",
  },
  {
    name: "write",
    value: "false",
    help: "true: write the touched words (soft-dirty sees writes only)",
  },
  { name: "shift", value: "", help: "move the hot set to the pages before it after T (e.g. 60s)" },
  { name: "ttl", value: "120s", help: "run the accesses this long, then verify and exit" },
  { name: "pause", value: "20ms", help: "pause after each round" },
  { name: "sample", value: "2048", help: "pages sampled per set (hot, cold) each second" },
  { name: "fast", value: "", help: "fast-tier nodes (0,1); default: the nodes with CPUs" },
  { name: "place", value: "cold-fast", help: "starting placement: cold-fast or none" },
  {
    name: "fast-reserve",
    value: "64M",
    help: "memory -place cold-fast leaves free on each fast node",
  },
  { name: "pattern", value: "1", help: "seed of the verifiable data (0-4294967295)" },
  {
    name: "wait-start",
    value: "false",
    help: "true: after placing, wait for a `start` line on stdin",
  },
];

/** The usage text of `meme hotset -help`. */
export function hotsetHelp(): string {
  const lines = HOTSET_FLAGS.map((f) =>
    `  -${f.name} (default ${f.value || "none"})\n      ${f.help}`
  );
  return `meme hotset: a workload that knows its hot set, for comparing tiering

Usage: meme hotset [flags]

Fills a working set with verifiable data, places it (-place), then touches
its pages in rounds, a hot set far more often than the rest, and prints every
second "hotset: t=S accesses=N phase=0|1 hot_fast=F cold_slow=F hit=F
absent=N" from move_pages queries on a sample of its pages: the share of hot
pages on fast-tier nodes, of cold pages on slow-tier nodes, and the expected
share of touches that hit the fast tier. After -ttl it checks every page and
prints "verify: OK ..." (exit 0) or "verify: FAILED ..." (exit 1).

Flags (-flag VALUE, -flag=VALUE; -write and -wait-start alone mean true):
${lines.join("\n")}
`;
}

function percent(flag: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || n > max) {
    throw new MemeUsageError(
      `Invalid -${flag} ${JSON.stringify(text)}: expected a whole number ${min}-${max}`,
    );
  }
  return n;
}

function bool(flag: string, text: string): boolean {
  if (text === "true") return true;
  if (text === "false") return false;
  throw new MemeUsageError(`Invalid -${flag} ${JSON.stringify(text)}: expected true or false`);
}

/**
 * Parses the arguments after `meme hotset`. Throws MemeUsageError.
 *
 * @example
 * ```ts
 * import { assertEquals } from "../testing/assert.ts";
 * import { parseHotsetArgs } from "./hotset.ts";
 * assertEquals(parseHotsetArgs(["-ws", "64M", "-write"]).workingSetBytes, 67108864);
 * ```
 */
export function parseHotsetArgs(args: readonly string[]): HotsetOptions {
  const values = new Map(HOTSET_FLAGS.map((f) => [f.name, f.value]));
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const m = /^--?([a-z-]+)(?:=(.*))?$/s.exec(arg);
    if (!m) {
      throw new MemeUsageError(
        `Unexpected argument ${JSON.stringify(arg)}: meme hotset takes only flags`,
      );
    }
    const name = m[1]!;
    if (!values.has(name)) {
      throw new MemeUsageError(`Unknown flag -${name} of meme hotset (see meme -help)`);
    }
    let value = m[2];
    if (value === undefined && (name === "write" || name === "wait-start")) value = "true";
    if (value === undefined) {
      value = args[++i];
      if (value === undefined) throw new MemeUsageError(`Flag -${name} needs a value`);
    }
    values.set(name, value);
  }
  const v = (name: string) => values.get(name)!;
  const workingSetBytes = parseSizeBytes("-ws", v("ws"));
  if (workingSetBytes === 0 || workingSetBytes % PAGE_BYTES !== 0) {
    throw new MemeUsageError(`Invalid -ws ${v("ws")}: expected a non-zero multiple of 4k`);
  }
  const place = v("place");
  if (place !== "none" && place !== "cold-fast") {
    throw new MemeUsageError(`Invalid -place ${JSON.stringify(place)}: expected cold-fast or none`);
  }
  let fastNodes: number[] | undefined;
  if (v("fast") !== "") {
    if (!/^\d+(,\d+)*$/.test(v("fast"))) {
      throw new MemeUsageError(
        `Invalid -fast ${JSON.stringify(v("fast"))}: expected node ids like 0,1`,
      );
    }
    fastNodes = v("fast").split(",").map(Number);
  }
  const seed = v("pattern");
  if (!/^\d+$/.test(seed) || Number(seed) > 0xffffffff) {
    throw new MemeUsageError(`Invalid -pattern ${JSON.stringify(seed)}: expected 0-4294967295`);
  }
  const samplePages = Number(v("sample"));
  if (!/^\d+$/.test(v("sample")) || samplePages < 1) {
    throw new MemeUsageError(
      `Invalid -sample ${JSON.stringify(v("sample"))}: expected a whole number >= 1`,
    );
  }
  const options: HotsetOptions = {
    workingSetBytes,
    hotPercent: percent("hot", v("hot"), 1, 50),
    hotAccessPercent: percent("hot-access", v("hot-access"), 1, 99),
    write: bool("write", v("write")),
    shiftAtNs: v("shift") === "" ? undefined : parseDurationNs("-shift", v("shift")),
    ttlNs: parseDurationNs("-ttl", v("ttl")),
    roundPauseNs: parseDurationNs("-pause", v("pause")),
    samplePages,
    fastNodes,
    place,
    fastReserveBytes: parseSizeBytes("-fast-reserve", v("fast-reserve")),
    patternSeed: Number(seed),
    waitStart: bool("wait-start", v("wait-start")),
  };
  if (hotLayout(options).hotPages < 1) {
    throw new MemeUsageError(
      `Invalid -ws ${v("ws")} with -hot ${v("hot")}: the hot set has no page`,
    );
  }
  return options;
}

/** Page counts of the working set and its hot set. */
export interface HotLayout {
  pages: number;
  hotPages: number;
  /** Cold pages touched per round. */
  coldPerRound: number;
}

/** The sizes that follow from the options. */
export function hotLayout(
  o: Pick<HotsetOptions, "workingSetBytes" | "hotPercent" | "hotAccessPercent">,
): HotLayout {
  const pages = Math.floor(o.workingSetBytes / PAGE_BYTES);
  const hotPages = Math.floor((pages * o.hotPercent) / 100);
  const coldPerRound = Math.min(
    pages - hotPages,
    Math.round((hotPages * (100 - o.hotAccessPercent)) / o.hotAccessPercent),
  );
  return { pages, hotPages, coldPerRound };
}

/** The first hot page in phase 0 (before the shift) or 1 (after it). */
export function hotStart(layout: HotLayout, phase: 0 | 1): number {
  return layout.pages - layout.hotPages * (phase + 1);
}

/** The page of cold ordinal `k` (0 .. pages - hotPages - 1) while the hot set starts at `start`. */
export function coldPage(layout: HotLayout, start: number, k: number): number {
  return k < start ? k : k + layout.hotPages;
}

/**
 * `n` indexes spread evenly over 0..count-1 (all of them when n >= count),
 * the same every time: a sample that follows the same pages.
 */
export function strided(count: number, n: number): number[] {
  if (n >= count) return Array.from({ length: count }, (_, i) => i);
  return Array.from({ length: n }, (_, i) => Math.floor(((i + 0.5) * count) / n));
}

/** The pages sampled in a phase: hot pages and cold pages. */
export function samplePages(
  layout: HotLayout,
  phase: 0 | 1,
  n: number,
): { hot: number[]; cold: number[] } {
  const start = hotStart(layout, phase);
  return {
    hot: strided(layout.hotPages, n).map((i) => start + i),
    cold: strided(layout.pages - layout.hotPages, n).map((k) => coldPage(layout, start, k)),
  };
}

/** What one round of samples said. */
export interface Placement {
  /** Share of the sampled hot pages on fast-tier nodes. */
  hotFast: number;
  /** Share of the sampled cold pages on other (slow-tier) nodes. */
  coldSlow: number;
  /** Share of the sampled cold pages on fast-tier nodes. */
  coldFast: number;
  /** Expected share of touches that hit the fast tier: hot-access share x hotFast + the rest x coldFast. */
  hit: number;
  /** Sampled pages not present (swapped out, or an error), hot and cold together. */
  absent: number;
}

/** Summarizes move_pages statuses (node, or a negative errno) of the hot and cold samples. */
export function summarizePlacement(
  hot: Int32Array,
  cold: Int32Array,
  fastNodes: readonly number[],
  hotAccessPercent: number,
): Placement {
  const fast = new Set(fastNodes);
  let absent = 0;
  const count = (s: Int32Array) => {
    let f = 0;
    let slow = 0;
    for (const n of s) {
      if (n < 0) absent++;
      else if (fast.has(n)) f++;
      else slow++;
    }
    return { f, slow };
  };
  const h = count(hot);
  const c = count(cold);
  const share = (x: number, of: number) => (of > 0 ? x / of : 0);
  const hotFast = share(h.f, hot.length);
  const coldFast = share(c.f, cold.length);
  const a = hotAccessPercent / 100;
  return {
    hotFast,
    coldSlow: share(c.slow, cold.length),
    coldFast,
    hit: a * hotFast + (1 - a) * coldFast,
    absent,
  };
}

/**
 * The line printed every second.
 *
 * @example
 * ```ts
 * import { assertEquals } from "../testing/assert.ts";
 * import { hotsetLine } from "./hotset.ts";
 * assertEquals(
 *   hotsetLine(2.5, 1000, 0, { hotFast: 1, coldSlow: 0.25, coldFast: 0.75, hit: 0.975, absent: 0 }),
 *   "hotset: t=2.5 accesses=1000 phase=0 hot_fast=1.000 cold_slow=0.250 hit=0.975 absent=0",
 * );
 * ```
 */
export function hotsetLine(seconds: number, accesses: number, phase: 0 | 1, p: Placement): string {
  return `hotset: t=${seconds.toFixed(1)} accesses=${accesses} phase=${phase} hot_fast=${
    p.hotFast.toFixed(3)
  } cold_slow=${p.coldSlow.toFixed(3)} hit=${p.hit.toFixed(3)} absent=${p.absent}`;
}

/**
 * The starting placement of `-place cold-fast`: the target node of every
 * page. Cold pages fill the fast nodes in array order (`fastPages[i]` pages
 * on `fastNodes[i]`); everything else, hot sets of both phases included,
 * goes to the slow nodes, split into equal runs.
 */
export function coldFastPlan(
  layout: HotLayout,
  fastNodes: readonly number[],
  fastPages: readonly number[],
  slowNodes: readonly number[],
): Int32Array {
  const target = new Int32Array(layout.pages);
  const firstHot = hotStart(layout, 1);
  let page = 0;
  for (let i = 0; i < fastNodes.length; i++) {
    const end = Math.min(firstHot, page + (fastPages[i] ?? 0));
    for (; page < end; page++) target[page] = fastNodes[i]!;
  }
  const rest = layout.pages - page;
  const run = Math.ceil(rest / Math.max(1, slowNodes.length));
  for (let k = 0; page < layout.pages; page++, k++) {
    target[page] = slowNodes[Math.floor(k / run)] ?? -1;
  }
  return target;
}

/**
 * The least migrations that turn the placement `before` into `after` (node
 * or negative errno per page): the pages whose tier differs, by direction.
 * Absent pages (negative) count on neither tier.
 */
export function tierChanges(
  before: Int32Array,
  after: Int32Array,
  fastNodes: readonly number[],
): { toFast: number; toSlow: number } {
  const fast = new Set(fastNodes);
  let toFast = 0;
  let toSlow = 0;
  for (let i = 0; i < before.length; i++) {
    const b = before[i]!;
    const a = after[i]!;
    if (b < 0 || a < 0) continue;
    if (!fast.has(b) && fast.has(a)) toFast++;
    else if (fast.has(b) && !fast.has(a)) toSlow++;
  }
  return { toFast, toSlow };
}

/**
 * Counts tier changes of sampled pages from one query to the next: `tiers`
 * holds each page's last tier (1 fast, 0 slow, -1 unknown), `changes` how
 * often it changed; both are updated in place.
 */
export function countTierChanges(
  status: Int32Array,
  fastNodes: readonly number[],
  tiers: Int8Array,
  changes: Uint16Array,
): void {
  for (let i = 0; i < status.length; i++) {
    const s = status[i]!;
    if (s < 0) continue;
    const t = fastNodes.includes(s) ? 1 : 0;
    if (tiers[i]! >= 0 && tiers[i] !== t && changes[i]! < 0xffff) changes[i]!++;
    tiers[i] = t;
  }
}

/**
 * The last line: the least migrations from the starting placement to the
 * final one, and the sampled pages that changed tier 3 times or more (one
 * change there and one back is what a shift asks of the old hot set).
 *
 * @example
 * ```ts
 * import { assertEquals } from "../testing/assert.ts";
 * import { endLine } from "./hotset.ts";
 * assertEquals(
 *   endLine({ toFast: 10, toSlow: 4 }, 2, 100),
 *   "hotset: end least_moves=14 to_fast=10 to_slow=4 pingpong_sampled=2/100",
 * );
 * ```
 */
export function endLine(
  least: { toFast: number; toSlow: number },
  pingPong: number,
  sampled: number,
): string {
  return `hotset: end least_moves=${
    least.toFast + least.toSlow
  } to_fast=${least.toFast} to_slow=${least.toSlow} ` +
    `pingpong_sampled=${pingPong}/${sampled}`;
}
