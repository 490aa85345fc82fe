/**
 * What the `age` and `ratio` policies share.
 *
 * `RangeAges` is their bookkeeping over the tracker's cumulative counters
 * (the policies never reset them), as the Go memtierd keeps it: each range,
 * keyed by pid, start address and length, remembers when it was last seen
 * and when its counts last changed, and in how many rounds in a row they
 * changed (a new range counts as changed, unless the tracker says since
 * when it counted and it counted no access: then it last changed then).
 * A range not seen for two intervals is forgotten (its process exited, or
 * the tracker cut its regions anew).
 *
 * @module
 */
import { type AddrRange, mergeRanges, PAGE_SIZE_BYTES } from "../memory/addr_range.ts";
import type { TrackerCounter } from "../trackers/tracker.ts";

/** Rounds in a row a range can be remembered changing (Go's 64-bit round bitmap). */
const MAX_ROUNDS = 64;

/** What is remembered of one tracked range. */
export interface RangeAge {
  readonly pid: number;
  readonly range: AddrRange;
  /** Clock ms when the tracker last reported the range. */
  lastSeenMs: number;
  /** Clock ms when its counts last changed (or it first appeared, or since when it was idle). */
  lastChangedMs: number;
  /** Rounds in a row, up to the last one, in which its counts changed (at most 64). */
  changedRounds: number;
  accesses: number;
  reads: number;
  writes: number;
}

/** Length of a range in pages. */
export function agePages(a: RangeAge): number {
  return (a.range.endAddr - a.range.startAddr) / PAGE_SIZE_BYTES;
}

/** Ranges by pid, with when each was last seen and last changed. */
export class RangeAges {
  #byPid = new Map<number, Map<string, RangeAge>>();

  /** Takes one round of cumulative counters, seen at `nowMs`. */
  update(counters: readonly TrackerCounter[], nowMs: number): void {
    const seen = new Set<RangeAge>();
    for (const c of counters) {
      let ranges = this.#byPid.get(c.pid);
      if (!ranges) this.#byPid.set(c.pid, ranges = new Map());
      const key = `${c.range.startAddr}:${c.range.endAddr - c.range.startAddr}`;
      const old = ranges.get(key);
      if (!old) {
        // A new range with no access since the tracker's `sinceMs` has been
        // idle since then (not only from now on: that waited a round more).
        const untouched = c.accesses === 0 && c.reads === 0 && c.writes === 0;
        const idleSince = untouched && c.sinceMs !== undefined ? Math.min(c.sinceMs, nowMs) : null;
        const a: RangeAge = {
          pid: c.pid,
          range: c.range,
          lastSeenMs: nowMs,
          lastChangedMs: idleSince ?? nowMs,
          changedRounds: idleSince === null ? 1 : 0,
          accesses: c.accesses,
          reads: c.reads,
          writes: c.writes,
        };
        ranges.set(key, a);
        seen.add(a);
        continue;
      }
      if (seen.has(old)) continue; // the same range twice in one round
      seen.add(old);
      old.lastSeenMs = nowMs;
      if (old.accesses !== c.accesses || old.reads !== c.reads || old.writes !== c.writes) {
        old.lastChangedMs = nowMs;
        old.changedRounds = Math.min(MAX_ROUNDS, old.changedRounds + 1);
        old.accesses = c.accesses;
        old.reads = c.reads;
        old.writes = c.writes;
      } else {
        old.changedRounds = 0;
      }
    }
  }

  /**
   * One round of a policy: takes the tracker's counters seen at `nowMs`,
   * then forgets the ranges not seen for two intervals.
   */
  take(counters: readonly TrackerCounter[], nowMs: number, intervalMs: number): void {
    this.update(counters, nowMs);
    this.forget(nowMs, intervalMs);
  }

  /** Forgets ranges not seen since `nowMs - 2 × intervalMs`. */
  forget(nowMs: number, intervalMs: number): void {
    const alive = nowMs - 2 * intervalMs;
    for (const [pid, ranges] of this.#byPid) {
      for (const [key, a] of ranges) if (a.lastSeenMs < alive) ranges.delete(key);
      if (ranges.size === 0) this.#byPid.delete(pid);
    }
  }

  /** Forgets every range of `pid` (its process is gone). */
  dropPid(pid: number): void {
    this.#byPid.delete(pid);
  }

  /** Pids with ranges, ascending. */
  pids(): number[] {
    return [...this.#byPid.keys()].sort((a, b) => a - b);
  }

  /** The ranges of `pid`, by address. */
  ofPid(pid: number): RangeAge[] {
    return [...(this.#byPid.get(pid)?.values() ?? [])].sort((a, b) =>
      a.range.startAddr - b.range.startAddr || a.range.endAddr - b.range.endAddr
    );
  }

  /** Every range, by pid and address. */
  all(): RangeAge[] {
    return this.pids().flatMap((pid) => this.ofPid(pid));
  }

  /** Ranges whose counts have not changed for `durationMs` (changed before `nowMs - durationMs`). */
  idle(nowMs: number, durationMs: number): RangeAge[] {
    const before = nowMs - durationMs;
    return this.all().filter((a) => a.lastChangedMs < before);
  }

  /**
   * Ranges that changed in each of the last `floor(durationMs / intervalMs) + 1`
   * rounds (at most 64), as the Go policy's round bitmap has it.
   */
  active(durationMs: number, intervalMs: number): RangeAge[] {
    const rounds = Math.min(MAX_ROUNDS, Math.floor(durationMs / intervalMs) + 1);
    return this.all().filter((a) => a.changedRounds >= rounds);
  }
}

/** Ranges of each pid, merged where they touch (the Go `RegionsMerged`). */
export function rangesByPid(ages: readonly RangeAge[]): Map<number, AddrRange[]> {
  const byPid = new Map<number, AddrRange[]>();
  for (const a of ages) {
    let l = byPid.get(a.pid);
    if (!l) byPid.set(a.pid, l = []);
    l.push(a.range);
  }
  for (const [pid, l] of byPid) byPid.set(pid, mergeRanges(l));
  return byPid;
}
