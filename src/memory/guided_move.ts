/**
 * A whole-process move guided by numa_maps and streamed: the kernel's own
 * count of each mapping's pages per node decides where memtierd looks at
 * all, and the pages it does look at go through fixed-size buffers, so that
 * its memory is bounded by a batch, not by the size of the process.
 *
 *   planGuidedMove (pure)   per mapping, from numa_maps:
 *     skip    nothing to move: every page already on the target, or none
 *             on the --move-from node
 *     all     no page on the target and (without --move-from, or with every
 *             page on that node): every present page goes, unlocated
 *     locate  mixed: pages are located in batches, only those not on the
 *             target (and on --move-from) go
 *   moveGuided              pass 1: pages mapped only by this process;
 *                           pass 2: pages shared with other processes
 *                           (mostly EACCES without MPOL_MF_MOVE_ALL) and the
 *                           zero page, located first, only in the mappings
 *                           where pass 1 saw some. So shared pages come last
 *                           under a count, as in the page-list planner.
 *
 * Counts are 4 KiB pages (a huge page counts as the base pages it holds).
 *
 * @module
 */
import { ProcessGoneError } from "../errors.ts";
import { Errno, errnoName } from "../ffi/errno.ts";
import type { Syscalls } from "../ffi/syscalls.ts";
import { PAGEMAP_CHUNK_ENTRIES, type PagemapSource, PM } from "../procfs/pagemap.ts";
import { PAGE_SIZE_BYTES } from "./addr_range.ts";
import { LOCATE_BATCH_PAGES, locatePages } from "./locate.ts";
import { type MoveOutcome, type MoveRequest, PageMover } from "./move.ts";
import type { MovableMapping } from "./process_ranges.ts";
import type { TargetProbe } from "./syscall_errors.ts";

/** How one mapping is handled. */
export type MappingMode = "skip" | "all" | "locate";

/** What numa_maps says about a move, before any page is looked at. */
export interface GuidedMovePlan {
  /** Present pages of the movable mappings. */
  candidatePages: number;
  /** Of those, pages already on the target node. */
  alreadyOnTargetPages: number;
  /** Pages on neither the target nor the --move-from node. */
  notOnSourcePages: number;
  /** Pages the move could take: candidate - already there - not on source. */
  eligiblePages: number;
  mappings: { mapping: MovableMapping; mode: MappingMode }[];
}

/** Chooses what to do with each mapping from numa_maps' counts (pure). */
export function planGuidedMove(
  mappings: readonly MovableMapping[],
  req: MoveRequest,
): GuidedMovePlan {
  const plan: GuidedMovePlan = {
    candidatePages: 0,
    alreadyOnTargetPages: 0,
    notOnSourcePages: 0,
    eligiblePages: 0,
    mappings: [],
  };
  for (const m of mappings) {
    const onTarget = m.pagesByNode.get(req.toNode) ?? 0;
    const source = req.fromNode === undefined
      ? m.presentPages - onTarget
      : m.pagesByNode.get(req.fromNode) ?? 0;
    plan.candidatePages += m.presentPages;
    plan.alreadyOnTargetPages += onTarget;
    plan.notOnSourcePages += m.presentPages - onTarget - source;
    plan.eligiblePages += source;
    const mode: MappingMode = source === 0
      ? "skip"
      : onTarget === 0 && source === m.presentPages
      ? "all"
      : "locate";
    plan.mappings.push({ mapping: m, mode });
  }
  return plan;
}

/** Options of `moveGuided`. */
export interface GuidedMoveOptions {
  batchPages?: number | undefined;
  probe: TargetProbe;
  onProgress?: (donePages: number, totalPages: number) => void;
  /** Pagemap entries per read (default 64 Ki). */
  chunkEntries?: number;
}

/** What a guided move did. */
export interface GuidedMoveResult {
  /** Pages handed to move_pages. */
  plannedPages: number;
  /** Of those, pages shared with other processes. */
  sharedPlannedPages: number;
  /** Eligible pages (by numa_maps) left out by --count. */
  overCountPages: number;
  /** Present pages that were the kernel's shared zero page (not movable). */
  zeroPages: number;
  /** Present pages move_pages could not place when located, by errno name. */
  unlocatedByErrno: Map<string, number>;
  /** Pages located with a move_pages query before moving. */
  locatedPages: number;
  /** Mappings by how they were handled. */
  mappingsByMode: Record<MappingMode, number>;
  outcome: MoveOutcome;
}

/**
 * Moves pages of `pid` to `req.toNode` as `plan` says, at most
 * `req.countPages` of them. A process that exits ends the move: the result
 * says what was done (`outcome.processGone`).
 */
export function moveGuided(
  sys: Syscalls,
  pid: number,
  pagemap: PagemapSource,
  plan: GuidedMovePlan,
  req: MoveRequest,
  options: GuidedMoveOptions,
): GuidedMoveResult {
  const { toNode, fromNode } = req;
  const limit = req.countPages ?? Infinity;
  const chunkEntries = options.chunkEntries ?? PAGEMAP_CHUNK_ENTRIES;
  const mover = new PageMover(sys, pid, toNode, {
    ...(options.batchPages !== undefined ? { batchPages: options.batchPages } : {}),
    probe: options.probe,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  mover.totalPages = Math.min(limit, plan.eligiblePages);
  const result: GuidedMoveResult = {
    plannedPages: 0,
    sharedPlannedPages: 0,
    overCountPages: 0,
    zeroPages: 0,
    unlocatedByErrno: new Map(),
    locatedPages: 0,
    mappingsByMode: { skip: 0, all: 0, locate: 0 },
    outcome: mover.outcome,
  };
  const words = new Uint32Array(2 * chunkEntries);
  const locBatch = Math.min(LOCATE_BATCH_PAGES, chunkEntries);
  const locAddrs = new Float64Array(locBatch);
  const locWhere = new Int32Array(locBatch);
  let locLength = 0;
  let shared = false;
  const full = () => result.plannedPages >= limit || mover.outcome.processGone;
  const take = (addr: number) => {
    mover.add(addr);
    result.plannedPages++;
    if (shared) result.sharedPlannedPages++;
  };
  const flushLocate = () => {
    if (locLength === 0) return;
    const where = locatePages(
      sys,
      pid,
      locAddrs.subarray(0, locLength),
      undefined,
      options.probe,
      locWhere,
    );
    result.locatedPages += locLength;
    for (let i = 0; i < locLength && !full(); i++) {
      const s = where[i]!;
      if (s < 0) {
        const name = shared && s === -Errno.EFAULT ? "" : errnoName(-s);
        if (name === "") result.zeroPages++;
        else result.unlocatedByErrno.set(name, (result.unlocatedByErrno.get(name) ?? 0) + 1);
      } else if (s !== toNode && (fromNode === undefined || s === fromNode)) {
        take(locAddrs[i]!);
      }
    }
    locLength = 0;
  };
  /** Visits the present pages of a mapping that pass 1 (exclusive) or 2 (shared) takes. */
  const scan = (m: MovableMapping, locate: boolean, sharedSeen: number[], index: number) => {
    for (let addr = m.startAddr; addr < m.endAddr && !full();) {
      const want = Math.min(chunkEntries, Math.ceil((m.endAddr - addr) / PAGE_SIZE_BYTES));
      const got = pagemap.read(addr, want, words);
      for (let i = 0; i < got && !full(); i++) {
        const hi = words[2 * i + 1]!;
        if ((hi & PM.PRESENT) === 0) continue;
        if (((hi & PM.EXCLUSIVE) === 0) !== shared) {
          if (!shared) sharedSeen[index]!++;
          continue;
        }
        const a = addr + i * PAGE_SIZE_BYTES;
        if (!locate) take(a);
        else {
          locAddrs[locLength++] = a;
          if (locLength === locBatch) flushLocate();
        }
      }
      if (got < want) {
        if (options.probe.isGone(pid)) throw new ProcessGoneError(pid);
        break; // the mapping shrank since maps was read
      }
      addr += want * PAGE_SIZE_BYTES;
    }
    flushLocate();
  };
  try {
    const sharedSeen = plan.mappings.map(() => 0);
    plan.mappings.forEach(({ mode }) => result.mappingsByMode[mode]++);
    plan.mappings.forEach(({ mapping, mode }, i) => {
      if (mode !== "skip" && !full()) scan(mapping, mode === "locate", sharedSeen, i);
    });
    shared = true;
    plan.mappings.forEach(({ mapping, mode }, i) => {
      if (mode !== "skip" && sharedSeen[i]! > 0 && !full()) scan(mapping, true, sharedSeen, i);
    });
  } catch (e) {
    if (!(e instanceof ProcessGoneError)) throw e;
    mover.markGone();
  }
  mover.finish();
  if (result.plannedPages >= limit) {
    result.overCountPages = Math.max(0, plan.eligiblePages - result.plannedPages);
  }
  return result;
}
