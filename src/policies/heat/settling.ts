/**
 * The ranges the heat policy moved, while their counts mean nothing yet:
 * the kernel marks pages it migrated as written (soft-dirty) and accessed,
 * so the pages the policy moved would look hot to the tracker and go back
 * and forth. The first pass over the process that ends after the batch's
 * mover tasks were seen done may still read them so (it may have been
 * under way when they moved), and the tracker hands out a pass's counts as
 * it goes, a part in one round and the rest in the next. So a batch's
 * counts are left out until the round whose counters all come from later
 * passes: the one after the round that found that first pass finished.
 * Each batch of moved ranges settles on its own, when its own tasks are
 * done: a range that moves every round, or a long demotion still on the
 * mover, must not keep the rest of the process settling.
 *
 * @module
 */
import { type AddrRange, intersectRanges, mergeRanges } from "../../memory/addr_range.ts";
import type { TrackerCounter } from "../../trackers/tracker.ts";

interface Batch {
  ranges: AddrRange[];
  /** The mover tasks that move the batch's pages. */
  tasks: readonly number[];
  /** The process's finished scans when the batch's tasks were first seen done. */
  scansWhenIdle: number | null;
}

/** Moved ranges per pid, until they settle. */
export class Settling {
  readonly #batches = new Map<number, Batch[]>();
  /** The process's finished scans at the last round, when its counters were taken and reset. */
  readonly #scansAtLastRound = new Map<number, number>();
  readonly #scans: (pid: number) => number;

  /** `scans(pid)`: the scans of `pid` the tracker has finished so far. */
  constructor(scans: (pid: number) => number) {
    this.#scans = scans;
  }

  /** Ranges of `pid` just queued to move, by the mover tasks `tasks`. */
  add(pid: number, ranges: AddrRange[], tasks: readonly number[]): void {
    const batches = this.#batches.get(pid) ?? [];
    batches.push({ ranges, tasks, scansWhenIdle: null });
    this.#batches.set(pid, batches);
  }

  /** Forgets `pid` (its process is gone). */
  drop(pid: number): void {
    this.#batches.delete(pid);
    this.#scansAtLastRound.delete(pid);
  }

  /**
   * Ends the settling of the batches that are done, at the start of a
   * round; `onMover`: the ids of the tasks still on the mover.
   */
  settle(onMover: ReadonlySet<number>): void {
    for (const [pid, batches] of this.#batches) {
      const scans = this.#scans(pid);
      // This round's counters come from the passes after those finished at the last round.
      const before = this.#scansAtLastRound.get(pid) ?? -1;
      const left = batches.filter((s) => {
        if (s.scansWhenIdle === null) {
          if (!s.tasks.some((id) => onMover.has(id))) s.scansWhenIdle = scans;
          return true;
        }
        return before < s.scansWhenIdle + 1;
      });
      if (left.length === 0) {
        this.#batches.delete(pid);
        this.#scansAtLastRound.delete(pid);
      } else {
        this.#batches.set(pid, left);
        this.#scansAtLastRound.set(pid, scans);
      }
    }
  }

  /** The ranges of `pid` still settling, merged. */
  ranges(pid: number): AddrRange[] | undefined {
    const batches = this.#batches.get(pid);
    return batches ? mergeRanges(batches.flatMap((s) => s.ranges)) : undefined;
  }

  /** `counters` without those that touch a settling range, and `cover` without the settling ranges. */
  filter(counters: TrackerCounter[], cover: TrackerCounter[]): TrackerCounter[] {
    if (this.#batches.size === 0) return [...cover, ...counters];
    const settlingOf = new Map<number, AddrRange[] | undefined>();
    const settlingRanges = (pid: number) => {
      if (!settlingOf.has(pid)) settlingOf.set(pid, this.ranges(pid));
      return settlingOf.get(pid);
    };
    const out: TrackerCounter[] = [];
    for (const c of cover) {
      const settling = settlingRanges(c.pid);
      if (!settling) {
        out.push(c);
        continue;
      }
      let at = c.range.startAddr;
      for (const r of intersectRanges([c.range], settling)) {
        if (at < r.startAddr) out.push({ ...c, range: { startAddr: at, endAddr: r.startAddr } });
        at = r.endAddr;
      }
      if (at < c.range.endAddr) {
        out.push({ ...c, range: { startAddr: at, endAddr: c.range.endAddr } });
      }
    }
    for (const c of counters) {
      const settling = settlingRanges(c.pid);
      if (!settling || intersectRanges([c.range], settling).length === 0) out.push(c);
    }
    return out;
  }
}
