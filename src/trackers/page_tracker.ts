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
 * The scan loop works in slices of about `SCAN_SLICE_MS`, giving the event
 * loop a turn between them (after a pagemap chunk, a process, or a batch
 * of idle bits): a scan of a large process takes seconds under QEMU (an
 * idlepage scan of 256 MiB, 5 to 14 s), and done in one piece it held the
 * prompt, the policy and the pidwatchers for that long, a prompt command
 * for several scans. A process removed, or counters reset, while a scan is
 * under way are seen at the next slice; a scan's duration in `memory_scans`
 * is its own work, without the turns it gave. Slices and durations are read
 * from the tracker's clock: under a test's `FakeClock`, whose time stands
 * still while code runs, a scan is one piece whatever the machine's load,
 * so what a test sees does not depend on the machine's speed.
 *
 * @module
 */
import { ProcessGoneError } from "../errors.ts";
import { Loop, nextMacrotask } from "../loop/loop.ts";
import type { ComponentDeps } from "../lifecycle/deps.ts";
import { type AddrRange, PAGE_SIZE_BYTES, splitRanges } from "../memory/addr_range.ts";
import { processRanges } from "../memory/process_ranges.ts";
import type { WatchedPid } from "../pidwatchers/pidwatcher.ts";
import { PAGEMAP_CHUNK_ENTRIES, type PagemapSource, PM } from "../procfs/pagemap.ts";
import type { Tracker, TrackerCounter } from "./tracker.ts";
import { errorText } from "../common/error_text.ts";

/**
 * Work between two turns of the event loop in a scan the loop runs: a
 * prompt command waits at most this long. (With `setTimeout(0)` each turn
 * cost 4 ms, 7 % of a scan's pace at 50 ms slices; `nextMacrotask` now takes
 * a turn without that wait.)
 */
export const SCAN_SLICE_MS = 50;

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
  /** When the last pass over the process (priming or counting) ended: new counters count since then. */
  passEndMs: number | undefined;
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

/** What `countDirect` found: [pages scanned, pages with the bit]. */
const counted = new Int32Array(2);

/**
 * Counts the present, exclusive pages of pagemap entries [first, last) of
 * `e` and those with `bit`, stopping at `max` with the bit, into `counted`.
 * A small function of int32s on its own, so that V8 optimizes it early:
 * this loop is most of a softdirty scan's time.
 */
function countDirect(e: Uint32Array, first: number, last: number, bit: number, max: number): void {
  const need = PM.PRESENT | PM.EXCLUSIVE;
  let scanned = 0;
  let hits = 0;
  const end = (2 * last) | 0;
  for (let i = (2 * first + 1) | 0; i < end; i = (i + 2) | 0) {
    const hi = e[i]! | 0;
    if ((hi & need) !== need) continue;
    scanned = (scanned + 1) | 0;
    if ((hi & bit) !== 0) {
      hits = (hits + 1) | 0;
      if (hits >= max) break;
    }
  }
  counted[0] = scanned;
  counted[1] = hits;
}

/** Regions of a process: its ranges without one-page ranges, in `pages`-page pieces. */
function trackerRegions(ranges: readonly AddrRange[], pages: number): AddrRange[] {
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
  /**
   * A pagemap bit (a `PM` mask) that alone says "written", for a tracker
   * that needs nothing else (softdirty): its pages are counted straight from
   * the pagemap entries, one pass without `classify` and marks (the scan
   * loop's cost, several times the kernel's under QEMU). 0: use `classify`.
   */
  protected writtenBit = 0;
  #seed = 0x2545f491;
  /** Time the scan loop gave to others between slices (left out of a scan's duration). */
  #yieldedMs = 0;

  constructor(name: string, cfg: PageTrackerConfig, deps: ComponentDeps) {
    this.#name = name;
    this.cfg = cfg;
    this.deps = deps;
  }

  /** Marks, for `n` pagemap entries (two words each) of `pid`, each page's SCANNED/ACCESSED/WRITTEN. */
  protected abstract classify(pid: number, entries: Uint32Array, n: number, out: Uint8Array): void;
  /** After a process's pass (counted or priming): reset its bits. */
  protected abstract afterPid(pid: number): void;
  /** After every process of a round, in steps (a yield: the event loop may have a turn). */
  protected *afterRound(): Generator<void, void, void> {}
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
      this.#pids.set(w.pid, {
        watched: w,
        regions: [],
        regionsAtMs: -Infinity,
        primed: false,
        passEndMs: undefined,
      });
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
    for (const st of this.#pids.values()) {
      st.primed = false;
      st.passEndMs = undefined;
    }
    this.#loop = new Loop({
      name: this.#name,
      clock: this.deps.clock,
      intervalMs: this.cfg.ScanIntervalMs,
      round: (signal) => this.#scanSliced(signal),
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

  /** One scan round over every tracked process, at once. */
  scan(): void {
    for (const _ of this.#scanSteps()) {
      // every step at once
    }
  }

  /** One scan round, giving the event loop a turn every SCAN_SLICE_MS (what the loop runs). */
  async #scanSliced(signal: AbortSignal): Promise<void> {
    const clock = this.deps.clock;
    let sliceStart = clock.now();
    for (const _ of this.#scanSteps()) {
      if (clock.now() - sliceStart < SCAN_SLICE_MS) continue;
      const w0 = clock.now();
      await nextMacrotask();
      this.#yieldedMs += clock.now() - w0;
      // Stopped: leave the scan (the generator's return closes what it opened).
      if (signal.aborted) return;
      sliceStart = clock.now();
    }
  }

  *#scanSteps(): Generator<void, void, void> {
    for (const pid of this.pids()) {
      const st = this.#pids.get(pid);
      if (!st) continue;
      try {
        if (this.deps.procfs.startTicks(pid) !== st.watched.startTicks) {
          throw new ProcessGoneError(pid);
        }
        const done = yield* this.#scanPid(st, st.primed);
        if (done) {
          this.afterPid(pid);
          st.primed = true;
          st.passEndMs = this.deps.clock.now();
        }
      } catch (e) {
        this.#drop(pid);
        if (e instanceof ProcessGoneError || !this.deps.procfs.exists(pid)) {
          this.deps.logger.debug(`${this.#name}: pid ${pid} is gone, no longer tracked`);
        } else {
          this.deps.logger.warn(
            `${this.#name}: pid ${pid} no longer tracked: ${errorText(e)}`,
          );
        }
      }
      yield;
    }
    yield* this.afterRound();
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

  /**
   * Drops the counters of `pid`'s regions that are not among `regions` any
   * more: a process that unmaps memory and maps it elsewhere (V8 and other
   * runtimes do, all the time) would otherwise leave a counter per old
   * region for as long as it lives, and the policies keep each as a range.
   */
  #forgetGoneRegions(pid: number, regions: readonly AddrRange[]): void {
    const counters = this.#counters.get(pid);
    if (!counters) return;
    const ends = new Map<number, number>();
    for (const r of regions) ends.set(r.startAddr, r.endAddr);
    for (const [start, c] of counters) {
      if (ends.get(start) !== c.range.endAddr) counters.delete(start);
    }
  }

  /** Scans one process, a step per pagemap chunk; false when it was removed meanwhile. */
  *#scanPid(st: PidState, count: boolean): Generator<void, boolean, void> {
    const pid = st.watched.pid;
    const now = this.deps.clock.now();
    if (this.cfg.RegionsUpdateMs === 0 || now - st.regionsAtMs >= this.cfg.RegionsUpdateMs) {
      st.regions = trackerRegions(processRanges(this.deps.procfs, pid), this.cfg.PagesInRegion);
      st.regionsAtMs = now;
      this.#forgetGoneRegions(pid, st.regions);
    }
    const t0 = this.deps.clock.now();
    const yielded0 = this.#yieldedMs;
    const pagemap: PagemapSource = this.deps.procfs.openPagemap(pid);
    let scanned = 0;
    let accessed = 0;
    let written = 0;
    const max = this.cfg.MaxCountPerRegion === 0
      ? this.cfg.PagesInRegion
      : this.cfg.MaxCountPerRegion;
    let counters = this.#counters.get(pid);
    const skip = this.skipProb;
    const bit = this.writtenBit;
    const direct = bit !== 0 && skip === 0;
    // Every pass marks the pages it scanned afresh (idle bits set, soft-dirty
    // bits cleared), so a counter made in this pass counts since the last one.
    const since = st.passEndMs;
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
        if (!direct) {
          marks.fill(0, 0, pages);
          this.classify(pid, this.#buf, n, marks);
        }
        if (count) {
          const e = this.#buf;
          for (let k = i; k <= j; k++) {
            const r = regions[k]!;
            const first = (r.startAddr - start) / PAGE_SIZE_BYTES;
            const last = Math.min(n, (r.endAddr - start) / PAGE_SIZE_BYTES);
            let acc = 0;
            let wr = 0;
            if (direct) {
              countDirect(e, first, last, bit, max);
              scanned += counted[0]!;
              wr = counted[1]!;
            } else {
              for (let p = first; p < last; p++) {
                if (p > first && skip > 0 && this.#random() < skip) continue;
                const m = marks[p]!;
                if ((m & SCANNED) === 0) continue;
                scanned++;
                if (m & ACCESSED) acc++;
                if (m & WRITTEN) wr++;
                if (acc >= max || wr >= max) break;
              }
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
              const fresh: TrackerCounter = {
                pid,
                range: { startAddr: r.startAddr, endAddr: r.endAddr },
                accesses: acc,
                reads: 0,
                writes: wr,
              };
              if (since !== undefined) fresh.sinceMs = since;
              counters.set(r.startAddr, fresh);
            }
          }
        }
        i = j + 1;
        if (i < regions.length) {
          yield;
          if (this.#pids.get(pid) !== st) return false;
          // Counters reset meanwhile: count into the new ones.
          counters = this.#counters.get(pid);
        }
      }
    } finally {
      pagemap.close();
    }
    if (count) {
      this.deps.stats.recordScan(
        pid,
        Math.round((this.deps.clock.now() - t0 - (this.#yieldedMs - yielded0)) * 1000),
        scanned,
        accessed,
        written,
      );
    }
    return true;
  }
}
