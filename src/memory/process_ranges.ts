/**
 * Which address ranges of a process memtierd works on.
 *
 * As in the Go memtierd: the /proc/PID/maps ranges whose /proc/PID/numa_maps
 * line shows anonymous pages (`anon=`) or marks the heap. Unlike the Go one,
 * also private, writable anonymous mappings that have no page in memory
 * right now: numa_maps counts only resident pages, so a mapping swapped out
 * entirely would vanish from the ranges, and swap-in could never bring it
 * back. (Reserved PROT_NONE areas stay out: they cannot hold data.) File-backed pages
 * that were never written are left alone: they are page cache, shared with
 * other processes, and moving them is not what a user of memtierd asks for.
 * Unlike the Go one, the numa_maps line is parsed, so a file whose name
 * contains "heap" is not taken for the heap.
 *
 * @module
 */
import type { MapsEntry } from "../procfs/maps.ts";
import type { NumaMapsEntry } from "../procfs/numa_maps.ts";
import type { ProcFs } from "../procfs/proc_fs.ts";
import type { AddrRange } from "./addr_range.ts";

/**
 * A mapping memtierd works on, with the kernel's count of its pages per
 * node from numa_maps. Counts are in 4 KiB pages: numa_maps counts a
 * hugetlb mapping in its own page size (`kernelpagesize_kB=2048`), which is
 * converted here, and a transparent huge page already as 512 base pages.
 */
export interface MovableMapping extends AddrRange {
  /** Present pages per node, in 4 KiB pages (numa_maps `N<node>=`). */
  readonly pagesByNode: ReadonlyMap<number, number>;
  /** Sum of `pagesByNode`. */
  readonly presentPages: number;
  /** The mapping's page size (4 for base pages, 2048 for 2 MiB hugetlb pages). */
  readonly pageSizeKiB: number;
}

/** Picks the anon/heap mappings from a process's maps and numa_maps (pure). */
export function selectMovableMappings(
  maps: readonly MapsEntry[],
  numaMaps: readonly NumaMapsEntry[],
): MovableMapping[] {
  const byStart = new Map<bigint, NumaMapsEntry>();
  for (const e of numaMaps) byStart.set(e.start, e);
  const out: MovableMapping[] = [];
  for (const m of maps) {
    const n = byStart.get(m.start);
    const anonymous = m.pathname === "" && m.perms.startsWith("rw") && m.perms[3] === "p";
    if (!anonymous && !(n && (n.heap || n.anonPages > 0))) continue;
    if (m.end > BigInt(Number.MAX_SAFE_INTEGER)) continue; // never user memory
    const pageSizeKiB = n?.pageSizeKiB ?? 4;
    const per4KiB = Math.max(1, pageSizeKiB / 4);
    const pagesByNode = new Map<number, number>();
    let presentPages = 0;
    for (const [node, count] of n?.pagesByNode ?? []) {
      pagesByNode.set(node, count * per4KiB);
      presentPages += count * per4KiB;
    }
    out.push({
      startAddr: Number(m.start),
      endAddr: Number(m.end),
      pagesByNode,
      presentPages,
      pageSizeKiB,
    });
  }
  return out;
}

/** Picks the anon/heap ranges from a process's maps and numa_maps (pure). */
export function selectAnonHeapRanges(
  maps: readonly MapsEntry[],
  numaMaps: readonly NumaMapsEntry[],
): AddrRange[] {
  return selectMovableMappings(maps, numaMaps).map((m) => ({
    startAddr: m.startAddr,
    endAddr: m.endAddr,
  }));
}

/** The anon/heap ranges of a live process (or of a fixture tree). */
export function processRanges(procfs: ProcFs, pid: number): AddrRange[] {
  return selectAnonHeapRanges(procfs.maps(pid), procfs.numaMaps(pid));
}
