/**
 * Moving pages of a process to a node: a pure planner and a batched
 * executor over the `Syscalls` layer.
 *
 * The executor copes with how move_pages(2) really reports: a per-page
 * status (the node, or -errno) for pages it looked at, but when migration of
 * a group of pages fails (the target node is full, pages are pinned) it
 * returns the number of pages not migrated and leaves the statuses of that
 * group and of every later page unwritten. Statuses are therefore preset to
 * a sentinel; pages left with it are located again (also when the call
 * fails as a whole with ENOMEM: the target node is full), and those not on the
 * target are tried once more before being reported as NOT_MIGRATED. Pages
 * that were busy (EBUSY, EAGAIN: locked or under I/O for a moment) get the
 * same second try.
 *
 * @module
 */
import { ProcessGoneError } from "../errors.ts";
import { Errno, errnoName } from "../ffi/errno.ts";
import { SyscallError } from "../ffi/syscall_error.ts";
import { MPOL_MF_MOVE, type Syscalls } from "../ffi/syscalls.ts";
import { PM } from "../procfs/pagemap.ts";
import { locatePages } from "./locate.ts";
import type { PageList } from "./page_list.ts";
import { type TargetProbe, typedSyscallError } from "./syscall_errors.ts";

/** Reason given for pages move_pages left without a status and did not move. */
export const NOT_MIGRATED = "NOT_MIGRATED";

/** Pages per move_pages call. */
export const MOVE_BATCH_PAGES = 1024;

const UNSET = -2147483648;

/** What to move: to `toNode`, optionally only from `fromNode`, at most `countPages`. */
export interface MoveRequest {
  toNode: number;
  fromNode?: number | undefined;
  countPages?: number | undefined;
}

/** The pages chosen for a move and why the others were not. */
export interface MovePlan {
  /** Pages looked at (all present pages of the ranges). */
  candidatePages: number;
  /** Pages already on the target node. */
  alreadyOnTargetPages: number;
  /** Pages skipped because they are not on `fromNode`. */
  notOnSourcePages: number;
  /** Pages whose node could not be found (gone since the scan). */
  unlocatedPages: number;
  /** Pages left out by the count limit. */
  overCountPages: number;
  /** Addresses to move: pages mapped only by this process first. */
  addrs: Float64Array;
  /** How many of `addrs` are shared with other processes (they fail with EACCES). */
  sharedPages: number;
}

/**
 * Chooses the pages to move (pure). Pages mapped only by this process come
 * first, so that a count limit is met by pages that can move; shared pages
 * follow and, without MPOL_MF_MOVE_ALL, fail with EACCES.
 */
export function planMove(pages: PageList, locations: Int32Array, req: MoveRequest): MovePlan {
  const { toNode, fromNode } = req;
  const limit = req.countPages ?? Infinity;
  let alreadyOnTargetPages = 0;
  let notOnSourcePages = 0;
  let unlocatedPages = 0;
  const eligible: number[] = [];
  const flags = pages.flags;
  for (let i = 0; i < pages.length; i++) {
    const loc = locations[i]!;
    if (loc < 0) unlocatedPages++;
    else if (loc === toNode) alreadyOnTargetPages++;
    else if (fromNode !== undefined && loc !== fromNode) notOnSourcePages++;
    else eligible.push(i);
  }
  const take = Math.min(limit, eligible.length);
  const addrs = new Float64Array(take);
  const src = pages.addrs;
  let n = 0;
  for (const wantExclusive of [true, false]) {
    for (let k = 0; k < eligible.length && n < take; k++) {
      const i = eligible[k]!;
      if (((flags[i]! & PM.EXCLUSIVE) !== 0) === wantExclusive) addrs[n++] = src[i]!;
    }
  }
  const sharedPages = Math.max(0, take - countExclusive(flags, eligible));
  return {
    candidatePages: pages.length,
    alreadyOnTargetPages,
    notOnSourcePages,
    unlocatedPages,
    overCountPages: eligible.length - take,
    addrs,
    sharedPages,
  };
}

function countExclusive(flags: Uint32Array, indices: number[]): number {
  let n = 0;
  for (const i of indices) if ((flags[i]! & PM.EXCLUSIVE) !== 0) n++;
  return n;
}

/**
 * One move_pages call, for statistics: each status is the page's node after
 * the call, or -errno. `status` is only valid during the callback.
 */
export interface MoveBatchRecord {
  pid: number;
  toNode: number;
  addrs: Float64Array;
  status: Int32Array;
  /** The call's return value: pages not migrated, or -1 when it failed with ENOMEM. */
  result: number;
}

/** Options of `movePagesToNode`. */
export interface MoveOptions {
  /** Pages per move_pages call (default MOVE_BATCH_PAGES). */
  batchPages?: number;
  /** move_pages flags (default MPOL_MF_MOVE). */
  flags?: number;
  /** Called after each batch with pages done and pages in all. */
  onProgress?: (donePages: number, totalPages: number) => void;
  /** Called after each move_pages call (for statistics). */
  onBatch?: (record: MoveBatchRecord) => void;
  /** Asked when a call fails: has the process gone, which privilege is missing. */
  probe?: TargetProbe;
}

/** What a move did. */
export interface MoveOutcome {
  /** Pages handed to the move. */
  requestedPages: number;
  /** Pages that are on the target node afterwards. */
  movedPages: number;
  /** Pages not moved, by reason: an errno name or NOT_MIGRATED. */
  failedByReason: Map<string, number>;
  /** Pages never tried because the process went away. */
  notAttemptedPages: number;
  /** The process exited during the move. */
  processGone: boolean;
  /** move_pages calls made (moves and location checks). */
  calls: number;
}

/** Sum of the failures of an outcome. */
export function failedPages(outcome: MoveOutcome): number {
  let n = 0;
  for (const v of outcome.failedByReason.values()) n += v;
  return n;
}

/**
 * Moves pages of `pid` to `toNode` as they are handed in (`add`), in
 * batches of `batchPages`, so that its memory is bounded by the batch and
 * not by the number of pages. Pages still on another node, or busy for a
 * moment, get one more try once `batchPages` of them have gathered, and at
 * `finish()`. A process that exits stops the mover: `outcome.processGone`,
 * and the pages handed in later are counted as not tried.
 */
export class PageMover {
  readonly outcome: MoveOutcome;
  readonly #sys: Syscalls;
  readonly #pid: number;
  readonly #toNode: number;
  readonly #options: MoveOptions;
  readonly #batchPages: number;
  readonly #flags: number;
  readonly #nodes: Int32Array;
  readonly #status: Int32Array;
  readonly #pending: Float64Array;
  #pendingLength = 0;
  readonly #retry: Float64Array;
  #retryLength = 0;
  #donePages = 0;
  /** Pages expected in all, for progress (may be an estimate). */
  totalPages = 0;

  constructor(sys: Syscalls, pid: number, toNode: number, options: MoveOptions = {}) {
    this.#sys = sys;
    this.#pid = pid;
    this.#toNode = toNode;
    this.#options = options;
    this.#batchPages = Math.max(1, options.batchPages ?? MOVE_BATCH_PAGES);
    this.#flags = options.flags ?? MPOL_MF_MOVE;
    this.#nodes = new Int32Array(this.#batchPages).fill(toNode);
    this.#status = new Int32Array(this.#batchPages);
    this.#pending = new Float64Array(this.#batchPages);
    this.#retry = new Float64Array(this.#batchPages);
    this.outcome = {
      requestedPages: 0,
      movedPages: 0,
      failedByReason: new Map(),
      notAttemptedPages: 0,
      processGone: false,
      calls: 0,
    };
  }

  /** Hands one page in; it moves when a batch is full. */
  add(addr: number): void {
    this.outcome.requestedPages++;
    if (this.outcome.processGone) {
      this.outcome.notAttemptedPages++;
      return;
    }
    this.#pending[this.#pendingLength++] = addr;
    if (this.#pendingLength === this.#batchPages) this.#flushPending();
  }

  /** The process went away outside the mover: what is pending is not tried. */
  markGone(): void {
    this.outcome.processGone = true;
    this.outcome.notAttemptedPages += this.#pendingLength + this.#retryLength;
    this.#pendingLength = 0;
    this.#retryLength = 0;
  }

  /** Moves what is pending and gives every page left its second try. */
  finish(): MoveOutcome {
    if (this.#pendingLength > 0) this.#flushPending();
    if (this.#retryLength > 0) this.#flushRetry();
    return this.outcome;
  }

  #flushPending(): void {
    const batch = this.#pending.subarray(0, this.#pendingLength);
    this.#guard(batch.length, () => {
      this.#moveBatch(batch, false);
      this.#donePages += batch.length;
      this.#options.onProgress?.(this.#donePages, Math.max(this.totalPages, this.#donePages));
    });
    this.#pendingLength = 0;
  }

  #flushRetry(): void {
    const batch = this.#retry.slice(0, this.#retryLength);
    this.#retryLength = 0;
    this.#guard(batch.length, () => this.#moveBatch(batch, true));
  }

  /** Runs `step`; a process that exits ends the move (counted, not thrown). */
  #guard(pages: number, step: () => void): void {
    if (this.outcome.processGone) {
      this.outcome.notAttemptedPages += pages;
      return;
    }
    try {
      step();
    } catch (e) {
      if (!(e instanceof ProcessGoneError)) throw e;
      this.outcome.processGone = true;
      const o = this.outcome;
      o.notAttemptedPages = o.requestedPages - o.movedPages - failedPages(o);
    }
  }

  /**
   * Moves one batch. Pages the kernel left without a status are located, so
   * that every status is settled (a node or -errno) before `onBatch` sees it.
   */
  #moveBatch(batch: Float64Array, last: boolean): void {
    const { outcome } = this;
    const sys = this.#sys;
    const pid = this.#pid;
    const toNode = this.#toNode;
    const st = this.#status.subarray(0, batch.length);
    st.fill(UNSET);
    let result: number;
    try {
      result = sys.movePages(pid, batch, this.#nodes.subarray(0, batch.length), st, this.#flags);
    } catch (e) {
      // A full target node makes the whole call fail with ENOMEM after it
      // moved what fitted: the pages left are located below like any other.
      if (!(e instanceof SyscallError && e.errno === Errno.ENOMEM)) {
        throw typedSyscallError(
          e,
          pid,
          `move pages of pid ${pid} to node ${toNode}`,
          this.#options.probe,
          this.#flags,
        );
      }
      result = -1;
    } finally {
      outcome.calls++;
    }
    let unset = 0;
    for (let i = 0; i < batch.length; i++) if (st[i] === UNSET) unset++;
    if (unset > 0) {
      const pending = new Float64Array(unset);
      for (let i = 0, k = 0; i < batch.length; i++) if (st[i] === UNSET) pending[k++] = batch[i]!;
      outcome.calls++;
      const where = locatePages(sys, pid, pending, undefined, this.#options.probe);
      for (let i = 0, k = 0; i < batch.length; i++) if (st[i] === UNSET) st[i] = where[k++]!;
    }
    this.#options.onBatch?.({ pid, toNode, addrs: batch, status: st, result });
    for (let i = 0; i < batch.length; i++) {
      const s = st[i]!;
      if (s === toNode) outcome.movedPages++;
      else if (!last && (s >= 0 || s === -Errno.EBUSY || s === -Errno.EAGAIN)) {
        this.#retry[this.#retryLength++] = batch[i]!;
        if (this.#retryLength === this.#batchPages) this.#flushRetry();
      } else {
        const reason = s >= 0 ? NOT_MIGRATED : errnoName(-s);
        outcome.failedByReason.set(reason, (outcome.failedByReason.get(reason) ?? 0) + 1);
      }
    }
  }
}

/** Moves `addrs` of `pid` to `toNode` in batches (see `PageMover`). */
export function movePagesToNode(
  sys: Syscalls,
  pid: number,
  addrs: Float64Array,
  toNode: number,
  options: MoveOptions = {},
): MoveOutcome {
  const mover = new PageMover(sys, pid, toNode, options);
  mover.totalPages = addrs.length;
  for (let i = 0; i < addrs.length; i++) mover.add(addrs[i]!);
  return mover.finish();
}
