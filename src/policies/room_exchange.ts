/**
 * Which memory trades places when the fast nodes are full: the plan of the
 * `age` policy's `DemoteToMakeRoom`.
 *
 * Age alone demotes only memory idle for IdleDurationMs. A working set
 * larger than the fast nodes whose cold part is touched now and then is
 * never idle, so nothing left the full fast nodes and active memory on the
 * slow ones had no room to go to (docs/tiering-vs-kernel.md, the fifth run:
 * hot residency 0.36 against DAMOS's 0.88). The plan ranks memory by how
 * much it is accessed (`RangeAge.ratePerPage`), as DAMOS's `migrate_cold`
 * and `migrate_hot` do by DAMON's access frequency:
 *
 * - active ranges with pages off the fast nodes go up, the most accessed
 *   first, each as long as the room of the fast nodes holds all its pages;
 * - when it does not, ranges with pages on the fast nodes go down to make
 *   the room, the least accessed first, but only those accessed at most a
 *   `RATE_FACTOR`th as much per page as the range that needs the room (so
 *   that memory accessed about as much never trades places back and forth
 *   with the noise of its counts), and only as many pages as the slow
 *   nodes have room for;
 * - the first active range that no such demotion makes room for ends the
 *   plan: those after it are accessed less;
 * - so does the range that would take the pages going up past
 *   `MAX_EXCHANGE_PAGES` (unless it is the first): the mover moves a task's
 *   pages in address order, so the hottest pages of a plan that promotes
 *   everything come last (a DAMON region of 350 MB whose hot part was at its
 *   end held the mover for a minute), and the next plan, after the next
 *   scan, ranks again.
 *
 * A pure function of the ranges and the room: the policy reads the pages'
 * nodes and the room, and queues what the plan says (age.ts).
 *
 * @module
 */
import { type AddrRange, intersectRanges } from "../memory/addr_range.ts";

/** How many times more a range must be accessed per page than one demoted to make its room. */
export const RATE_FACTOR = 4;

/** Most pages one plan sends up (128 MiB), unless its first range alone has more. */
export const MAX_EXCHANGE_PAGES = 32768;

/** One tracked range as the plan sees it. */
export interface RankedRange {
  readonly pid: number;
  readonly range: AddrRange;
  /** Accesses per page and round, smoothed (range_ages.ts). */
  readonly ratePerPage: number;
  /** Whether it may go up: active by the policy's rule (ActiveDurationMs). */
  readonly active: boolean;
  /** Its present, exclusive pages on each fast node. */
  readonly fastPages: ReadonlyMap<number, number>;
  /** Its present, exclusive pages elsewhere: what going up moves. */
  readonly otherPages: number;
}

/** What trades places. */
export interface ExchangePlan {
  /** Ranges to go up, the most accessed first. */
  promote: RankedRange[];
  /** Each range to go up, after the ranges that go down to make its room, in order. */
  steps: { demote: RankedRange[]; promote: RankedRange }[];
  /** Ranges whose pages on the fast nodes go down, the least accessed first. */
  demote: RankedRange[];
  /** Each fast node's room once the demotions are done: what the promotions may fill. */
  roomPages: Map<number, number>;
}

function sum(m: ReadonlyMap<number, number>): number {
  let n = 0;
  for (const v of m.values()) n += v;
  return n;
}

function byAddress(a: RankedRange, b: RankedRange): number {
  return a.pid - b.pid || a.range.startAddr - b.range.startAddr;
}

/**
 * The exchange for `ranges`, given each fast node's room now
 * (`fastRoomPages`) and the pages the slow nodes can take
 * (`slowRoomPages`), at most `maxPages` going up.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert";
 * import { planExchange } from "./room_exchange.ts";
 * const at = (n: number) => ({ startAddr: n * 4096, endAddr: (n + 100) * 4096 });
 * const plan = planExchange([
 *   { pid: 1, range: at(0), ratePerPage: 0.8, active: true, fastPages: new Map(), otherPages: 100 },
 *   { pid: 1, range: at(100), ratePerPage: 0.01, active: true, fastPages: new Map([[0, 100]]), otherPages: 0 },
 * ], new Map([[0, 10]]), 1000);
 * strictEqual(plan.promote.length, 1);
 * strictEqual(plan.demote[0]!.range.startAddr, 100 * 4096);
 * strictEqual(plan.roomPages.get(0), 110);
 * ```
 */
export function planExchange(
  ranges: readonly RankedRange[],
  fastRoomPages: ReadonlyMap<number, number>,
  slowRoomPages: number,
  factor = RATE_FACTOR,
  maxPages = MAX_EXCHANGE_PAGES,
): ExchangePlan {
  const up = ranges.filter((r) => r.active && r.otherPages > 0)
    .sort((a, b) => b.ratePerPage - a.ratePerPage || byAddress(a, b));
  const down = ranges.filter((r) => sum(r.fastPages) > 0)
    .sort((a, b) => a.ratePerPage - b.ratePerPage || byAddress(a, b));
  const roomPages = new Map(fastRoomPages);
  const promote: RankedRange[] = [];
  const demote: RankedRange[] = [];
  const steps: ExchangePlan["steps"] = [];
  const demoted = new Set<RankedRange>();
  let room = sum(roomPages);
  let slowRoom = slowRoomPages;
  let next = 0; // the least accessed range in `down` not yet demoted
  let promoted = 0;
  for (const u of up) {
    if (demoted.has(u)) continue;
    if (promoted > 0 && promoted + u.otherPages > maxPages) break;
    let plan: RankedRange[] = [];
    if (u.otherPages > room) {
      if (!(u.ratePerPage > 0)) break; // nothing ranks it above anything
      plan = [];
      let freed = 0;
      let k = next;
      for (; k < down.length && room + freed < u.otherPages; k++) {
        const d = down[k]!;
        if (d.ratePerPage * factor > u.ratePerPage) break;
        const pages = sum(d.fastPages);
        if (pages > slowRoom - freed) break;
        plan.push(d);
        freed += pages;
      }
      if (room + freed < u.otherPages) break;
      next = k;
      slowRoom -= freed;
      room += freed;
      for (const d of plan) {
        demote.push(d);
        demoted.add(d);
        for (const [node, pages] of d.fastPages) {
          roomPages.set(node, (roomPages.get(node) ?? 0) + pages);
        }
      }
    }
    promote.push(u);
    steps.push({ demote: plan, promote: u });
    promoted += u.otherPages;
    room -= u.otherPages;
  }
  return { promote, steps, demote, roomPages };
}

/** Pages going up that one batch of an exchange holds at least (16 MiB), but for the last. */
export const EXCHANGE_BATCH_PAGES = 4096;

/**
 * The steps of a plan in batches of at least `batchPages` pages going up
 * (the last may have fewer): the policy queues each batch's demotions and
 * then its promotions, so that the mover, which serves them in that order,
 * brings the most accessed memory up while it still makes room for the
 * rest, instead of after all of the room is made.
 */
export function exchangeBatches(
  steps: ExchangePlan["steps"],
  batchPages = EXCHANGE_BATCH_PAGES,
): { demote: RankedRange[]; promote: RankedRange[] }[] {
  const out: { demote: RankedRange[]; promote: RankedRange[] }[] = [];
  let pages = batchPages;
  for (const step of steps) {
    if (pages >= batchPages) {
      out.push({ demote: [], promote: [] });
      pages = 0;
    }
    const batch = out[out.length - 1]!;
    batch.demote.push(...step.demote);
    batch.promote.push(step.promote);
    pages += step.promote.otherPages;
  }
  return out;
}

/**
 * The ranges of each pid in the order given, less what an earlier one of
 * the same pid covers (a tracker whose ranges overlap, such as damon, would
 * put a page in a task twice).
 */
export function inOrderByPid(ranges: readonly RankedRange[]): Map<number, AddrRange[]> {
  const byPid = new Map<number, AddrRange[]>();
  for (const r of ranges) {
    let l = byPid.get(r.pid);
    if (!l) byPid.set(r.pid, l = []);
    if (intersectRanges(l, [r.range]).length === 0) l.push(r.range);
  }
  return byPid;
}
