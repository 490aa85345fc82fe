/**
 * Reading a live process: that it is a user process, its anon/heap ranges,
 * and its pages from pagemap, with /proc errors turned into typed ones.
 *
 * @module
 */
import { KernelThreadError } from "../errors.ts";
import type { ProcFs } from "../procfs/proc_fs.ts";
import { PF_KTHREAD } from "../procfs/stat.ts";
import type { AddrRange } from "./addr_range.ts";
import type { PageList } from "./page_list.ts";
import { type PageFilter, scanPages } from "./page_scan.ts";

/** Checks that `pid` is a live user process; returns its command name. */
export function userProcessName(procfs: ProcFs, pid: number): string {
  const stat = procfs.stat(pid);
  if ((stat.flags & PF_KTHREAD) !== 0) throw new KernelThreadError(pid, stat.comm);
  return stat.comm;
}

/** The pages of `ranges` of `pid` whose pagemap flags pass `filter`. */
export function readPages(
  procfs: ProcFs,
  pid: number,
  ranges: readonly AddrRange[],
  filter: PageFilter,
): PageList {
  const pagemap = procfs.openPagemap(pid);
  try {
    return scanPages(pid, pagemap, ranges, filter);
  } catch (e) {
    throw procfs.fileError(pid, "pagemap", e);
  } finally {
    pagemap.close();
  }
}
