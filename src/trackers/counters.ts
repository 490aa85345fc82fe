/**
 * Tracker counters as the Go memtierd prints and combines them: the
 * `-counters` lines, `-heat` ranges, and the flattening `multi` applies to
 * overlapping counters of several trackers.
 *
 * @module
 */
import { type AddrRange, formatRange } from "../memory/addr_range.ts";
import type { TrackerCounter } from "./tracker.ts";

/** One `tracker -counters` line: `a=A r=R w=W AddrRanges{pid=P ranges=S-E (B B)}`. */
export function formatCounter(c: TrackerCounter): string {
  return `a=${c.accesses} r=${c.reads} w=${c.writes} AddrRanges{pid=${c.pid} ranges=${
    formatRange(c.range)
  }}`;
}

/** Sorted as `-counters` prints them: by accesses, then writes, then pid and address (ascending). */
export function sortByAccesses(cs: TrackerCounter[]): TrackerCounter[] {
  return cs.sort((a, b) =>
    a.accesses - b.accesses || a.writes - b.writes || a.pid - b.pid ||
    a.range.startAddr - b.range.startAddr
  );
}

/** Sorted by pid, start and end address. */
function sortByAddr(cs: TrackerCounter[]): TrackerCounter[] {
  return cs.sort((a, b) =>
    a.pid - b.pid || a.range.startAddr - b.range.startAddr || a.range.endAddr - b.range.endAddr
  );
}

/** A range of one process and its heat (accesses + reads + writes). */
export interface RangeHeat {
  pid: number;
  range: AddrRange;
  heat: number;
}

/**
 * Heat per range for `tracker -heat`: counters by address, with touching
 * ranges of equal heat in one process merged. (The Go one merged touching
 * ranges of different processes too.)
 */
export function rangeHeats(counters: readonly TrackerCounter[]): RangeHeat[] {
  const out: RangeHeat[] = [];
  for (const c of sortByAddr([...counters])) {
    const heat = c.accesses + c.reads + c.writes;
    const last = out[out.length - 1];
    if (
      last && last.pid === c.pid && last.heat === heat &&
      last.range.endAddr === c.range.startAddr
    ) {
      last.range = { startAddr: last.range.startAddr, endAddr: c.range.endAddr };
      continue;
    }
    out.push({ pid: c.pid, range: c.range, heat });
  }
  return out;
}

/**
 * Counters with overlaps squashed, as the Go `Flattened`: per process, the
 * ranges are split at every start and end, and each piece carries the sum
 * of the counts of the counters that cover it (a cut keeps the full counts
 * of its counter, counts are not divided by length). Pieces no counter
 * covers are left out. Sorted by pid and address.
 */
export function flattenCounters(counters: readonly TrackerCounter[]): TrackerCounter[] {
  const byPid = new Map<number, TrackerCounter[]>();
  for (const c of counters) {
    if (c.range.endAddr <= c.range.startAddr) continue;
    let l = byPid.get(c.pid);
    if (!l) byPid.set(c.pid, l = []);
    l.push(c);
  }
  const out: TrackerCounter[] = [];
  for (const pid of [...byPid.keys()].sort((a, b) => a - b)) {
    const cs = byPid.get(pid)!;
    const cuts = [...new Set(cs.flatMap((c) => [c.range.startAddr, c.range.endAddr]))]
      .sort((a, b) => a - b);
    for (let i = 0; i + 1 < cuts.length; i++) {
      const s = cuts[i]!;
      const e = cuts[i + 1]!;
      let covered = false;
      let a = 0;
      let r = 0;
      let w = 0;
      for (const c of cs) {
        if (c.range.startAddr <= s && c.range.endAddr >= e) {
          covered = true;
          a += c.accesses;
          r += c.reads;
          w += c.writes;
        }
      }
      if (covered) {
        out.push({ pid, range: { startAddr: s, endAddr: e }, accesses: a, reads: r, writes: w });
      }
    }
  }
  return out;
}
