/**
 * Where pages are: move_pages(2) with nodes = NULL, in batches.
 *
 * @module
 */
import type { Syscalls } from "../ffi/syscalls.ts";
import { type TargetProbe, typedSyscallError } from "./syscall_errors.ts";

/** Pages per location query: queries are cheap per page, calls are not. */
export const LOCATE_BATCH_PAGES = 4096;

/**
 * The node of each page in `addrs` (or a negative errno: -ENOENT for a page
 * that is not present, -EFAULT for an address that is not mapped).
 */
export function locatePages(
  sys: Syscalls,
  pid: number,
  addrs: Float64Array,
  batchPages = LOCATE_BATCH_PAGES,
  probe?: TargetProbe,
  into: Int32Array = new Int32Array(addrs.length),
): Int32Array {
  const status = into.subarray(0, addrs.length);
  for (let i = 0; i < addrs.length; i += batchPages) {
    const end = Math.min(i + batchPages, addrs.length);
    try {
      sys.movePages(pid, addrs.subarray(i, end), null, status.subarray(i, end), 0);
    } catch (e) {
      throw typedSyscallError(e, pid, `find the nodes of pid ${pid}'s pages`, probe);
    }
  }
  return status;
}

/** Counts pages per node from location statuses; negatives are counted under their errno. */
export function countByNode(
  status: Int32Array,
): { nodes: Map<number, number>; errors: Map<number, number> } {
  const nodes = new Map<number, number>();
  const errors = new Map<number, number>();
  for (let i = 0; i < status.length; i++) {
    const s = status[i]!;
    if (s >= 0) nodes.set(s, (nodes.get(s) ?? 0) + 1);
    else errors.set(-s, (errors.get(-s) ?? 0) + 1);
  }
  return { nodes, errors };
}
