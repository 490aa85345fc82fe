/**
 * Address ranges of a process, as byte addresses in JS numbers.
 *
 * User-space addresses on x86-64 are below 2^47, so numbers are exact; only
 * the maps parser sees addresses above 2^53 ([vsyscall]) and keeps those as
 * bigint. Ranges are half-open: [startAddr, endAddr).
 *
 * @module
 */

import { PAGE_SIZE_BYTES } from "../common/units.ts";

/** The base page size, from common/units.ts (re-exported for existing importers). */
export { PAGE_SIZE_BYTES };

/** A half-open byte address range [startAddr, endAddr). */
export interface AddrRange {
  readonly startAddr: number;
  readonly endAddr: number;
}

/** Number of base pages in a range. */
export function rangeLengthPages(r: AddrRange): number {
  return Math.ceil((r.endAddr - r.startAddr) / PAGE_SIZE_BYTES);
}

/** Total base pages in ranges. */
export function totalPages(ranges: readonly AddrRange[]): number {
  let n = 0;
  for (const r of ranges) n += rangeLengthPages(r);
  return n;
}

/**
 * Formats a range as the Go memtierd does: `start-end (N B)` in hex.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert";
 * import { formatRange } from "./addr_range.ts";
 * strictEqual(formatRange({ startAddr: 0x1000, endAddr: 0x3000 }), "1000-3000 (8192 B)");
 * ```
 */
export function formatRange(r: AddrRange): string {
  return `${r.startAddr.toString(16)}-${r.endAddr.toString(16)} (${r.endAddr - r.startAddr} B)`;
}

/** Sorts ranges by start and merges overlapping or touching ones. */
export function mergeRanges(ranges: readonly AddrRange[]): AddrRange[] {
  const sorted = [...ranges].sort((a, b) => a.startAddr - b.startAddr);
  const out: AddrRange[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.startAddr <= last.endAddr) {
      if (r.endAddr > last.endAddr) {
        out[out.length - 1] = { startAddr: last.startAddr, endAddr: r.endAddr };
      }
    } else {
      out.push(r);
    }
  }
  return out;
}

/**
 * The parts of `ranges` that lie inside any of `cuts` (both may be unsorted
 * and overlapping; the result is sorted and merged).
 */
export function intersectRanges(
  ranges: readonly AddrRange[],
  cuts: readonly AddrRange[],
): AddrRange[] {
  const a = mergeRanges(ranges);
  const b = mergeRanges(cuts);
  const out: AddrRange[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    const start = Math.max(x.startAddr, y.startAddr);
    const end = Math.min(x.endAddr, y.endAddr);
    if (start < end) out.push({ startAddr: start, endAddr: end });
    if (x.endAddr <= y.endAddr) i++;
    else j++;
  }
  return out;
}

/** Splits each range into pieces of at most `maxPages` pages. */
export function splitRanges(ranges: readonly AddrRange[], maxPages: number): AddrRange[] {
  if (!(maxPages >= 1)) throw new RangeError(`Cannot split ranges: length ${maxPages} < 1 page`);
  const step = maxPages * PAGE_SIZE_BYTES;
  const out: AddrRange[] = [];
  for (const r of ranges) {
    for (let s = r.startAddr; s < r.endAddr; s += step) {
      out.push({ startAddr: s, endAddr: Math.min(s + step, r.endAddr) });
    }
  }
  return out;
}

/** Contiguous ranges of sorted page addresses. */
export function pagesToRanges(addrs: ArrayLike<number>): AddrRange[] {
  const out: AddrRange[] = [];
  for (let i = 0; i < addrs.length;) {
    const start = addrs[i]!;
    let end = start + PAGE_SIZE_BYTES;
    i++;
    while (i < addrs.length && addrs[i] === end) {
      end += PAGE_SIZE_BYTES;
      i++;
    }
    out.push({ startAddr: start, endAddr: end });
  }
  return out;
}
