/**
 * The Tracker interface: measures which memory of the watched processes is
 * accessed. Counters accumulate until `resetCounters`.
 *
 * @module
 */
import type { AddrRange } from "../memory/addr_range.ts";
import type { PidListener } from "../pidwatchers/pidwatcher.ts";

/** Accesses seen in one address range of one process. */
export interface TrackerCounter {
  pid: number;
  range: AddrRange;
  accesses: number;
  reads: number;
  writes: number;
  /**
   * Clock ms since when the counts cover the range, when the tracker knows
   * it (a page tracker: the end of the pass before the one that first
   * counted it). Counts of 0 then mean "not accessed since sinceMs".
   */
  sinceMs?: number;
  /**
   * The counts are how often each page of the range was accessed (DAMON's
   * nr_accesses of a region), not a sum over its pages (a page tracker's).
   */
  perPage?: boolean;
}

/** Measures memory access; a policy's pidwatcher feeds it pids. */
export interface Tracker extends PidListener {
  start(): void | Promise<void>;
  stop(): Promise<void>;
  resetCounters(): void;
  getCounters(): TrackerCounter[];
  /** Text for `tracker -dump ARGS`. */
  dump(args: readonly string[]): string;
  configJson(): string;
}
