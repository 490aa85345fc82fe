/**
 * The system calls memtierd makes, as one interface, so that every component
 * can be driven by the real kernel (`libcSyscalls()`) or by a fake one in
 * tests (`FakeKernel`). Arguments are plain numbers and typed arrays; the
 * conversion to pointers and 64-bit words happens only in libc.ts.
 *
 * @module
 */

/** `flags` for move_pages(2): move pages mapped only by this process. */
export const MPOL_MF_MOVE = 1 << 1;
/** `flags` for move_pages(2): move shared pages too (needs CAP_SYS_NICE). */
export const MPOL_MF_MOVE_ALL = 1 << 2;
/** `advice` for process_madvise(2): reclaim (swap or drop) the pages now. */
export const MADV_PAGEOUT = 21;
/** `advice` for process_madvise(2): deactivate the pages. */
export const MADV_COLD = 20;
/** Most iovecs one process_madvise(2) call takes (IOV_MAX). */
export const IOV_MAX = 1024;

/** The system calls memtierd needs. Each throws `SyscallError` when it returns -1. */
export interface Syscalls {
  /**
   * move_pages(2) for the pages at `addrs` (page-aligned byte addresses) of `pid`.
   * With `nodes` null it only reports where each page is. Writes one entry per
   * page into `status`: the node the page is on, or a negative errno.
   * Returns how many pages were not moved (0 for a query).
   */
  movePages(
    pid: number,
    addrs: Float64Array,
    nodes: Int32Array | null,
    status: Int32Array,
    flags: number,
  ): number;
  /** pidfd_open(2): a file descriptor that refers to `pid`. */
  pidfdOpen(pid: number): number;
  /**
   * process_madvise(2) with `iov` as `[base, lengthBytes, base, lengthBytes, ...]`
   * (at most IOV_MAX pairs). Returns the number of bytes advised, which can be
   * fewer than asked: callers loop on short returns.
   */
  processMadvise(pidfd: number, iov: Float64Array, advice: number): number;
  /**
   * Whether the process a pidfd refers to has exited: poll(2) on the pidfd
   * with no wait. Optional: without it a reused pid is told apart by its
   * start time alone.
   */
  pidfdExited?(pidfd: number): boolean;
  /**
   * openat(2) of `path` read-only with O_NONBLOCK (and O_CLOEXEC): a
   * descriptor whose reads never wait, for pipes such as tracefs's
   * `trace_pipe`. Optional: without it such files are not read.
   */
  openNonblocking?(path: string): number;
  /**
   * read(2) on a descriptor from `openNonblocking`: bytes read into `buf`, 0
   * at end of file, null when nothing is there now (EAGAIN).
   */
  readNonblocking?(fd: number, buf: Uint8Array): number | null;
  /** close(2). */
  close(fd: number): void;
}
