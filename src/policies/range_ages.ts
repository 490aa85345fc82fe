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
 * A round in which none of a process's ranges changed, and whose caller
 * does not know that the tracker finished a scan of it since the round
 * before, brought no news of it: the scan may still be under way (a scan of
 * a large process can take longer than a round, more so while the mover
 * keeps the machine busy). Such a round leaves the rounds-in-a-row counts
 * as they were; before, it reset them (as the Go policy's round bitmap
 * does), so memory written in every scan never counted as active when
 * scans came less often than rounds. A round after a finished scan is news
 * even when nothing changed (the process touched nothing: stopped, say),
 * and resets them: otherwise a stopped process kept its streaks, and the
 * one change the kernel makes to pages it migrates (soft-dirty) made the
 * memory the policy had just demoted look active again, back and forth.
 * Active memory must still have changed within the last two rounds.
 *
 * Each range also keeps how much it is accessed (`ratePerPage`), from the
 * change of its counts in a round with news, smoothed over the rounds (half
 * of it from the last round), 0 after rounds without change; rounds
 * without news of the process and the changes of held ranges leave it as
 * it was. A page tracker counts the pages of a region accessed in a scan,
 * which cannot show more than all of them: a region whose pages are
 * accessed once a scan on average has 63 % of them counted, and one
 * accessed ten times as often 100 %. So a page tracker's share of pages
 * per scan (s) is taken for what it says of the accesses per page and
 * scan, -ln(1 - s) (accesses at random times: the chance that a page sees
 * none in a scan is e^-rate), s at most 1 - 1/(2 × pages); DAMON's counts
 * are accesses per page of a region already (`TrackerCounter.perPage`).
 * The age policy ranks memory by it when the fast nodes are full
 * (room_exchange.ts).
 *
 * The moves of the policy itself change counts too: a dirty anonymous page
 * the kernel migrated comes back dirty, and on x86 that sets its
 * soft-dirty bit, so a demoted range looks written once. When the move of a
 * range straddled two scans in two rounds, it looked written in both: active,
 * and it went back to the fast node, where the next move did the same
 * (tiers/n4-hmat/test03 and policy-age/n4-cpuless/test01 saw regions of a
 * stopped or untouched array go back and forth). So the policy `hold`s the
 * ranges it moves until the scans after the move are counted: a change of
 * a range that overlaps a held one still makes it not idle, but neither
 * adds to its rounds in a row nor ends them.
 *
 * Trackers whose ranges move (damon: DAMON splits and merges its regions
 * every aggregation, and each region's counter is keyed by its bounds) need
 * two more rules, which change nothing for trackers with fixed regions
 * (softdirty, idlepage), whose ranges never overlap. A new range with
 * accesses carries on the rounds in a row of the ranges it overlaps that
 * changed in this round or the one before (the most of them, one more for
 * the round before), so that memory stays active when DAMON redraws its
 * bounds. And a range is idle only while no range of its process that
 * overlaps it changed in the idle duration: the counter of a region's old
 * bounds stops changing when DAMON redraws them, although the memory under
 * it is still accessed.
 *
 * @module
 */
import { type AddrRange, mergeRanges, PAGE_SIZE_BYTES } from "../memory/addr_range.ts";
import type { TrackerCounter } from "../trackers/tracker.ts";

/** Rounds in a row a range can be remembered changing (Go's 64-bit round bitmap). */
const MAX_ROUNDS = 64;

/** Share of a range's `ratePerPage` that the last round with news makes. */
export const RATE_WEIGHT = 0.5;

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
  /** Change of its counts per page and round, smoothed (see the module). */
  ratePerPage: number;
}

/**
 * What the change of a counter's counts since `before` (all of them after a
 * reset), over `scans` scans, says of the accesses per page (see the module).
 */
export function ratePerPage(c: TrackerCounter, before: number, scans = 1): number {
  const now = c.accesses + c.reads + c.writes;
  const delta = now >= before ? now - before : now;
  if (c.perPage) return delta;
  const pages = (c.range.endAddr - c.range.startAddr) / PAGE_SIZE_BYTES;
  const share = Math.min(delta / pages / Math.max(1, scans), 1 - 1 / (2 * pages));
  return -Math.log1p(-share);
}

/** Length of a range in pages. */
export function agePages(a: RangeAge): number {
  return (a.range.endAddr - a.range.startAddr) / PAGE_SIZE_BYTES;
}

/** Ranges of one process held by `RangeAges.hold` (memtierd is moving their pages). */
export interface HeldRanges {
  readonly pid: number;
  /** Sorted and merged. */
  readonly ranges: readonly AddrRange[];
}

/** Ranges by pid, with when each was last seen and last changed. */
export class RangeAges {
  #byPid = new Map<number, Map<string, RangeAge>>();
  #held = new Set<HeldRanges>();
  /** Clock ms of each pid's last round that its tracker's counts covered (see `idle`). */
  #coveredMs = new Map<number, number>();
  /** Clock ms of the last round taken, and of the one before. */
  #roundMs: number | undefined;
  #lastRoundMs: number | undefined;

  /**
   * Takes one round of cumulative counters, seen at `nowMs`. The counters of
   * the pids in `unscanned` (their tracker finished no scan of them since
   * the last round: some of their counts may be of a scan under way) only
   * keep their known ranges alive; the pids in `scanned` (their tracker
   * finished scans of them since the last round: how many) have news
   * whether their counts changed or not.
   */
  update(
    counters: readonly TrackerCounter[],
    nowMs: number,
    unscanned: ReadonlySet<number> = new Set(),
    scanned: ReadonlyMap<number, number> = new Map(),
  ): void {
    const seen = new Set<RangeAge>();
    /** Ranges seen unchanged this round, and the pids that had news. */
    const unchanged: RangeAge[] = [];
    const news = new Set<number>([...scanned.keys()].filter((pid) => !unscanned.has(pid)));
    const fresh: RangeAge[] = [];
    for (const c of counters) {
      if (!unscanned.has(c.pid)) this.#coveredMs.set(c.pid, nowMs);
      if (unscanned.has(c.pid)) {
        const known = this.#byPid.get(c.pid)?.get(
          `${c.range.startAddr}:${c.range.endAddr - c.range.startAddr}`,
        );
        if (known) known.lastSeenMs = nowMs;
        continue;
      }
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
          ratePerPage: ratePerPage(c, 0, scanned.get(c.pid)),
        };
        ranges.set(key, a);
        seen.add(a);
        if (!untouched) {
          news.add(c.pid);
          fresh.push(a);
        }
        continue;
      }
      if (seen.has(old)) continue; // the same range twice in one round
      seen.add(old);
      old.lastSeenMs = nowMs;
      if (old.accesses !== c.accesses || old.reads !== c.reads || old.writes !== c.writes) {
        old.lastChangedMs = nowMs;
        if (!this.#isHeld(c.pid, c.range)) {
          old.changedRounds = Math.min(MAX_ROUNDS, old.changedRounds + 1);
          const before = old.accesses + old.reads + old.writes;
          old.ratePerPage = (1 - RATE_WEIGHT) * old.ratePerPage +
            RATE_WEIGHT * ratePerPage(c, before, scanned.get(c.pid));
        }
        old.accesses = c.accesses;
        old.reads = c.reads;
        old.writes = c.writes;
        news.add(c.pid);
      } else {
        unchanged.push(old);
      }
    }
    const before = this.#roundMs;
    if (before !== undefined && fresh.length > 0) {
      const isFresh = new Set(fresh);
      for (const [pid, ranges] of this.#byPid) {
        const mine = fresh.filter((a) => a.pid === pid);
        if (mine.length === 0) continue;
        const changed = new Overlaps(
          [...ranges.values()].filter((o) => !isFresh.has(o) && o.lastChangedMs >= before),
        );
        for (const a of mine) {
          changed.forEach(a, (o) => {
            const rounds = o.lastChangedMs === nowMs ? o.changedRounds : o.changedRounds + 1;
            a.changedRounds = Math.max(a.changedRounds, Math.min(MAX_ROUNDS, rounds));
          });
        }
      }
    }
    for (const a of unchanged) {
      if (!news.has(a.pid)) continue;
      a.changedRounds = 0;
      a.ratePerPage *= 1 - RATE_WEIGHT;
    }
    this.#lastRoundMs = this.#roundMs;
    this.#roundMs = nowMs;
  }

  /**
   * Holds `ranges` of `pid` (memtierd is moving their pages) until
   * `release`: their changes are not the process's (see the module).
   */
  hold(pid: number, ranges: readonly AddrRange[]): HeldRanges {
    const h = { pid, ranges: mergeRanges(ranges) };
    this.#held.add(h);
    return h;
  }

  /** Ends a `hold`. */
  release(held: HeldRanges): void {
    this.#held.delete(held);
  }

  #isHeld(pid: number, range: AddrRange): boolean {
    for (const h of this.#held) {
      if (h.pid !== pid) continue;
      const l = h.ranges;
      let lo = 0;
      let hi = l.length;
      while (lo < hi) { // the first that ends after the range starts
        const mid = (lo + hi) >> 1;
        if (l[mid]!.endAddr <= range.startAddr) lo = mid + 1;
        else hi = mid;
      }
      if (lo < l.length && l[lo]!.startAddr < range.endAddr) return true;
    }
    return false;
  }

  /**
   * One round of a policy: takes the tracker's counters seen at `nowMs`
   * (see `update` for `unscanned` and `scanned`), then forgets the ranges not seen for two intervals.
   */
  take(
    counters: readonly TrackerCounter[],
    nowMs: number,
    intervalMs: number,
    unscanned: ReadonlySet<number> = new Set(),
    scanned: ReadonlyMap<number, number> = new Map(),
  ): void {
    this.update(counters, nowMs, unscanned, scanned);
    this.forget(nowMs, intervalMs);
  }

  /** Forgets ranges not seen since `nowMs - 2 × intervalMs`. */
  forget(nowMs: number, intervalMs: number): void {
    const alive = nowMs - 2 * intervalMs;
    for (const [pid, ranges] of this.#byPid) {
      for (const [key, a] of ranges) if (a.lastSeenMs < alive) ranges.delete(key);
      if (ranges.size === 0) {
        this.#byPid.delete(pid);
        this.#coveredMs.delete(pid);
      }
    }
  }

  /** Forgets every range of `pid` (its process is gone). */
  dropPid(pid: number): void {
    this.#byPid.delete(pid);
    this.#coveredMs.delete(pid);
    for (const h of this.#held) if (h.pid === pid) this.#held.delete(h);
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

  /**
   * Ranges whose counts have not changed for `durationMs` of the time their
   * tracker's counts covered (changed before the last round with counts of
   * their process, less `durationMs`), nor those of any range of their
   * process that overlaps them. While a tracker's scans of a process lag
   * behind the rounds (a large process, a busy machine), the time since its
   * last finished scan is no time without access: a scan that takes 12 s
   * made memory written in every scan look idle for 10 s.
   */
  idle(nowMs: number, durationMs: number): RangeAge[] {
    const out: RangeAge[] = [];
    for (const pid of this.pids()) {
      const before = Math.min(nowMs, this.#coveredMs.get(pid) ?? -Infinity) - durationMs;
      const ranges = this.ofPid(pid);
      const recent = new Overlaps(ranges.filter((a) => a.lastChangedMs >= before));
      for (const a of ranges) {
        if (a.lastChangedMs >= before) continue;
        let touched = false;
        recent.forEach(a, () => touched = true);
        if (!touched) out.push(a);
      }
    }
    return out;
  }

  /**
   * Ranges that changed in each of the last `floor(durationMs / intervalMs) + 1`
   * rounds with news of their process (at most 64), as the Go policy's round
   * bitmap has it, the last time in this round or the one before.
   */
  active(durationMs: number, intervalMs: number): RangeAge[] {
    const rounds = Math.min(MAX_ROUNDS, Math.floor(durationMs / intervalMs) + 1);
    const since = this.#lastRoundMs ?? this.#roundMs ?? -Infinity;
    return this.all().filter((a) => a.changedRounds >= rounds && a.lastChangedMs >= since);
  }
}

/** Ranges by start address, to find those that overlap a range. */
class Overlaps {
  readonly #sorted: RangeAge[];
  readonly #longest: number;

  constructor(ranges: RangeAge[]) {
    this.#sorted = ranges.sort((a, b) => a.range.startAddr - b.range.startAddr);
    this.#longest = ranges.reduce((m, a) => Math.max(m, a.range.endAddr - a.range.startAddr), 0);
  }

  /** Calls `f` with each range that overlaps `a`. */
  forEach(a: RangeAge, f: (o: RangeAge) => void): void {
    const l = this.#sorted;
    let lo = 0;
    let hi = l.length;
    while (lo < hi) { // the first that starts at or after a's end
      const mid = (lo + hi) >> 1;
      if (l[mid]!.range.startAddr < a.range.endAddr) lo = mid + 1;
      else hi = mid;
    }
    // Those starting before a's end, back to the longest one's reach.
    for (let i = lo - 1; i >= 0; i--) {
      const o = l[i]!;
      if (o.range.startAddr + this.#longest <= a.range.startAddr) break;
      if (o.range.endAddr > a.range.startAddr) f(o);
    }
  }
}

/** Ranges of each pid, merged where they touch (the Go `RegionsMerged`). */
export function rangesByPid(
  ages: readonly { pid: number; range: AddrRange }[],
): Map<number, AddrRange[]> {
  const byPid = new Map<number, AddrRange[]>();
  for (const a of ages) {
    let l = byPid.get(a.pid);
    if (!l) byPid.set(a.pid, l = []);
    l.push(a.range);
  }
  for (const [pid, l] of byPid) byPid.set(pid, mergeRanges(l));
  return byPid;
}
