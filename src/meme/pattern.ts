/**
 * The known data of `meme -pattern SEED`: every 32-bit word of an array gets
 * a value that depends on the seed, the array and the word's index, so that a
 * page that is lost, zeroed, swapped with another page or partly rewritten by
 * a faulty move or swap is found by checking every word.
 *
 * Word i of an array holds `start + i * STEP` (mod 2^32), with `start` mixed
 * from the seed and the array's serial number and STEP odd: consecutive
 * values never repeat within 2^32 words (16 GiB), and both filling and
 * checking are one addition per word.
 *
 * @module
 */

/** Bytes per page (x86-64 base pages). */
export const PAGE_BYTES = 4096;
const WORDS_PER_PAGE = PAGE_BYTES / 4;
/** The per-word step: the golden ratio in 32 bits, odd. */
const STEP = 0x9e3779b9 | 0;

/** The first word of array `arrayId` (a serial number) under `seed`. */
export function patternStart(seed: number, arrayId: number): number {
  // A 32-bit finalizer (as in MurmurHash3's fmix32) spreads nearby ids.
  let h = (seed ^ Math.imul(arrayId + 1, 0x27d4eb2d)) | 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}

/** The value word `index` should hold, for messages. */
export function patternWord(start: number, index: number): number {
  return (start + Math.imul(index, STEP)) >>> 0;
}

/** Fills `words` with the pattern that begins with `start`. */
export function fillPattern(words: Int32Array, start: number): void {
  let x = start | 0;
  for (let i = 0; i < words.length; i++) {
    words[i] = x;
    x = (x + STEP) | 0;
  }
}

/** The result of checking an array against its pattern. */
export interface PatternCheck {
  pages: number;
  badPages: number;
  /** The first wrong word: its byte offset, the value expected and the value found. */
  firstBad?: { offsetBytes: number; expected: number; found: number };
}

/** Checks every word of `words` against the pattern that begins with `start`. */
export function verifyPattern(words: Int32Array, start: number): PatternCheck {
  const pages = Math.ceil(words.length / WORDS_PER_PAGE);
  let badPages = 0;
  let firstBad: PatternCheck["firstBad"];
  let x = start | 0;
  for (let page = 0; page < pages; page++) {
    const begin = page * WORDS_PER_PAGE;
    const end = Math.min(begin + WORDS_PER_PAGE, words.length);
    let i = begin;
    for (; i < end; i++) {
      if (words[i] !== x) break;
      x = (x + STEP) | 0;
    }
    if (i < end) {
      badPages++;
      if (!firstBad) firstBad = { offsetBytes: i * 4, expected: x >>> 0, found: words[i]! >>> 0 };
      x = (start + Math.imul(end, STEP)) | 0;
    }
  }
  return firstBad ? { pages, badPages, firstBad } : { pages, badPages };
}
