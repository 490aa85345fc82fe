/**
 * The demote-idle policy's pages-of-interest folder: another program tells
 * memtierd which address ranges of which process to watch by writing
 * `<PID>.vab` files ("virtual addresses, binary": little-endian u64
 * start,end pairs, 16 bytes each) into a folder, and holds an exclusive
 * flock(2) on `<dir>/lock` while it writes. memtierd takes a shared,
 * non-blocking lock for its read; a busy lock means "skip this round".
 *
 * Parsing is the Go memtierd's: a file whose size is not a multiple of 16 is
 * skipped whole, a pair with end <= start is ignored, pairs are sorted and
 * merged. Ours also widens each range to whole pages (start down, end up),
 * since idle bits are per page, and skips files whose name is not a pid.
 *
 * @module
 */
import { errorText } from "../common/error_text.ts";
import { type AddrRange, mergeRanges, PAGE_SIZE_BYTES } from "../memory/addr_range.ts";

/** What one `.vab` file held. */
export interface VabContent {
  /** Sorted, merged, page-aligned. */
  ranges: AddrRange[];
  /** Pairs with end <= start, ignored. */
  reversedPairs: number;
}

/**
 * Parses the bytes of a `.vab` file. Throws `SyntaxError` naming `source`
 * when the size is not a multiple of 16.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert";
 * import { parseVab } from "./poi.ts";
 * const b = new Uint8Array(16);
 * new DataView(b.buffer).setBigUint64(0, 0x10000n, true);
 * new DataView(b.buffer).setBigUint64(8, 0x12001n, true);
 * deepStrictEqual(parseVab(b).ranges, [{ startAddr: 0x10000, endAddr: 0x13000 }]);
 * ```
 */
export function parseVab(bytes: Uint8Array, source = "vab"): VabContent {
  if (bytes.length % 16 !== 0) {
    throw new SyntaxError(
      `Cannot parse ${source}: size ${bytes.length} bytes is not a multiple of 16 ` +
        "(little-endian u64 start,end pairs)",
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const ranges: AddrRange[] = [];
  let reversedPairs = 0;
  const page = BigInt(PAGE_SIZE_BYTES);
  const limit = BigInt(Number.MAX_SAFE_INTEGER);
  for (let off = 0; off < bytes.length; off += 16) {
    const start = view.getBigUint64(off, true);
    let end = view.getBigUint64(off + 8, true);
    if (end <= start) {
      reversedPairs++;
      continue;
    }
    if (start >= limit) continue; // above any user address
    if (end > limit) end = limit;
    const s = start / page * page;
    const e = (end + page - 1n) / page * page;
    ranges.push({ startAddr: Number(s), endAddr: Number(e) });
  }
  return { ranges: mergeRanges(ranges), reversedPairs };
}

/** The bytes of a `.vab` file holding these (start, end) pairs (for writers and tests). */
export function encodeVab(pairs: readonly (readonly [number, number])[]): Uint8Array {
  const b = new Uint8Array(16 * pairs.length);
  const view = new DataView(b.buffer);
  pairs.forEach(([s, e], i) => {
    view.setBigUint64(16 * i, BigInt(s), true);
    view.setBigUint64(16 * i + 8, BigInt(e), true);
  });
  return b;
}

/** One round's read of the folder. */
export type PoiDirRead =
  | { kind: "busy" }
  | { kind: "read"; pids: Map<number, AddrRange[]>; skipped: string[] };

/**
 * Reads every `<PID>.vab` of `dir` under a shared, non-blocking lock on
 * `<dir>/lock` (created if missing). Returns `busy` when a writer holds the
 * lock. Files that cannot be read or parsed are listed in `skipped` with the
 * reason; pids whose file holds no range are left out.
 */
export function readPoiDir(dir: string): PoiDirRead {
  const lock = Deno.openSync(`${dir}/lock`, { read: true, write: true, create: true });
  try {
    if (!lock.tryLockSync(false)) return { kind: "busy" };
    const pids = new Map<number, AddrRange[]>();
    const skipped: string[] = [];
    const names = [...Deno.readDirSync(dir)].filter((e) => e.isFile).map((e) => e.name).sort();
    for (const name of names) {
      const m = /^(\d+)\.vab$/.exec(name);
      if (!m) continue;
      const pid = Number(m[1]);
      try {
        const { ranges } = parseVab(Deno.readFileSync(`${dir}/${name}`), `${dir}/${name}`);
        if (ranges.length > 0) pids.set(pid, ranges);
      } catch (e) {
        skipped.push(errorText(e));
      }
    }
    return { kind: "read", pids, skipped };
  } finally {
    lock.close(); // closing releases the lock
  }
}

/** The parts of sorted, merged `from` not in sorted, merged `remove`. */
export function subtractRanges(
  from: readonly AddrRange[],
  remove: readonly AddrRange[],
): AddrRange[] {
  const out: AddrRange[] = [];
  let j = 0;
  for (const f of from) {
    while (j < remove.length && remove[j]!.endAddr <= f.startAddr) j++;
    let cursor = f.startAddr;
    for (let k = j; k < remove.length && remove[k]!.startAddr < f.endAddr; k++) {
      const r = remove[k]!;
      if (r.startAddr > cursor) out.push({ startAddr: cursor, endAddr: r.startAddr });
      if (r.endAddr > cursor) cursor = r.endAddr;
    }
    if (cursor < f.endAddr) out.push({ startAddr: cursor, endAddr: f.endAddr });
  }
  return out;
}
