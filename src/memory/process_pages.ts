/**
 * Reading a live process: that it is a user process, its anon/heap ranges,
 * and its pages from pagemap, with /proc errors turned into typed ones.
 *
 * @module
 */
import { KernelThreadError, ThreadIdError } from "../errors.ts";
import type { NumaMapsEntry } from "../procfs/numa_maps.ts";
import type { ProcFs } from "../procfs/proc_fs.ts";
import { PF_KTHREAD } from "../procfs/stat.ts";
import type { AddrRange } from "./addr_range.ts";
import type { PageList } from "./page_list.ts";
import { type MovableMapping, selectMovableMappings } from "./process_ranges.ts";
import { type PageFilter, scanPages } from "./page_scan.ts";

/**
 * Checks that `pid` is a live user process (not a kernel thread, not a
 * zombie: `ProcessGoneError`); returns its command name.
 */
export function userProcessName(procfs: ProcFs, pid: number): string {
  const stat = procfs.stat(pid);
  if ((stat.flags & PF_KTHREAD) !== 0) throw new KernelThreadError(pid, stat.comm);
  if (stat.state === "Z") throw procfs.goneError(pid);
  const processId = procfs.processOf(pid);
  if (processId !== undefined && processId !== pid) throw new ThreadIdError(pid, processId);
  return stat.comm;
}

/**
 * The anon/heap mappings of a live user process with numa_maps' counts.
 * Files of a process that exits under us read empty, or fail: either way
 * this throws `ProcessGoneError` then, never returns an empty answer for a
 * process that is gone.
 */
export function readProcessMemory(
  procfs: ProcFs,
  pid: number,
): { mappings: MovableMapping[]; numaMaps: NumaMapsEntry[] } {
  const maps = procfs.maps(pid);
  const numaMaps = procfs.numaMaps(pid);
  if ((maps.length === 0 || numaMaps.length === 0) && procfs.isGone(pid)) {
    throw procfs.goneError(pid);
  }
  return { mappings: selectMovableMappings(maps, numaMaps), numaMaps };
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
