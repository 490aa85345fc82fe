/**
 * The heat policy's heatmap: per process, sorted address ranges that never
 * overlap, each with a heat per page that new tracker counts add to and
 * that cools down while nothing is added.
 *
 * A counter of `a` accesses, `r` reads and `w` writes over `n` pages brings
 * heat `(a + r + w) / n` (at most HeatMax). Where it overlaps known ranges,
 * those are split at its ends, and each overlapped piece becomes
 * `new + old × HeatRetention^(seconds since the piece's last update)`, at
 * most HeatMax; the rest of the counter's range becomes new ranges. A
 * process that no counter of an update names is forgotten, unless the
 * update is told to keep it.
 *
 * A heat falls in class `floor(HeatClasses × heat / HeatMax)`, the top
 * class taking heat HeatMax too. HeatMax must be above 0 (the Go memtierd
 * put everything in class 0 when the Heatmap key was left out: here an
 * omitted key or field takes its default, 1.0, 0.9513 and 10).
 *
 * `HeatClassBounds: hottest` (ours; the Go memtierd has only the first
 * way, `heatmax`, the default) puts the bounds at shares of the heat that
 * the hottest 1 % of the pages reach instead, `floor(HeatClasses × heat /
 * hottest)` (a few pages hotter than that, such as a runtime's own busy
 * memory beside a working set, are in the top class and move no bound):
 * HeatMax then only caps the heat. A fixed HeatMax is a calibration for one workload's
 * access rate and one tracker's scan timing (a working set four times as
 * large, touched as often in total, scores a quarter as much per page); the
 * hottest range is measured on the same scale as the rest.
 *
 * `CountPerPage: false` (ours; default true, the Go memtierd's way) takes
 * a counter's count as the heat of each of its pages, not divided among
 * them: DAMON's `nr_accesses` says in how many samples a region was
 * accessed, a frequency that holds for every page of the region, and
 * divided by its pages it ranks a large hot region (DAMON merges the
 * hot set into few) below a small cold one.
 *
 * Pure: the caller gives the time of each update.
 *
 * @module
 */
import * as v from "valibot";
import { PAGE_SIZE_BYTES } from "../../common/units.ts";
import { bool } from "../../config/schema.ts";
import type { TrackerCounter } from "../../trackers/tracker.ts";
import type { Heats, RangeHeat } from "../policy.ts";

/** The heatmap's config keys (the Go memtierd's names). */
export interface HeatmapConfig {
  /** Heat a range cannot exceed; the top of the top class. */
  HeatMax: number;
  /** Share of the heat left after one second without accesses (0: none, 1: all). */
  HeatRetention: number;
  /** Number of heat classes, 0 .. HeatClasses-1. */
  HeatClasses: number;
  /** The class bounds: shares of HeatMax (absent: so), or of the hottest 1 % of the pages' heat. */
  HeatClassBounds?: "heatmax" | "hottest" | undefined;
  /** false: a counter's count is the heat of each of its pages (absent: true, count / pages). */
  CountPerPage?: boolean | undefined;
}

/** The defaults, for the Heatmap key and each of its fields. */
export const DEFAULT_HEATMAP_CONFIG: Readonly<HeatmapConfig> = {
  HeatMax: 1.0,
  HeatRetention: 0.9513,
  HeatClasses: 10,
};

const heatMaxMsg = "must be a number above 0, at most 1000000000";
const retentionMsg = "must be a number from 0 to 1";
const classesMsg = "must be a whole number from 1 to 1000";
const boundsMsg = 'must be "heatmax" or "hottest"';

/** The `Heatmap` entry of the heat policy's schema: omitted key or fields take the defaults. */
export const heatmapSchema = v.optional(
  v.strictObject({
    HeatMax: v.optional(
      v.pipe(v.number(heatMaxMsg), v.gtValue(0, heatMaxMsg), v.maxValue(1e9, heatMaxMsg)),
      DEFAULT_HEATMAP_CONFIG.HeatMax,
    ),
    HeatRetention: v.optional(
      v.pipe(v.number(retentionMsg), v.minValue(0, retentionMsg), v.maxValue(1, retentionMsg)),
      DEFAULT_HEATMAP_CONFIG.HeatRetention,
    ),
    HeatClasses: v.optional(
      v.pipe(
        v.number(classesMsg),
        v.integer(classesMsg),
        v.minValue(1, classesMsg),
        v.maxValue(1000, classesMsg),
      ),
      DEFAULT_HEATMAP_CONFIG.HeatClasses,
    ),
    HeatClassBounds: v.optional(
      v.pipe(
        v.string(boundsMsg),
        v.toLowerCase(),
        v.picklist(["heatmax", "hottest"] as const, boundsMsg),
      ),
    ),
    CountPerPage: v.optional(bool()),
  }),
  { ...DEFAULT_HEATMAP_CONFIG },
);

function endOf(r: RangeHeat): number {
  return r.addr + r.lengthPages * PAGE_SIZE_BYTES;
}

function piece(r: RangeHeat, addr: number, end: number): RangeHeat {
  return { ...r, addr, lengthPages: (end - addr) / PAGE_SIZE_BYTES };
}

/** Heats of address ranges, per process. */
export class Heatmap {
  readonly config: Readonly<HeatmapConfig>;
  #pids = new Map<number, RangeHeat[]>();

  constructor(config: Readonly<HeatmapConfig> = DEFAULT_HEATMAP_CONFIG) {
    if (!(config.HeatMax > 0)) {
      throw new RangeError(`HeatMax ${heatMaxMsg} (got ${config.HeatMax})`);
    }
    this.config = { ...config };
  }

  /** What the classes divide: HeatMax, or the hottest 1 % of the pages' heat (`classScale`). */
  scale(): number {
    return classScale(this.config, this.#pids.values());
  }

  /** The class of a heat: 0 .. HeatClasses-1 (`scale`: this.scale()). */
  classOf(heat: number, scale = this.scale()): number {
    return classOf(heat, scale, this.config.HeatClasses);
  }

  /** Processes in the heatmap, ascending. */
  pids(): number[] {
    return [...this.#pids.keys()].sort((a, b) => a - b);
  }

  /** Ranges of `pid` by address (the heatmap's own objects: do not change them). */
  ranges(pid: number): readonly RangeHeat[] {
    return this.#pids.get(pid) ?? [];
  }

  /** A copy of every range, for a forecaster. */
  heats(): Heats {
    const out: Heats = new Map();
    for (const pid of this.pids()) out.set(pid, this.ranges(pid).map((r) => ({ ...r })));
    return out;
  }

  /** Forgets a process. */
  remove(pid: number): void {
    this.#pids.delete(pid);
  }

  /**
   * Adds the counts of `counters`, taken at `nowMs` (wall clock, ms), and
   * forgets the processes neither a counter nor `keep` names. Counters
   * apply in their order.
   */
  update(
    counters: readonly TrackerCounter[],
    nowMs: number,
    keep: Iterable<number> = [],
  ): void {
    const seen = new Set<number>(keep);
    for (const c of counters) {
      seen.add(c.pid);
      const start = Math.floor(c.range.startAddr / PAGE_SIZE_BYTES) * PAGE_SIZE_BYTES;
      const end = Math.ceil(c.range.endAddr / PAGE_SIZE_BYTES) * PAGE_SIZE_BYTES;
      if (end <= start) continue;
      const lengthPages = (end - start) / PAGE_SIZE_BYTES;
      const count = c.accesses + c.reads + c.writes;
      const perPage = this.config.CountPerPage === false ? count : count / lengthPages;
      const heat = Math.min(this.config.HeatMax, perPage);
      this.#add(c.pid, { addr: start, lengthPages, heat, createdMs: nowMs, updatedMs: nowMs });
    }
    for (const pid of [...this.#pids.keys()]) if (!seen.has(pid)) this.#pids.delete(pid);
  }

  #add(pid: number, n: RangeHeat): void {
    let list = this.#pids.get(pid);
    if (!list) this.#pids.set(pid, list = []);
    const nEnd = endOf(n);
    // First range that ends after the new one starts (binary search).
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (endOf(list[mid]!) > n.addr) hi = mid;
      else lo = mid + 1;
    }
    let last = lo;
    while (last < list.length && list[last]!.addr < nEnd) last++;
    const replaced: RangeHeat[] = [];
    let at = n.addr; // the new range is handled below `at`
    for (let i = lo; i < last; i++) {
      const old = list[i]!;
      const oEnd = endOf(old);
      if (old.addr < n.addr) replaced.push(piece(old, old.addr, n.addr));
      const s = Math.max(old.addr, n.addr);
      if (at < s) replaced.push(piece(n, at, s));
      const e = Math.min(oEnd, nEnd);
      const seconds = Math.max(0, (n.updatedMs - old.updatedMs) / 1000);
      replaced.push({
        addr: s,
        lengthPages: (e - s) / PAGE_SIZE_BYTES,
        heat: Math.min(
          this.config.HeatMax,
          n.heat + old.heat * Math.pow(this.config.HeatRetention, seconds),
        ),
        createdMs: old.createdMs,
        updatedMs: Math.max(old.updatedMs, n.updatedMs),
      });
      if (oEnd > nEnd) replaced.push(piece(old, nEnd, oEnd));
      at = e;
    }
    if (at < nEnd) replaced.push(piece(n, at, nEnd));
    list.splice(lo, last - lo, ...replaced);
  }

  /** `policy -dump heatmap`: one line per range. */
  dump(): string {
    const lines = ["heatmap:"];
    const scale = this.scale();
    for (const pid of this.pids()) {
      this.ranges(pid).forEach((r, i) => {
        lines.push(
          `pid: ${pid}: ${i} {${r.addr.toString(16)}-${endOf(r).toString(16)}(${r.lengthPages}),${
            r.heat.toFixed(6)
          },${r.createdMs},${((r.updatedMs - r.createdMs) / 1000).toFixed(3)}s} (class ${
            this.classOf(r.heat, scale)
          })`,
        );
      });
    }
    return lines.join("\n");
  }
}

/** Share of the pages whose heat `HeatClassBounds: hottest` takes as the top of the classes. */
export const HOTTEST_SHARE = 0.01;

/**
 * What the classes of `config` divide: HeatMax, or with `HeatClassBounds:
 * hottest` the heat that the hottest `HOTTEST_SHARE` of the pages of
 * `ranges` reach (0 when none is warm: then every range is in class 0).
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert";
 * import { classOf, classScale, DEFAULT_HEATMAP_CONFIG } from "./heatmap.ts";
 * const config = { ...DEFAULT_HEATMAP_CONFIG, HeatMax: 100, HeatClassBounds: "hottest" as const };
 * const r = (heat: number, lengthPages: number) => ({
 *   addr: 0,
 *   lengthPages,
 *   heat,
 *   createdMs: 0,
 *   updatedMs: 0,
 * });
 * // 2 pages at 90 are fewer than 1 % of 1002: the scale is the next range's 0.4.
 * const scale = classScale(config, [[r(90, 2), r(0.4, 100), r(0.1, 900)]]);
 * strictEqual(scale, 0.4);
 * strictEqual(classOf(0.1, scale, 10), 2);
 * strictEqual(classOf(0.4, scale, 10), 9);
 * ```
 */
export function classScale(
  config: Readonly<HeatmapConfig>,
  ranges: Iterable<readonly RangeHeat[]>,
): number {
  if (config.HeatClassBounds !== "hottest") return config.HeatMax;
  const all: RangeHeat[] = [];
  let total = 0;
  for (const list of ranges) {
    for (const r of list) {
      all.push(r);
      total += r.lengthPages;
    }
  }
  all.sort((a, b) => b.heat - a.heat);
  let seen = 0;
  for (const r of all) {
    seen += r.lengthPages;
    if (seen >= HOTTEST_SHARE * total) return Math.max(0, r.heat);
  }
  return 0;
}

/**
 * The class of `heat` among `classes` classes up to `heatMax`.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert";
 * import { classOf } from "./heatmap.ts";
 * strictEqual(classOf(0.25, 1, 10), 2);
 * strictEqual(classOf(1, 1, 10), 9); // HeatMax is in the top class
 * ```
 */
export function classOf(heat: number, heatMax: number, classes: number): number {
  if (!(heatMax > 0) || !(heat > 0)) return 0;
  return Math.min(classes - 1, Math.floor(classes * heat / heatMax));
}
