/**
 * The `finder` tracker: tracks nothing, reports every range of its
 * processes (whole, not cut into regions) with `ReportAccesses` accesses,
 * so that a policy acts on whole ranges. With any `PagemapBit*` filter set
 * (true: the bit must be set, false: must be clear, omitted: either), each
 * range is replaced by its runs of pages that pass every filter: present
 * (bit 63), exclusively mapped (56), soft-dirty (55).
 *
 * Ranges are read again when `RegionsUpdateMs` has passed since the last
 * read, when counters are asked for. RegionsUpdateMs 0 means "read them
 * every time" (the Go one never refreshed them with 0, so a process's new
 * mappings went unseen); the default is 5000.
 *
 * @module
 */
import * as v from "valibot";
import { bool, intInRange, parseWithSchema } from "../config/schema.ts";
import { ProcessGoneError } from "../errors.ts";
import type { ComponentDeps, ComponentFactory } from "../lifecycle/deps.ts";
import { type AddrRange, formatRange, PAGE_SIZE_BYTES } from "../memory/addr_range.ts";
import { processRanges } from "../memory/process_ranges.ts";
import type { WatchedPid } from "../pidwatchers/pidwatcher.ts";
import { PAGEMAP_CHUNK_ENTRIES, PM } from "../procfs/pagemap.ts";
import { MAX_TRACKER_MS } from "./softdirty.ts";
import type { Tracker, TrackerCounter } from "./tracker.ts";
import { errorText } from "../common/error_text.ts";

const schema = v.strictObject({
  RegionsUpdateMs: v.optional(intInRange(0, MAX_TRACKER_MS), 5000),
  ReportAccesses: v.optional(intInRange(0, Number.MAX_SAFE_INTEGER), 0),
  PagemapBitPresent: v.optional(bool()),
  PagemapBitExclusive: v.optional(bool()),
  PagemapBitSoftDirty: v.optional(bool()),
});

/** The `finder` config, defaults filled in. */
export type FinderConfig = v.InferOutput<typeof schema>;

interface PidState {
  watched: WatchedPid;
  ranges: AddrRange[];
  atMs: number;
}

/** Reports whole ranges, optionally only the pages with given pagemap bits. */
export class FinderTracker implements Tracker {
  readonly config: FinderConfig;
  #deps: ComponentDeps;
  #pids = new Map<number, PidState>();
  #mask = 0;
  #want = 0;

  constructor(config: FinderConfig, deps: ComponentDeps) {
    this.config = config;
    this.#deps = deps;
    const bits: [boolean | undefined, number][] = [
      [config.PagemapBitPresent, PM.PRESENT],
      [config.PagemapBitExclusive, PM.EXCLUSIVE],
      [config.PagemapBitSoftDirty, PM.SOFT_DIRTY],
    ];
    for (const [b, m] of bits) {
      if (b === undefined) continue;
      this.#mask |= m;
      if (b) this.#want |= m;
    }
  }

  addPids(pids: readonly WatchedPid[]): void {
    for (const w of pids) this.#pids.set(w.pid, { watched: w, ranges: [], atMs: -Infinity });
  }

  removePids(pids: readonly WatchedPid[]): void {
    for (const w of pids) this.#pids.delete(w.pid);
  }

  start(): void {}
  stop(): Promise<void> {
    return Promise.resolve();
  }
  resetCounters(): void {}

  #refresh(st: PidState): void {
    const now = this.#deps.clock.now();
    const every = this.config.RegionsUpdateMs;
    if (every !== 0 && now - st.atMs < every) return;
    const pid = st.watched.pid;
    if (this.#deps.procfs.startTicks(pid) !== st.watched.startTicks) {
      throw new ProcessGoneError(pid);
    }
    st.ranges = processRanges(this.#deps.procfs, pid);
    st.atMs = now;
  }

  /** Forgets a process whose files could not be read (it exited): quietly, as an expected event. */
  #drop(pid: number, e: unknown): void {
    this.#pids.delete(pid);
    this.#deps.logger.debug(
      `tracker finder: pid ${pid} no longer tracked: ${errorText(e)}`,
    );
  }

  /** The live processes' states; a gone one is dropped quietly. */
  #live(): PidState[] {
    const out: PidState[] = [];
    for (const pid of [...this.#pids.keys()].sort((a, b) => a - b)) {
      const st = this.#pids.get(pid)!;
      try {
        this.#refresh(st);
        out.push(st);
      } catch (e) {
        this.#drop(pid, e);
      }
    }
    return out;
  }

  /** Runs of pages in `ranges` whose pagemap bits pass the filters. */
  #filtered(pid: number, ranges: readonly AddrRange[]): AddrRange[] {
    const t0 = this.#deps.clock.now();
    const out: AddrRange[] = [];
    const pm = this.#deps.procfs.openPagemap(pid);
    const buf = new Uint32Array(2 * PAGEMAP_CHUNK_ENTRIES);
    let scanned = 0;
    let matched = 0;
    try {
      for (const r of ranges) {
        let runStart = -1;
        for (let a = r.startAddr; a < r.endAddr;) {
          const want = Math.min(PAGEMAP_CHUNK_ENTRIES, (r.endAddr - a) / PAGE_SIZE_BYTES);
          const n = pm.read(a, want, buf);
          for (let i = 0; i < n; i++) {
            const ok = ((buf[2 * i + 1]! | 0) & this.#mask) === this.#want;
            const addr = a + i * PAGE_SIZE_BYTES;
            if (ok) {
              matched++;
              if (runStart < 0) runStart = addr;
            } else if (runStart >= 0) {
              out.push({ startAddr: runStart, endAddr: addr });
              runStart = -1;
            }
          }
          scanned += n;
          if (n < want) {
            if (runStart >= 0) out.push({ startAddr: runStart, endAddr: a + n * PAGE_SIZE_BYTES });
            runStart = -1;
            break;
          }
          a += n * PAGE_SIZE_BYTES;
        }
        if (runStart >= 0) out.push({ startAddr: runStart, endAddr: r.endAddr });
      }
    } finally {
      pm.close();
    }
    this.#deps.stats.recordScan(
      pid,
      Math.round((this.#deps.clock.now() - t0) * 1000),
      scanned,
      matched,
      0,
    );
    return out;
  }

  getCounters(): TrackerCounter[] {
    const out: TrackerCounter[] = [];
    for (const st of this.#live()) {
      const pid = st.watched.pid;
      let ranges = st.ranges;
      if (this.#mask !== 0) {
        try {
          ranges = this.#filtered(pid, ranges);
        } catch (e) {
          this.#drop(pid, e);
          continue;
        }
      }
      for (const r of ranges) {
        out.push({ pid, range: r, accesses: this.config.ReportAccesses, reads: 0, writes: 0 });
      }
    }
    return out;
  }

  dump(args: readonly string[]): string {
    if (args.length !== 1 || args[0] !== "regions") return "finder: dump accepts: regions";
    const lines: string[] = [];
    for (const st of this.#live()) {
      for (const r of st.ranges) lines.push(`pid ${st.watched.pid}: ${formatRange(r)}`);
    }
    return lines.join("\n");
  }

  configJson(): string {
    return JSON.stringify(this.config);
  }
}

export const finderTrackerFactory: ComponentFactory<FinderConfig, Tracker> = {
  description: "whole ranges without tracking, filtered by pagemap bits if asked",
  parse: (raw, what) => parseWithSchema(schema, raw, what),
  create: (config, deps) => new FinderTracker(config, deps),
};
