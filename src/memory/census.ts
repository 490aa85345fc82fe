/**
 * The page census of a process: for some of its address ranges, how many
 * pages are present, how many of those the process maps alone (exclusive,
 * the pages memtierd moves), how many are swapped out, and on which node
 * each present, exclusive page is. One walk serves every policy: pagemap
 * read in bounded chunks (`PAGEMAP_CHUNK_ENTRIES`), and each chunk's
 * present, exclusive pages located with one move_pages query (nodes =
 * NULL, in batches: locate.ts), so memory stays bounded by a chunk
 * whatever the size of the process.
 *
 * `pageCensus` counts per range; `forEachExclusivePage` hands the pages
 * themselves, with their nodes, to a caller that builds a mover task.
 * A page move_pages cannot place (unmapped or swapped out since pagemap
 * was read) is on no node. A process that exits during the walk comes
 * out as `ProcessGoneError`; a range that shrank since maps was read ends
 * where pagemap ends.
 *
 * @module
 */
import type { Syscalls } from "../ffi/syscalls.ts";
import { PAGEMAP_CHUNK_ENTRIES, PM } from "../procfs/pagemap.ts";
import type { ProcFs } from "../procfs/proc_fs.ts";
import { type AddrRange, PAGE_SIZE_BYTES } from "./addr_range.ts";
import { locatePages } from "./locate.ts";

/** The pages of one range, as the census found them. */
export interface RangeCensus {
  /** Present pages. */
  present: number;
  /** Of those, mapped by this process alone. */
  exclusive: number;
  /** Swapped-out pages. */
  swapped: number;
  /** Present, exclusive pages per node (located only: empty otherwise). */
  byNode: Map<number, number>;
}

/** Whose pages, read how. */
export interface CensusSource {
  procfs: ProcFs;
  /** Called only when pages are located. */
  syscalls: () => Syscalls;
  pid: number;
}

/** What the walk hands over per chunk: the present, exclusive pages and their nodes. */
type ChunkVisit = (
  range: number,
  counts: { present: number; swapped: number },
  addrs: Float64Array,
  nodes: Int32Array | null,
) => void;

function walk(
  src: CensusSource,
  ranges: readonly AddrRange[],
  locate: boolean,
  visit: ChunkVisit,
  chunkEntries: number,
): void {
  const { procfs, pid } = src;
  const words = new Uint32Array(2 * chunkEntries);
  const addrs = new Float64Array(chunkEntries);
  const nodes = new Int32Array(chunkEntries);
  const both = PM.PRESENT | PM.EXCLUSIVE;
  const pagemap = procfs.openPagemap(pid);
  try {
    ranges.forEach((r, i) => {
      for (let addr = r.startAddr; addr < r.endAddr;) {
        const want = Math.min(chunkEntries, Math.ceil((r.endAddr - addr) / PAGE_SIZE_BYTES));
        let got: number;
        try {
          got = pagemap.read(addr, want, words);
        } catch (e) {
          throw procfs.fileError(pid, "pagemap", e);
        }
        const counts = { present: 0, swapped: 0 };
        let n = 0;
        for (let k = 0; k < got; k++) {
          const hi = words[2 * k + 1]!;
          if (hi & PM.PRESENT) {
            counts.present++;
            if ((hi & both) === both) addrs[n++] = addr + k * PAGE_SIZE_BYTES;
          } else if (hi & PM.SWAP) counts.swapped++;
        }
        const located = addrs.subarray(0, n);
        const where = !locate
          ? null
          : n === 0
          ? nodes.subarray(0, 0)
          : locatePages(src.syscalls(), pid, located, undefined, undefined, nodes);
        visit(i, counts, located, where);
        if (got < want) {
          if (procfs.isGone(pid)) throw procfs.goneError(pid);
          break; // the mapping shrank since maps was read
        }
        addr += want * PAGE_SIZE_BYTES;
      }
    });
  } finally {
    pagemap.close();
  }
}

/**
 * Counts the pages of each of `ranges` (one census per range, in order);
 * with `locate`, the node of each present, exclusive page too.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert";
 * import { pageCensus } from "./census.ts";
 * import { FakeKernel } from "../testing/fake_kernel.ts";
 * import { fakeSystem } from "../testing/fake_system.ts";
 * const k = new FakeKernel().addNode(0, 1024).addNode(1, 1024);
 * k.addProcess(7, "app", [{ startAddr: 0x10000, pages: 8, kind: "anon" }]);
 * k.populate(7, 0, 1, 6);
 * const sys = fakeSystem(k);
 * const range = { startAddr: 0x10000, endAddr: 0x10000 + 8 * 4096 };
 * const src = { procfs: sys.procfs, syscalls: () => sys.syscalls, pid: 7 };
 * const [c] = pageCensus(src, [range], true);
 * strictEqual(c!.present, 6);
 * strictEqual(c!.byNode.get(1), 6);
 * ```
 */
export function pageCensus(
  src: CensusSource,
  ranges: readonly AddrRange[],
  locate: boolean,
  chunkEntries = PAGEMAP_CHUNK_ENTRIES,
): RangeCensus[] {
  const out: RangeCensus[] = ranges.map(() => ({
    present: 0,
    exclusive: 0,
    swapped: 0,
    byNode: new Map(),
  }));
  walk(src, ranges, locate, (i, counts, addrs, nodes) => {
    const c = out[i]!;
    c.present += counts.present;
    c.swapped += counts.swapped;
    c.exclusive += addrs.length;
    if (!nodes) return;
    for (let k = 0; k < nodes.length; k++) {
      const node = nodes[k]!;
      if (node >= 0) c.byNode.set(node, (c.byNode.get(node) ?? 0) + 1);
    }
  }, chunkEntries);
  return out;
}

/**
 * Hands over the present, exclusive pages of `ranges` chunk by chunk, with
 * their nodes (negative: on no node) when `locate`, else null.
 */
export function forEachExclusivePage(
  src: CensusSource,
  ranges: readonly AddrRange[],
  locate: boolean,
  visit: (addrs: Float64Array, nodes: Int32Array | null) => void,
  chunkEntries = PAGEMAP_CHUNK_ENTRIES,
): void {
  walk(src, ranges, locate, (_i, _counts, addrs, nodes) => visit(addrs, nodes), chunkEntries);
}
