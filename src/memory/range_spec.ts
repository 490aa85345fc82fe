/**
 * Address ranges typed by people (`pages -ranges`, `swap -ranges`):
 * `START` (the page at START), `START-END`, or `START+SIZE` where SIZE is
 * bytes with an optional unit k, M, G or T (powers of 1024, either case,
 * optionally followed by `i` and/or `B`: 16k, 2M, 1GiB, 512kB). Addresses
 * are hex, with or without 0x. A range covers every page it touches: its
 * start is rounded down and its end up to page boundaries.
 *
 * @module
 */
import { quoted } from "../common/excerpt.ts";
import { UsageError } from "../errors.ts";
import { GB, KB, MB, TB } from "../common/units.ts";
import { type AddrRange, PAGE_SIZE_BYTES } from "./addr_range.ts";

const UNITS: Record<string, number> = { "": 1, k: KB, m: MB, g: GB, t: TB };

function hexAddr(text: string, spec: string): number {
  const m = /^(?:0x)?([0-9a-f]{1,13})$/i.exec(text.trim());
  if (!m) throw bad(spec);
  return parseInt(m[1]!, 16);
}

function bad(spec: string): UsageError {
  return new UsageError(
    `Invalid address range ${quoted(spec)}: expected STARTADDR, STARTADDR-ENDADDR ` +
      "or STARTADDR+SIZE[k|M|G|T] (hex addresses)",
  );
}

/**
 * Parses a size with an optional unit: `4096`, `16k`, `2M`, `1GiB`.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert";
 * import { parseSizeBytes } from "./range_spec.ts";
 * strictEqual(parseSizeBytes("1GiB"), 1073741824);
 * strictEqual(parseSizeBytes("16k"), 16384);
 * ```
 */
export function parseSizeBytes(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?)(i?)(b?)$/i.exec(text.trim());
  if (!m) return undefined;
  if (m[2] === "" && m[3] !== "") return undefined; // "5i" is not a size
  const bytes = Number(m[1]) * UNITS[m[2]!.toLowerCase()]!;
  return Number.isSafeInteger(Math.round(bytes)) ? Math.round(bytes) : undefined;
}

function pageAligned(r: AddrRange): AddrRange {
  return {
    startAddr: Math.floor(r.startAddr / PAGE_SIZE_BYTES) * PAGE_SIZE_BYTES,
    endAddr: Math.ceil(r.endAddr / PAGE_SIZE_BYTES) * PAGE_SIZE_BYTES,
  };
}

/** Parses one range. */
function parseRangeSpec(spec: string): AddrRange {
  return pageAligned(parseUnaligned(spec));
}

function parseUnaligned(spec: string): AddrRange {
  const plus = spec.indexOf("+");
  const dash = spec.indexOf("-");
  if (plus >= 0) {
    const start = hexAddr(spec.slice(0, plus), spec);
    const size = parseSizeBytes(spec.slice(plus + 1));
    if (size === undefined || size <= 0) throw bad(spec);
    return { startAddr: start, endAddr: start + size };
  }
  if (dash >= 0) {
    const start = hexAddr(spec.slice(0, dash), spec);
    const end = hexAddr(spec.slice(dash + 1), spec);
    if (end <= start) throw bad(spec);
    return { startAddr: start, endAddr: end };
  }
  const start = hexAddr(spec, spec);
  return { startAddr: start, endAddr: start + PAGE_SIZE_BYTES };
}

/** Parses a comma-separated list of ranges. */
export function parseRangeSpecs(text: string): AddrRange[] {
  return text.split(",").map((s) => parseRangeSpec(s.trim()));
}
