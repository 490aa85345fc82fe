/**
 * The page-exact view of where a process's memory is (`memtierd --exact`):
 * every present page of the ranges from pagemap, located with move_pages,
 * chunk by chunk, so that memory stays bounded by a chunk (64 Ki pages,
 * about 1 MiB of arrays) whatever the size of the process.
 *
 * The kernel's shared zero page (mapped where a process read memory it never
 * wrote) is not movable memory: pagemap shows it present and not exclusive,
 * and move_pages cannot follow it (FOLL_DUMP) and says EFAULT. A present,
 * non-exclusive page with EFAULT is therefore counted as the zero page, not
 * as a movable page; numa_maps does not count it either. (A page unmapped
 * between the scan and the query gives the same answer: it is not there to
 * move either.) Present pages with another error (ENOENT: swapped out or
 * unmapped since the scan) are counted by errno.
 *
 * @module
 */
import { ProcessGoneError } from "../errors.ts";
import { Errno, errnoName } from "../ffi/errno.ts";
import type { Syscalls } from "../ffi/syscalls.ts";
import { PAGEMAP_CHUNK_ENTRIES, type PagemapSource, PM } from "../procfs/pagemap.ts";
import { type AddrRange, PAGE_SIZE_BYTES } from "./addr_range.ts";
import { locatePages } from "./locate.ts";
import type { TargetProbe } from "./syscall_errors.ts";

/** Where the present pages of some ranges are, page by page. */
export interface ExactCensus {
  /** Movable pages per node (the zero page left out). */
  pagesByNode: Map<number, number>;
  /** Sum of `pagesByNode`. */
  movablePages: number;
  /** Of those, pages mapped by other processes too (not exclusive). */
  sharedPages: number;
  /** Present entries that are the kernel's shared zero page. */
  zeroPages: number;
  /** Present pages move_pages could not place, by errno name (gone since the scan). */
  unlocatedByErrno: Map<string, number>;
}

/**
 * Counts the present pages of `ranges` per node. Throws `ProcessGoneError`
 * when the process exits under it (a short pagemap read of a process that
 * is gone, or the move_pages errors of one).
 */
export function exactCensus(
  sys: Syscalls,
  pid: number,
  pagemap: PagemapSource,
  ranges: readonly AddrRange[],
  probe: TargetProbe,
  chunkEntries = PAGEMAP_CHUNK_ENTRIES,
): ExactCensus {
  const census: ExactCensus = {
    pagesByNode: new Map(),
    movablePages: 0,
    sharedPages: 0,
    zeroPages: 0,
    unlocatedByErrno: new Map(),
  };
  const words = new Uint32Array(2 * chunkEntries);
  const addrs = new Float64Array(chunkEntries);
  const flags = new Uint32Array(chunkEntries);
  const where = new Int32Array(chunkEntries);
  for (const r of ranges) {
    for (let addr = r.startAddr; addr < r.endAddr;) {
      const want = Math.min(chunkEntries, Math.ceil((r.endAddr - addr) / PAGE_SIZE_BYTES));
      const got = pagemap.read(addr, want, words);
      let n = 0;
      for (let i = 0; i < got; i++) {
        const hi = words[2 * i + 1]!;
        if ((hi & PM.PRESENT) === 0) continue;
        addrs[n] = addr + i * PAGE_SIZE_BYTES;
        flags[n++] = hi;
      }
      if (n > 0) {
        count(census, locatePages(sys, pid, addrs.subarray(0, n), undefined, probe, where), flags);
      }
      if (got < want) {
        if (probe.isGone(pid)) throw new ProcessGoneError(pid);
        break; // the mapping shrank since maps was read
      }
      addr += want * PAGE_SIZE_BYTES;
    }
  }
  return census;
}

function count(c: ExactCensus, where: Int32Array, flags: Uint32Array): void {
  for (let i = 0; i < where.length; i++) {
    const s = where[i]!;
    const exclusive = (flags[i]! & PM.EXCLUSIVE) !== 0;
    if (s >= 0) {
      c.pagesByNode.set(s, (c.pagesByNode.get(s) ?? 0) + 1);
      c.movablePages++;
      if (!exclusive) c.sharedPages++;
    } else if (s === -Errno.EFAULT && !exclusive) {
      c.zeroPages++;
    } else {
      const name = errnoName(-s);
      c.unlocatedByErrno.set(name, (c.unlocatedByErrno.get(name) ?? 0) + 1);
    }
  }
}
