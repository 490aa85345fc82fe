/**
 * Parser for /proc/zoneinfo: per zone of each node, its free pages, its
 * high watermark and its lowmem reserve (`protection`), which together say
 * how many pages an allocation on the node can take before the kernel
 * refuses it (node meminfo shows neither watermarks nor reserves).
 *
 * @module
 */

/** One zone of one node, in pages. */
export interface ZoneInfo {
  node: number;
  zone: string;
  freePages: number;
  highPages: number;
  /** The largest lowmem reserve, kept free against allocations for higher zones. */
  reservePages: number;
}

/**
 * Parses /proc/zoneinfo (only the zone-level `high` line, not the per-CPU
 * pagesets' `high:`).
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert";
 * import { parseZoneinfo } from "./zoneinfo.ts";
 * const text = "Node 2, zone    DMA32\n  pages free     5000\n        min      100\n" +
 *   "        low      120\n        high     140\n        protection: (0, 0, 4000, 4000, 4000)\n" +
 *   "              high:     12\n";
 * deepStrictEqual(parseZoneinfo(text), [
 *   { node: 2, zone: "DMA32", freePages: 5000, highPages: 140, reservePages: 4000 },
 * ]);
 * ```
 */
export function parseZoneinfo(text: string): ZoneInfo[] {
  const out: ZoneInfo[] = [];
  let z: ZoneInfo | undefined;
  for (const line of text.split("\n")) {
    const head = /^Node (\d+), zone\s+(\S+)/.exec(line);
    if (head) {
      z = { node: Number(head[1]), zone: head[2]!, freePages: 0, highPages: 0, reservePages: 0 };
      out.push(z);
      continue;
    }
    if (!z) continue;
    const free = /^\s+pages free\s+(\d+)\s*$/.exec(line);
    if (free) z.freePages = Number(free[1]);
    const high = /^\s+high\s+(\d+)\s*$/.exec(line);
    if (high) z.highPages = Number(high[1]);
    const prot = /^\s+protection: \(([\d, ]*)\)/.exec(line);
    if (prot) z.reservePages = Math.max(0, ...prot[1]!.split(",").map((s) => Number(s.trim())));
  }
  return out;
}
