/**
 * What the page-scanning trackers (`softdirty`, `idlepage`) share: the
 * tracked processes and their regions (the process ranges with one-page
 * ranges dropped, cut into `PagesInRegion`-page regions), a scan loop every
 * `ScanIntervalMs`, per-region counters that accumulate until reset (every
 * region scanned has one, 0 while it had no hit, as in the Go memtierd:
 * the age and ratio policies need to see memory that is never touched), the
 * `memory_scans` stats, and `dump raw start|new|stop`.
 *
 * A scan reads /proc/PID/pagemap in chunks of up to 64 Ki entries and hands
 * each chunk to the tracker, which marks per page whether it was scanned,
 * accessed and written (bulk reads of its own files, typed arrays, no
 * BigInt). Per region, at most `MaxCountPerRegion` hits are counted.
 *
 * A process is "primed" before it is counted: its first pass after it is
 * added or the tracker starts only resets the kernel's bits (clear_refs,
 * idle bits), so that the first count covers one scan interval.
 *
 * A process whose /proc files are gone, or whose pid now belongs to another
 * process, is dropped quietly with its counters. (No lock is held while
 * that happens: the Go idlepage tracker deadlocked here.)
 *
 * @module
 */
import { ProcessGoneError } from "../errors.ts";
import { Loop } from "../lifecycle/loop.ts";
import type { ComponentDeps } from "../lifecycle/deps.ts";
import { type AddrRange, PAGE_SIZE_BYTES, splitRanges } from "../memory/addr_range.ts";
import { processRanges } from "../memory/process_ranges.ts";
import type { WatchedPid } from "../pidwatchers/pidwatcher.ts";
import { PAGEMAP_CHUNK_ENTRIES, type PagemapSource } from "../procfs/pagemap.ts";
import type { Tracker, TrackerCounter } from "./tracker.ts";

/** Page marks a tracker sets in `classify`. */
export const SCANNED = 1;
export const ACCESSED = 2;
export const WRITTEN = 4;

/** The config keys both page trackers have. */
export interface PageTrackerConfig {
  PagesInRegion: number;
  MaxCountPerRegion: number;
  ScanIntervalMs: number;
  RegionsUpdateMs: number;
}

interface PidState {
  watched: WatchedPid;
  regions: AddrRange[];
  regionsAtMs: number;
  primed: boolean;
}

/** One row of `dump raw`. */
interface RawRecord {
  timestampNs: number;
  pid: number;
  addr: number;
  pages: number;
  accesses: number;
  writes: number;
}

/** Regions of a process: its ranges without one-page ranges, in `pages`-page pieces. */
export function trackerRegions(ranges: readonly AddrRange[], pages: number): AddrRange[] {
  return splitRanges(ranges.filter((r) => r.endAddr - r.startAddr > PAGE_SIZE_BYTES), pages);
}

/** The base of `softdirty` and `idlepage`. */
export abstract class PageTracker implements Tracker {
  protected readonly deps: ComponentDeps;
  protected readonly cfg: PageTrackerConfig;
  readonly #name: string;
  #pids = new Map<number, PidState>();
  #counters = new Map<number, Map<number, TrackerCounter>>();
  #loop: Loop | undefined;
  #raw: RawRecord[] | undefined;
  #buf = new Uint32Array(0);
  #marks = new Uint8Array(0);
  /** Probability (0..1) of skipping a page after a region's first (softdirty SkipPageProb). */
  protected skipProb = 0;
  #seed = 0x2545f491;

  constructor(name: string, cfg: PageTrackerConfig, deps: ComponentDeps) {
    this.#name = name;
    this.cfg = cfg;
    this.deps = deps;
  }

  /** Marks, for `n` pagemap entries (two words each) of `pid`, each page's SCANNED/ACCESSED/WRITTEN. */
  protected abstract classify(pid: number, entries: Uint32Array, n: number, out: Uint8Array): void;
  /** After a process's pass (counted or priming): reset its bits. */
  protected abstract afterPid(pid: number): void;
  /** After every process of a round. */
  protected afterRound(): void {}
  /** Checks the kernel interface before the loop starts. */
  protected beforeStart(): void {}
  abstract configJson(): string;

  get running(): boolean {
    return this.#loop?.running ?? false;
  }

  /** Pids tracked now, ascending. */
  pids(): number[] {
    return [...this.#pids.keys()].sort((a, b) => a - b);
  }

  addPids(pids: readonly WatchedPid[]): void {
    for (const w of pids) {
      this.#pids.set(w.pid, { watched: w, regions: [], regionsAtMs: -Infinity, primed: false });
    }
  }

  removePids(pids: readonly WatchedPid[]): void {
    for (const w of pids) this.#drop(w.pid);
  }

  #drop(pid: number): void {
    this.#pids.delete(pid);
    this.#counters.delete(pid);
  }

  start(): void {
    if (this.#loop?.running) return;
    this.beforeStart();
    for (const st of this.#pids.values()) st.primed = false;
    this.#loop = new Loop({
      name: this.#name,
      clock: this.deps.clock,
      intervalMs: this.cfg.ScanIntervalMs,
      round: () => this.scan(),
      stats: this.deps.stats,
      logger: this.deps.logger,
    });
    this.#loop.start();
  }

  async stop(): Promise<void> {
    await this.#loop?.stop();
    this.#loop = undefined;
  }

  resetCounters(): void {
    this.#counters.clear();
  }

  getCounters(): TrackerCounter[] {
    const out: TrackerCounter[] = [];
    for (const m of this.#counters.values()) for (const c of m.values()) out.push({ ...c });
    return out;
  }

  dump(args: readonly string[]): string {
    if (args[0] !== "raw" || args.length !== 2) {
      return `${this.#name}: dump accepts: raw start|new|stop`;
    }
    switch (args[1]) {
      case "start":
        this.#raw = [];
        return "raw recording started";
      case "stop":
        this.#raw = undefined;
        return "raw recording stopped";
      case "new": {
        if (!this.#raw) return "raw recording is not on: dump raw start";
        const head = `${"timestamp".padStart(20)} ${"pid".padStart(8)} ${"addr".padStart(16)} ` +
          `${"pages".padStart(8)} ${"accs".padStart(8)} ${"writes".padStart(8)}`;
        const rows = this.#raw.map((r) =>
          `${String(r.timestampNs).padStart(20)} ${String(r.pid).padStart(8)} ${
            r.addr.toString(16).padStart(16)
          } ${String(r.pages).padStart(8)} ${String(r.accesses).padStart(8)} ${
            String(r.writes).padStart(8)
          }`
        );
        this.#raw = [];
        return [head, ...rows].join("\n");
      }
      default:
        return `${this.#name}: dump accepts: raw start|new|stop`;
    }
  }

  /** One scan round over every tracked process (what the loop runs). */
  scan(): void {
    for (const pid of this.pids()) {
      const st = this.#pids.get(pid);
      if (!st) continue;
      try {
        if (this.deps.procfs.startTicks(pid) !== st.watched.startTicks) {
          throw new ProcessGoneError(pid);
        }
        this.#scanPid(st, st.primed);
        this.afterPid(pid);
        st.primed = true;
      } catch (e) {
        this.#drop(pid);
        if (e instanceof ProcessGoneError || !this.deps.procfs.exists(pid)) {
          this.deps.logger.debug(`${this.#name}: pid ${pid} is gone, no longer tracked`);
        } else {
          this.deps.logger.warn(
            `${this.#name}: pid ${pid} no longer tracked: ${
              e instanceof Error ? e.message : String(e)
            }`,
          );
        }
      }
    }
    this.afterRound();
  }

  #random(): number {
    // xorshift32: cheap, and the same sequence every run.
    let x = this.#seed;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.#seed = x >>> 0;
    return this.#seed / 4294967296;
  }

  #scanPid(st: PidState, count: boolean): void {
    const pid = st.watched.pid;
    const now = this.deps.clock.now();
    if (this.cfg.RegionsUpdateMs === 0 || now - st.regionsAtMs >= this.cfg.RegionsUpdateMs) {
      st.regions = trackerRegions(processRanges(this.deps.procfs, pid), this.cfg.PagesInRegion);
      st.regionsAtMs = now;
    }
    const t0 = performance.now();
    const pagemap: PagemapSource = this.deps.procfs.openPagemap(pid);
    let scanned = 0;
    let accessed = 0;
    let written = 0;
    const max = this.cfg.MaxCountPerRegion === 0
      ? this.cfg.PagesInRegion
      : this.cfg.MaxCountPerRegion;
    let counters = this.#counters.get(pid);
    try {
      const regions = st.regions;
      for (let i = 0; i < regions.length;) {
        // Consecutive regions read together, up to one chunk.
        let j = i;
        const start = regions[i]!.startAddr;
        while (
          j + 1 < regions.length && regions[j + 1]!.startAddr === regions[j]!.endAddr &&
          (regions[j + 1]!.endAddr - start) / PAGE_SIZE_BYTES <= PAGEMAP_CHUNK_ENTRIES
        ) j++;
        const pages = (regions[j]!.endAddr - start) / PAGE_SIZE_BYTES;
        if (this.#buf.length < pages * 2) {
          this.#buf = new Uint32Array(pages * 2);
          this.#marks = new Uint8Array(pages);
        }
        const n = pagemap.read(start, pages, this.#buf);
        if (n < pages && !this.deps.procfs.exists(pid)) throw new ProcessGoneError(pid);
        const marks = this.#marks;
        marks.fill(0, 0, pages);
        this.classify(pid, this.#buf, n, marks);
        if (count) {
          for (let k = i; k <= j; k++) {
            const r = regions[k]!;
            const first = (r.startAddr - start) / PAGE_SIZE_BYTES;
            const last = Math.min(n, (r.endAddr - start) / PAGE_SIZE_BYTES);
            let acc = 0;
            let wr = 0;
            for (let p = first; p < last; p++) {
              if (p > first && this.skipProb > 0 && this.#random() < this.skipProb) continue;
              const m = marks[p]!;
              if ((m & SCANNED) === 0) continue;
              scanned++;
              if (m & ACCESSED) acc++;
              if (m & WRITTEN) wr++;
              if (acc >= max || wr >= max) break;
            }
            accessed += acc;
            written += wr;
            if (acc > max) acc = max;
            if (wr > max) wr = max;
            if (this.#raw) {
              this.#raw.push({
                timestampNs: Math.round(this.deps.clock.wallMs() * 1e6),
                pid,
                addr: r.startAddr,
                pages: (r.endAddr - r.startAddr) / PAGE_SIZE_BYTES,
                accesses: acc,
                writes: wr,
              });
            }
            if (!counters) this.#counters.set(pid, counters = new Map());
            const c = counters.get(r.startAddr);
            if (c && c.range.endAddr === r.endAddr) {
              c.accesses += acc;
              c.writes += wr;
            } else {
              counters.set(r.startAddr, {
                pid,
                range: { startAddr: r.startAddr, endAddr: r.endAddr },
                accesses: acc,
                reads: 0,
                writes: wr,
              });
            }
          }
        }
        i = j + 1;
      }
    } finally {
      pagemap.close();
    }
    if (count) {
      this.deps.stats.recordScan(
        pid,
        Math.round((performance.now() - t0) * 1000),
        scanned,
        accessed,
        written,
      );
    }
  }
}
