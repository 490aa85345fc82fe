/**
 * The `idlepage` tracker: which regions were read or written since the last
 * scan, from /sys/kernel/mm/page_idle/bitmap (needs a kernel built with
 * CONFIG_IDLE_PAGE_TRACKING). A scan takes each pagemap chunk's frames
 * in spans of nearby frames: per span one read of /proc/kpageflags, one of
 * the idle bits, and one write marking the scanned frames idle again for
 * the next round, with the bits of those frames only (the Go one wrote all
 * ones, marking other processes' neighbouring frames idle too). A frame
 * that is not idle counts as accessed unless it is the tail of a compound
 * page (a transparent huge page's tails never carry the idle bit: the head
 * stands for it). Reports accesses (reads and writes alike).
 *
 * The kernel returns the bitmap in whole 64-frame words only: when the last
 * page frame is not at the end of a word, the frames of that last, partial
 * word have no readable bits (a read there returns nothing, a write returns
 * 0 bytes). Those frames are left out of the scan (not counted either way),
 * instead of ending the tracking of a process that has a page there.
 *
 * Config (Go keys; defaults for omitted ones): PagesInRegion 512,
 * MaxCountPerRegion 1 (0 = PagesInRegion), ScanIntervalMs 5000,
 * RegionsUpdateMs 10000 (0 = before every scan); PagemapReadahead,
 * KpageflagsReadahead, BitmapReadahead (0 = default, -1 = none) are taken
 * for compatibility: all three files are read in bulk per chunk anyway.
 *
 * @module
 */
import * as v from "valibot";
import { intInRange, parseWithSchema } from "../config/schema.ts";
import { UnsupportedError } from "../errors.ts";
import type { ComponentDeps, ComponentFactory } from "../lifecycle/deps.ts";
import { KpageflagsFile } from "../procfs/kpageflags.ts";
import { entryPfn, PM } from "../procfs/pagemap.ts";
import { PageIdleBitmap, readableIdleFrames } from "../sysfs/page_idle.ts";
import { ACCESSED, PageTracker, SCANNED } from "./page_tracker.ts";
import { pageTrackerFields } from "./softdirty.ts";
import type { Tracker } from "./tracker.ts";

const schema = v.strictObject({
  ...pageTrackerFields,
  KpageflagsReadahead: v.optional(intInRange(-1, 65536), 0),
  BitmapReadahead: v.optional(intInRange(-1, 65536), 0),
});

/** The `idlepage` config, defaults filled in. */
export type IdlePageConfig = v.InferOutput<typeof schema>;

const KPF_COMPOUND_TAIL = 1 << 16;
/**
 * Widest span of frames read at once: 8192 frames = 64 KiB of kpageflags
 * and 128 words (1 KiB) of the idle bitmap.
 */
const SPAN_FRAMES = 8192;
/**
 * Largest step between two frames of one span: the frames between them
 * are read for nothing, 1 KiB of kpageflags at most, less than the system
 * calls of a span of their own.
 */
const MAX_GAP_FRAMES = 128;
/**
 * A chunk whose frames come in spans of fewer than this on average (memory
 * handed out piecemeal: on a host up for long, runs of 4 frames) is sorted
 * by frame first: one numeric sort of the chunk costs less than the reads
 * of that many spans, and sorted frames gather into few spans.
 */
const SORT_BELOW_FRAMES_PER_SPAN = 64;
/**
 * (frame, entry) pairs as one number to sort: frame * KEY_SCALE + entry,
 * exact in a double while frames stay below 2^35 (a chunk has at most
 * MAX_REGION_PAGES = 2^18 entries).
 */
const KEY_SCALE = 262144;

/** The lowest and highest frame of the span `spanEnd` found. */
const spanBounds = new Float64Array(2);

/**
 * Where the span of frames from `pfns[s]` ends (exclusive): frames within
 * MAX_GAP_FRAMES of the one before, within SPAN_FRAMES from lowest to
 * highest (in either direction: the kernel hands frames out ascending or
 * descending). Its bounds go to `spanBounds`.
 */
function spanEnd(pfns: Float64Array, s: number, m: number): number {
  let lo = pfns[s]!;
  let hi = lo;
  let prev = lo;
  let t = s + 1;
  for (; t < m; t++) {
    const p = pfns[t]!;
    const step = p - prev;
    if (step > MAX_GAP_FRAMES || step < -MAX_GAP_FRAMES) break;
    const nlo = p < lo ? p : lo;
    const nhi = p > hi ? p : hi;
    if (nhi - nlo >= SPAN_FRAMES) break;
    lo = nlo;
    hi = nhi;
    prev = p;
  }
  spanBounds[0] = lo;
  spanBounds[1] = hi;
  return t;
}

/** Counts pages accessed per region through the idle page bitmap. */
export class IdlePageTracker extends PageTracker {
  readonly config: IdlePageConfig;
  /** Frames below this have readable idle bits (found at the first scan after start). */
  #endPfn: number | undefined;
  // Buffers kept between chunks: a chunk's frames and entry indices, one
  // span's flags (two halves per frame), its idle words and the bits to set.
  #pfns = new Float64Array(0);
  #entry = new Int32Array(0);
  #keys = new Float64Array(0);
  readonly #flags = new Uint32Array(2 * SPAN_FRAMES);
  readonly #words = new Uint32Array(2 * (SPAN_FRAMES / 64 + 1));
  readonly #bits = new Uint32Array(2 * (SPAN_FRAMES / 64 + 1));

  constructor(config: IdlePageConfig, deps: ComponentDeps) {
    super("TrackerIdlePage", config, deps);
    this.config = config;
  }

  get bitmapPath(): string {
    return `${this.deps.sysfs.root}/kernel/mm/page_idle/bitmap`;
  }

  protected override beforeStart(): void {
    if (!pathExists(this.bitmapPath)) {
      throw new UnsupportedError(
        `tracker idlepage: ${this.bitmapPath} is missing: this kernel lacks idle page tracking ` +
          "(CONFIG_IDLE_PAGE_TRACKING); use the softdirty or damon tracker, or `make vm-kernel`",
      );
    }
    this.#endPfn = undefined;
    let balancing = "0";
    try {
      balancing = Deno.readTextFileSync(`${this.deps.procfs.root}/sys/kernel/numa_balancing`)
        .trim();
    } catch {
      // no NUMA balancing in this kernel
    }
    if (balancing !== "0") {
      this.deps.logger.warn(
        `tracker idlepage: /proc/sys/kernel/numa_balancing is ${balancing}: NUMA balancing ` +
          "touches pages and makes idle pages look accessed (write 0 there to turn it off)",
      );
    }
  }

  /**
   * The chunk's frames are cut into spans of nearby frames (`spanEnd`), in
   * pagemap order, or sorted first when that order gives short spans; per
   * span, one read of kpageflags, one of the idle words, and one write of
   * the scanned frames' bits marking them idle for the next round. Frames
   * handed out in runs cost three system calls per run (as in the C
   * reader); scattered ones, after the sort, three per span of nearby ones.
   */
  protected classify(_pid: number, e: Uint32Array, n: number, out: Uint8Array): void {
    const need = PM.PRESENT | PM.EXCLUSIVE;
    const endPfn = this.#endPfn ??= readableIdleFrames(this.deps.sysfs.root);
    if (this.#pfns.length < n) {
      this.#pfns = new Float64Array(n);
      this.#entry = new Int32Array(n);
    }
    const pfns = this.#pfns;
    const entry = this.#entry;
    let m = 0;
    for (let i = 0; i < n; i++) {
      const hi = e[2 * i + 1]! | 0;
      if ((hi & need) !== need) continue;
      const pfn = entryPfn(e[2 * i]!, hi);
      if (pfn >= endPfn) continue;
      pfns[m] = pfn;
      entry[m] = i;
      m++;
    }
    if (m === 0) return;
    let spans = 0;
    for (let s = 0; s < m; spans++) s = spanEnd(pfns, s, m);
    if (spans * SORT_BELOW_FRAMES_PER_SPAN > m) this.#sortByFrame(m);
    const kpf = KpageflagsFile.open(this.deps.procfs.root);
    let bitmap: PageIdleBitmap | undefined;
    try {
      bitmap = PageIdleBitmap.open(this.deps.sysfs.root);
      for (let s = 0; s < m;) {
        const t = spanEnd(pfns, s, m);
        this.#span(kpf, bitmap, s, t, spanBounds[0]!, spanBounds[1]!, out);
        s = t;
      }
    } finally {
      bitmap?.close();
      kpf.close();
    }
  }

  /** Sorts the chunk's first `m` frames, their entry indices with them. */
  #sortByFrame(m: number): void {
    if (this.#keys.length < m) this.#keys = new Float64Array(this.#pfns.length);
    const keys = this.#keys.subarray(0, m);
    const pfns = this.#pfns;
    const entry = this.#entry;
    for (let k = 0; k < m; k++) keys[k] = pfns[k]! * KEY_SCALE + entry[k]!;
    keys.sort();
    for (let k = 0; k < m; k++) {
      const pfn = Math.floor(keys[k]! / KEY_SCALE);
      pfns[k] = pfn;
      entry[k] = keys[k]! - pfn * KEY_SCALE;
    }
  }

  /** Frames s..t-1 of the chunk, all within [lo, hi]: read, classify, mark idle. */
  #span(
    kpf: KpageflagsFile,
    bitmap: PageIdleBitmap,
    s: number,
    t: number,
    lo: number,
    hi: number,
    out: Uint8Array,
  ): void {
    const flags = this.#flags;
    const words = this.#words;
    const bits = this.#bits;
    const w0 = Math.floor(lo / 64);
    const nw = Math.floor(hi / 64) - w0 + 1;
    kpf.read(lo, hi - lo + 1, flags);
    if (bitmap.read(w0, nw, words) < nw) {
      throw new RangeError(`Cannot read idle bits of PFN ${hi}: beyond the last page frame`);
    }
    bits.fill(0, 0, 2 * nw);
    const pfns = this.#pfns;
    const entry = this.#entry;
    const base = w0 * 64;
    for (let k = s; k < t; k++) {
      const p = pfns[k]!;
      const rel = (p - base) | 0;
      const half = rel >>> 5;
      const bit = 1 << (rel & 31);
      const tail = flags[2 * ((p - lo) | 0)]! & KPF_COMPOUND_TAIL;
      out[entry[k]!] = (words[half]! & bit) === 0 && tail === 0 ? SCANNED | ACCESSED : SCANNED;
      bits[half] = bits[half]! | bit;
    }
    bitmap.write(w0, nw, bits);
  }

  protected afterPid(_pid: number): void {}

  configJson(): string {
    return JSON.stringify(this.config);
  }
}

export const idlePageTrackerFactory: ComponentFactory<IdlePageConfig, Tracker> = {
  description: "reads and writes per region, from the idle page bitmap and kpageflags",
  parse: (raw, what) => parseWithSchema(schema, raw, what),
  create: (config, deps) => new IdlePageTracker(config, deps),
};

/**
 * Whether a path exists. Deno's own stat, not node:fs: importing a node:
 * module loads Node's compatibility layer at every start (about 40 ms).
 */
function pathExists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}
