/**
 * The `idlepage` tracker: which regions were read or written since the last
 * scan, from /sys/kernel/mm/page_idle/bitmap (needs a kernel built with
 * CONFIG_IDLE_PAGE_TRACKING). After each pass the page frames of the
 * scanned pages are marked idle, each 64-frame word of the bitmap written
 * once per round and only with the bits of those frames (the Go one wrote
 * all ones, marking other processes' neighbouring frames idle too). A scan
 * reads the idle bits and /proc/kpageflags of a whole pagemap chunk at once;
 * a frame that is not idle counts as accessed unless it is the tail of a
 * compound page (a transparent huge page's tails never carry the idle bit:
 * the head stands for it). Reports accesses (reads and writes alike).
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
import { intInRange, parseWithSchema, v } from "../config/schema.ts";
import { UnsupportedError } from "../errors.ts";
import type { ComponentDeps, ComponentFactory } from "../lifecycle/deps.ts";
import { readKpageflags } from "../procfs/kpageflags.ts";
import { entryPfn, PM } from "../procfs/pagemap.ts";
import { readableIdleFrames, readPageIdle, setPagesIdle } from "../sysfs/page_idle.ts";
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
 * Entries per chunk are below this (a chunk is at most one region of
 * MAX_REGION_PAGES, or 64 Ki entries): (pfn, entry) keys are
 * pfn * KEY_SCALE + entry, exact in a double while PFNs stay below 2^35.
 */
const KEY_SCALE = 262144;

/** Frames marked idle in one step of a round's end (page_tracker.ts: slices). */
const IDLE_BATCH_FRAMES = 16384;

/** Counts pages accessed per region through the idle page bitmap. */
export class IdlePageTracker extends PageTracker {
  readonly config: IdlePageConfig;
  /** Frames to mark idle at the end of the round (sorted per chunk). */
  #toIdle: Float64Array[] = [];
  #keys = new Float64Array(0);
  /** Frames below this have readable idle bits (found at the first scan after start). */
  #endPfn: number | undefined;

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

  protected classify(_pid: number, e: Uint32Array, n: number, out: Uint8Array): void {
    const need = PM.PRESENT | PM.EXCLUSIVE;
    const endPfn = this.#endPfn ??= readableIdleFrames(this.deps.sysfs.root);
    // (pfn, entry) pairs as one number each (KEY_SCALE), sorted by the engine's numeric sort:
    // the bitmap and kpageflags readers then take their sorted fast path
    // instead of sorting with a comparator (most of a scan under QEMU).
    const keys = this.#keys.length >= n ? this.#keys : (this.#keys = new Float64Array(n));
    let m = 0;
    for (let i = 0; i < n; i++) {
      const hi = e[2 * i + 1]! | 0;
      if ((hi & need) !== need) continue;
      const pfn = entryPfn(e[2 * i]!, hi);
      if (pfn >= endPfn) continue;
      keys[m++] = pfn * KEY_SCALE + i;
    }
    if (m === 0) return;
    const sorted = keys.subarray(0, m).sort();
    const pfns = new Float64Array(m);
    for (let k = 0; k < m; k++) pfns[k] = Math.floor(sorted[k]! / KEY_SCALE);
    const idle = readPageIdle(this.deps.sysfs.root, pfns);
    const flags = readKpageflags(this.deps.procfs.root, pfns);
    for (let k = 0; k < m; k++) {
      const i = sorted[k]! - pfns[k]! * KEY_SCALE;
      const tail = (flags[k]! & KPF_COMPOUND_TAIL) !== 0;
      out[i] = idle[k] === 0 && !tail ? SCANNED | ACCESSED : SCANNED;
    }
    this.#toIdle.push(pfns);
  }

  protected afterPid(_pid: number): void {}

  protected override *afterRound(): Generator<void, void, void> {
    const parts = this.#toIdle;
    this.#toIdle = [];
    let total = 0;
    for (const p of parts) total += p.length;
    if (total === 0) return;
    const pfns = new Float64Array(total);
    let at = 0;
    for (const p of parts) {
      pfns.set(p, at);
      at += p.length;
    }
    // Sorted, so that the bitmap writer takes its fast path. In batches, each
    // a step: marking frames idle is most of a round's kernel time. (A word
    // shared by two batches is written twice, each time with its own bits
    // only: a 0 bit leaves its frame as it is.)
    if (parts.length > 1) pfns.sort();
    for (let i = 0; i < total; i += IDLE_BATCH_FRAMES) {
      setPagesIdle(this.deps.sysfs.root, pfns.subarray(i, i + IDLE_BATCH_FRAMES));
      if (i + IDLE_BATCH_FRAMES < total) yield;
    }
  }

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
