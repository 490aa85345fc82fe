/**
 * /sys/kernel/mm/page_idle/bitmap: one idle bit per page frame, in 64-bit
 * words (bit = PFN % 64 of word PFN / 64). Writing a 1 bit marks that page
 * idle; 0 bits are ignored, so one page can be marked without touching its
 * neighbours.
 *
 * @module
 */
import { CHUNK_WORDS, planWords, readAt, readWords } from "../common/word_file.ts";
import { UnsupportedError } from "../errors.ts";

function open(sysRoot: string, write: boolean, read = !write): Deno.FsFile {
  const path = `${sysRoot}/kernel/mm/page_idle/bitmap`;
  try {
    return Deno.openSync(path, { read, write });
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new UnsupportedError(
        `Cannot open ${path}: this kernel has no idle page tracking ` +
          "(CONFIG_IDLE_PAGE_TRACKING; `make vm-kernel` builds a VM kernel with it)",
      );
    }
    throw e;
  }
}

/**
 * How many page frames have idle bits the kernel returns: a multiple of 64,
 * found by a binary search with one-word reads (about 40 of them). Frames
 * from there up (the last partial word below max_pfn) cannot be read.
 */
export function readableIdleFrames(sysRoot: string): number {
  const f = open(sysRoot, false);
  try {
    const buf = new Uint8Array(8);
    const readable = (word: number): boolean => {
      f.seekSync(word * 8, Deno.SeekMode.Start);
      return (f.readSync(buf) ?? 0) === 8;
    };
    if (!readable(0)) return 0;
    let lo = 0; // readable
    let hi = 1; // not known to be readable
    while (readable(hi)) {
      lo = hi;
      hi *= 2;
    }
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (readable(mid)) lo = mid;
      else hi = mid;
    }
    return (lo + 1) * 64;
  } finally {
    f.close();
  }
}

/**
 * Idle bits of the page frames `pfns` (any order, repeats allowed), in
 * their order: 1 idle, 0 not. The bitmap is opened once and each needed
 * 64-frame word read once, in chunks of up to 64 KiB. A frame past the end
 * of the bitmap is a RangeError, or with `beyondEnd` "not-idle" reads as 0:
 * the kernel answers only whole words below max_pfn, and max_pfn need not
 * be a multiple of 64 (QEMU reserves the top pages of low memory), so the
 * last few frames of memory cannot be read at all.
 *
 * @example
 * ```ts ignore
 * import { readPageIdle, setPagesIdle } from "./page_idle.ts";
 * setPagesIdle("/sys", [4096, 4097]); // needs root and CONFIG_IDLE_PAGE_TRACKING
 * console.log(readPageIdle("/sys", [4096, 4097])); // 1 where nothing touched the page since
 * ```
 */
export function readPageIdle(
  sysRoot: string,
  pfns: ArrayLike<number>,
  beyondEnd: "error" | "not-idle" = "error",
): Uint8Array {
  const wordOf = Float64Array.from({ length: pfns.length }, (_, i) => Math.floor(pfns[i]! / 64));
  const plan = planWords(wordOf);
  const f = open(sysRoot, false);
  let halves: Uint32Array;
  try {
    halves = beyondEnd === "error"
      ? readWords(f, plan.words, (word) => {
        throw new RangeError(
          `Cannot read idle bits of PFN ${word * 64}: beyond the last page frame`,
        );
      })
      : readWordsUpToEnd(f, plan.words);
  } finally {
    f.close();
  }
  const out = new Uint8Array(pfns.length);
  for (let i = 0; i < out.length; i++) {
    const bit = pfns[i]! % 64;
    const half = halves[2 * plan.slot[i]! + (bit < 32 ? 0 : 1)]!;
    out[i] = (half >>> (bit % 32)) & 1;
  }
  return out;
}

/**
 * Marks the page frames `pfns` idle (any order; only those frames: 0 bits
 * are ignored by the kernel). The bitmap is opened once; the words of
 * nearby frames go out together, in writes of up to 64 KiB.
 */
export function setPagesIdle(sysRoot: string, pfns: ArrayLike<number>): void {
  if (pfns.length === 0) return;
  const wordOf = Float64Array.from({ length: pfns.length }, (_, i) => Math.floor(pfns[i]! / 64));
  const plan = planWords(wordOf);
  const words = plan.words;
  // The bits of each word, as halves.
  const bits = new Uint32Array(2 * words.length);
  for (let i = 0; i < pfns.length; i++) {
    const bit = pfns[i]! % 64;
    const k = 2 * plan.slot[i]! + (bit < 32 ? 0 : 1);
    bits[k] = (bits[k]! | (1 << (bit % 32))) >>> 0;
  }
  const f = open(sysRoot, true);
  try {
    const buf = new Uint8Array(CHUNK_WORDS * 8);
    const halves = new Uint32Array(buf.buffer);
    for (let i = 0; i < words.length;) {
      const first = words[i]!;
      let j = i;
      while (j + 1 < words.length && words[j + 1]! < first + CHUNK_WORDS) j++;
      const count = words[j]! - first + 1;
      halves.fill(0, 0, 2 * count);
      for (let k = i; k <= j; k++) {
        const off = words[k]! - first;
        halves[2 * off] = bits[2 * k]!;
        halves[2 * off + 1] = bits[2 * k + 1]!;
      }
      writeAt(f, buf.subarray(0, count * 8), first * 8);
      i = j + 1;
    }
  } finally {
    f.close();
  }
}

function writeAt(f: Deno.FsFile, data: Uint8Array, pos: number): void {
  f.seekSync(pos, Deno.SeekMode.Start);
  // sysfs takes at most a page per write. The kernel counts only whole
  // words below max_pfn: for a last word cut by max_pfn it marks the frames
  // and says 0 bytes, and the words after it do not exist: stop there
  // (writing on looped forever).
  for (let done = 0; done < data.length;) {
    const n = f.writeSync(data.subarray(done));
    if (n <= 0) break;
    done += n;
  }
}

/** `readWords`, with words past the end of the file read as 0. */
function readWordsUpToEnd(f: Deno.FsFile, words: Float64Array): Uint32Array {
  let last = words.length;
  for (;;) {
    try {
      const out = new Uint32Array(2 * words.length);
      out.set(
        readWords(f, words.subarray(0, last), (word) => {
          throw new BeyondEnd(word);
        }),
      );
      return out;
    } catch (e) {
      if (!(e instanceof BeyondEnd)) throw e;
      // Only the words below the first one past the end can be read.
      last = words.findIndex((w) => w >= e.word);
    }
  }
}

class BeyondEnd extends Error {
  constructor(readonly word: number) {
    super(`word ${word} is past the end of the idle bitmap`);
  }
}

/**
 * The idle bitmap opened for reading and writing runs of consecutive words
 * (a tracker's scan: one read and one write per run of nearby frames, into
 * and from buffers the caller keeps). Words are two Uint32 halves each, low
 * then high: frame `64 * w + b` is bit `b % 32` of half `2 * w + (b >> 5)`.
 *
 * @example
 * ```ts ignore
 * import { PageIdleBitmap } from "./page_idle.ts";
 * const bitmap = PageIdleBitmap.open("/sys"); // needs root and CONFIG_IDLE_PAGE_TRACKING
 * const halves = new Uint32Array(4);
 * bitmap.read(64, 2, halves); // frames 4096..4223
 * bitmap.write(64, 2, halves.fill(0xffffffff)); // all of them idle
 * bitmap.close();
 * ```
 */
export class PageIdleBitmap {
  #file: Deno.FsFile;

  private constructor(file: Deno.FsFile) {
    this.#file = file;
  }

  static open(sysRoot: string): PageIdleBitmap {
    return new PageIdleBitmap(open(sysRoot, true, true));
  }

  /** Reads `count` words from word `first` into `into`; returns the whole words read. */
  read(first: number, count: number, into: Uint32Array): number {
    const bytes = new Uint8Array(into.buffer, into.byteOffset, count * 8);
    return Math.floor(readAt(this.#file, bytes, first * 8, count * 8) / 8);
  }

  /** Writes `count` words from `from` at word `first` (1 bits mark frames idle, 0 bits leave them). */
  write(first: number, count: number, from: Uint32Array): void {
    writeAt(this.#file, new Uint8Array(from.buffer, from.byteOffset, count * 8), first * 8);
  }

  close(): void {
    this.#file.close();
  }
}
