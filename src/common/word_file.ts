/**
 * Reading 64-bit words at chosen positions of a kernel file that holds one
 * word per item (/proc/kpageflags: one per page frame; the idle bitmap:
 * one per 64 frames), for millions of items at a time: the caller opens the
 * file once, asks for any word positions, and each needed word is read
 * once, in chunks of up to `CHUNK_WORDS` words per system call.
 *
 * Words are returned as two Uint32 halves in the host's (little-endian,
 * x86-64) order, so no BigInt is made per item.
 *
 * @module
 */

/** Words read per system call at most: 64 KiB. */
export const CHUNK_WORDS = 8192;

/** What is read from: a `Deno.FsFile`, or a fake in tests. */
export interface WordSource {
  seekSync(offset: number, whence: Deno.SeekMode): number;
  readSync(buf: Uint8Array): number | null;
}

/** Word positions in ascending order without repeats, and where each asked position went. */
export interface WordPlan {
  /** Word positions to read, ascending, unique. */
  readonly words: Float64Array;
  /** For each asked position, its index in `words`. */
  readonly slot: Uint32Array;
}

/**
 * Sorts and de-duplicates word positions (already sorted input costs one
 * pass).
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert";
 * import { planWords } from "./word_file.ts";
 * const p = planWords([9, 2, 9, 4]);
 * deepStrictEqual([...p.words], [2, 4, 9]);
 * deepStrictEqual([...p.slot], [2, 0, 2, 1]);
 * ```
 */
export function planWords(positions: ArrayLike<number>): WordPlan {
  const n = positions.length;
  let sorted = true;
  for (let i = 1; i < n && sorted; i++) sorted = positions[i - 1]! <= positions[i]!;
  let order: Uint32Array;
  if (sorted) {
    order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
  } else {
    order = Uint32Array.from({ length: n }, (_, i) => i).sort((a, b) =>
      positions[a]! - positions[b]!
    );
  }
  const words = new Float64Array(n);
  const slot = new Uint32Array(n);
  let m = 0;
  for (let k = 0; k < n; k++) {
    const i = order[k]!;
    const w = positions[i]!;
    if (m === 0 || words[m - 1] !== w) words[m++] = w;
    slot[i] = m - 1;
  }
  return { words: words.slice(0, m), slot };
}

/** Reads `len` bytes at `pos` into `buf`, as far as the file goes; returns bytes read. */
export function readAt(file: WordSource, buf: Uint8Array, pos: number, len: number): number {
  file.seekSync(pos, Deno.SeekMode.Start);
  let got = 0;
  while (got < len) {
    // Some kernel files (sysfs) return at most a page per read.
    const n = file.readSync(buf.subarray(got, len));
    if (n === null || n === 0) break;
    got += n;
  }
  return got;
}

/**
 * Reads the words at `words` (ascending, unique: see `planWords`); returns
 * their halves, low then high, `2 * words.length` values. A word past the
 * end of the file is reported through `beyondEnd`, which must throw.
 */
export function readWords(
  file: WordSource,
  words: Float64Array,
  beyondEnd: (word: number) => never,
): Uint32Array {
  const n = words.length;
  const out = new Uint32Array(2 * n);
  const buf = new Uint8Array(CHUNK_WORDS * 8);
  const halves = new Uint32Array(buf.buffer);
  for (let i = 0; i < n;) {
    const first = words[i]!;
    let j = i;
    while (j + 1 < n && words[j + 1]! < first + CHUNK_WORDS) j++;
    const bytes = (words[j]! - first + 1) * 8;
    const got = readAt(file, buf, first * 8, bytes);
    for (let k = i; k <= j; k++) {
      const off = words[k]! - first;
      if ((off + 1) * 8 > got) beyondEnd(words[k]!);
      out[2 * k] = halves[2 * off]!;
      out[2 * k + 1] = halves[2 * off + 1]!;
    }
    i = j + 1;
  }
  return out;
}
