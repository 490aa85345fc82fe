/**
 * Scans pagemap over address ranges and keeps the pages whose flags match.
 *
 * @module
 */
import { PAGE_SIZE_BYTES } from "./addr_range.ts";
import type { AddrRange } from "./addr_range.ts";
import { PageList } from "./page_list.ts";
import { PAGEMAP_CHUNK_ENTRIES, type PagemapSource, PM } from "../procfs/pagemap.ts";

/** Pagemap flags a page must have set and must have clear. */
export interface PageFilter {
  readonly mustSet: number;
  readonly mustClear: number;
}

/** Wanted page attributes; an attribute left out is not checked. */
export interface PageAttrs {
  present?: boolean;
  exclusive?: boolean;
  softDirty?: boolean;
  swapped?: boolean;
}

/**
 * Builds a filter from attributes.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert";
 * import { pageFilter } from "./page_scan.ts";
 * const f = pageFilter({ present: true, exclusive: true });
 * strictEqual(f.mustClear, 0);
 * ```
 */
export function pageFilter(attrs: PageAttrs): PageFilter {
  let mustSet = 0;
  let mustClear = 0;
  const add = (flag: number, want: boolean | undefined) => {
    if (want === true) mustSet |= flag;
    else if (want === false) mustClear |= flag;
  };
  add(PM.PRESENT, attrs.present);
  add(PM.EXCLUSIVE, attrs.exclusive);
  add(PM.SOFT_DIRTY, attrs.softDirty);
  add(PM.SWAP, attrs.swapped);
  return { mustSet, mustClear };
}

/**
 * Visits the pagemap entries of `ranges` chunk by chunk: `visit(words, count, firstAddr)`
 * gets two words per page (low, high). Stops early when the source returns
 * fewer entries than asked (the process's memory went away).
 */
export function forEachPagemapChunk(
  source: PagemapSource,
  ranges: readonly AddrRange[],
  visit: (words: Uint32Array, count: number, firstAddr: number) => void,
  chunkEntries = PAGEMAP_CHUNK_ENTRIES,
): void {
  const words = new Uint32Array(2 * chunkEntries);
  for (const r of ranges) {
    for (let addr = r.startAddr; addr < r.endAddr;) {
      const want = Math.min(chunkEntries, Math.ceil((r.endAddr - addr) / PAGE_SIZE_BYTES));
      const got = source.read(addr, want, words);
      if (got > 0) visit(words, got, addr);
      if (got < want) break;
      addr += want * PAGE_SIZE_BYTES;
    }
  }
}

/** The pages of `ranges` whose pagemap flags pass `filter`. */
export function scanPages(
  pid: number,
  source: PagemapSource,
  ranges: readonly AddrRange[],
  filter: PageFilter,
): PageList {
  const out = new PageList(pid);
  const { mustSet, mustClear } = filter;
  forEachPagemapChunk(source, ranges, (words, count, firstAddr) => {
    for (let i = 0; i < count; i++) {
      const hi = words[2 * i + 1]!;
      if ((hi & mustSet) === mustSet && (hi & mustClear) === 0) {
        out.push(firstAddr + i * PAGE_SIZE_BYTES, hi);
      }
    }
  });
  return out;
}

/** Counts the pages of `ranges` that pass `filter`, without listing them. */
export function countPages(
  source: PagemapSource,
  ranges: readonly AddrRange[],
  filter: PageFilter,
): number {
  let n = 0;
  const { mustSet, mustClear } = filter;
  forEachPagemapChunk(source, ranges, (words, count) => {
    for (let i = 0; i < count; i++) {
      const hi = words[2 * i + 1]!;
      if ((hi & mustSet) === mustSet && (hi & mustClear) === 0) n++;
    }
  });
  return n;
}
