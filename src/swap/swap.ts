/**
 * Swapping a process's memory out and in, and reading where it is.
 *
 * Out: pidfd_open + process_madvise(MADV_PAGEOUT) over at most IOV_MAX ranges
 * per call, looping on short returns (the kernel advises at most 2 GiB - 4 KiB
 * per call). In: reading the swapped-out pages through /proc/PID/mem, which
 * faults them back in; only runs of swapped pages are read, so memory that was
 * never touched is not made resident. Status: the pagemap swap bit.
 *
 * @module
 */
import { Errno } from "../ffi/errno.ts";
import { SyscallError } from "../ffi/syscall_error.ts";
import { IOV_MAX, MADV_PAGEOUT, type Syscalls } from "../ffi/syscalls.ts";
import { PAGE_SIZE_BYTES } from "../common/units.ts";
import type { AddrRange } from "../memory/addr_range.ts";
import { forEachPagemapChunk } from "../memory/page_scan.ts";
import { typedSyscallError } from "../memory/syscall_errors.ts";
import { PM } from "../procfs/pagemap.ts";
import type { ProcFs } from "../procfs/proc_fs.ts";
import type { Stats } from "../stats/stats.ts";

/** What a swap-out did. */
export interface SwapOutResult {
  requestedPages: number;
  advisedPages: number;
  calls: number;
}

/**
 * Advises the kernel to page out `ranges` of `pid` (MADV_PAGEOUT). Pages
 * that are not present are skipped by the kernel; anonymous pages go to
 * swap, clean file pages are dropped.
 */
export function swapOutRanges(
  sys: Syscalls,
  pid: number,
  ranges: readonly AddrRange[],
  stats?: Stats,
): SwapOutResult {
  const result: SwapOutResult = { requestedPages: 0, advisedPages: 0, calls: 0 };
  if (ranges.length === 0) return result;
  const doing = `swap out pages of pid ${pid}`;
  let pidfd: number;
  try {
    pidfd = sys.pidfdOpen(pid);
  } catch (e) {
    throw typedSyscallError(e, pid, doing);
  }
  try {
    for (let i = 0; i < ranges.length; i += IOV_MAX) {
      const chunk = ranges.slice(i, i + IOV_MAX);
      const iov = new Float64Array(2 * chunk.length);
      chunk.forEach((r, k) => {
        iov[2 * k] = r.startAddr;
        iov[2 * k + 1] = r.endAddr - r.startAddr;
      });
      let first = 0; // first iovec not yet fully advised
      while (first < chunk.length) {
        const rest = iov.subarray(2 * first);
        let asked = 0;
        for (let k = 1; k < rest.length; k += 2) asked += rest[k]!;
        const askedPages = Math.round(asked / PAGE_SIZE_BYTES);
        let done: number;
        try {
          done = sys.processMadvise(pidfd, rest, MADV_PAGEOUT);
        } catch (e) {
          if (e instanceof SyscallError) {
            stats?.recordMadvise(pid, MADV_PAGEOUT, askedPages, e.errno);
          }
          throw typedSyscallError(e, pid, doing);
        } finally {
          result.calls++;
        }
        const donePages = Math.round(done / PAGE_SIZE_BYTES);
        stats?.recordMadvise(pid, MADV_PAGEOUT, donePages, 0);
        result.requestedPages += donePages;
        result.advisedPages += donePages;
        if (done <= 0) {
          // No progress: skip the iovec the kernel stopped at.
          result.requestedPages += Math.round(rest[1]! / PAGE_SIZE_BYTES);
          first++;
          continue;
        }
        // Skip what was advised: whole iovecs, then part of the next one.
        let left = done;
        while (first < chunk.length && left >= iov[2 * first + 1]!) {
          left -= iov[2 * first + 1]!;
          first++;
        }
        if (first < chunk.length && left > 0) {
          iov[2 * first] = iov[2 * first]! + left;
          iov[2 * first + 1] = iov[2 * first + 1]! - left;
        }
      }
    }
  } finally {
    try {
      sys.close(pidfd);
    } catch {
      // closing a pidfd cannot fail in a way that matters here
    }
  }
  return result;
}

/** Where the pages of some ranges are: counts and the runs of swapped-out pages. */
export interface SwapStatus {
  /** Pages present in memory or swapped out. */
  pages: number;
  swappedPages: number;
  /** Contiguous runs of swapped-out pages. */
  swappedRanges: AddrRange[];
}

/** Reads the swap state of `ranges` of `pid` from pagemap. */
export function swapStatus(procfs: ProcFs, pid: number, ranges: readonly AddrRange[]): SwapStatus {
  const out: SwapStatus = { pages: 0, swappedPages: 0, swappedRanges: [] };
  let runStart = -1;
  let runEnd = -1;
  const flush = () => {
    if (runStart >= 0) out.swappedRanges.push({ startAddr: runStart, endAddr: runEnd });
    runStart = -1;
  };
  const pagemap = procfs.openPagemap(pid);
  try {
    forEachPagemapChunk(pagemap, ranges, (words, count, firstAddr) => {
      for (let i = 0; i < count; i++) {
        const hi = words[2 * i + 1]!;
        const addr = firstAddr + i * PAGE_SIZE_BYTES;
        if ((hi & PM.SWAP) !== 0) {
          out.pages++;
          out.swappedPages++;
          if (runStart >= 0 && addr === runEnd) runEnd += PAGE_SIZE_BYTES;
          else {
            flush();
            runStart = addr;
            runEnd = addr + PAGE_SIZE_BYTES;
          }
        } else {
          if ((hi & PM.PRESENT) !== 0) out.pages++;
          flush();
        }
      }
    });
  } catch (e) {
    throw procfs.fileError(pid, "pagemap", e);
  } finally {
    pagemap.close();
  }
  flush();
  return out;
}

/** Pages read back per read of /proc/PID/mem. */
const SWAP_IN_CHUNK_PAGES = 64;

/**
 * Brings the swapped-out pages of `ranges` back into memory by reading them
 * through /proc/PID/mem. Returns the number of pages read.
 */
export function swapInRanges(procfs: ProcFs, pid: number, ranges: readonly AddrRange[]): number {
  const { swappedRanges } = swapStatus(procfs, pid, ranges);
  if (swappedRanges.length === 0) return 0;
  const mem = procfs.openMem(pid);
  const buf = new Uint8Array(SWAP_IN_CHUNK_PAGES * PAGE_SIZE_BYTES);
  let pages = 0;
  try {
    for (const r of swappedRanges) {
      for (let addr = r.startAddr; addr < r.endAddr;) {
        const len = Math.min(buf.length, r.endAddr - addr);
        mem.seekSync(addr, Deno.SeekMode.Start);
        const n = mem.readSync(buf.subarray(0, len));
        if (n === null || n <= 0) throw new SyscallError("read /proc/PID/mem", Errno.EIO);
        addr += n;
        pages += Math.ceil(n / PAGE_SIZE_BYTES);
      }
    }
  } catch (e) {
    throw procfs.fileError(pid, "mem", e);
  } finally {
    mem.close();
  }
  return pages;
}
