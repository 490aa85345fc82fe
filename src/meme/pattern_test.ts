import { assertEquals, assertOk } from "../testing/assert.ts";
import { fillPattern, PAGE_BYTES, patternStart, patternWord, verifyPattern } from "./pattern.ts";

function filled(pages: number, seed = 1, id = 0): { words: Int32Array; start: number } {
  const words = new Int32Array((pages * PAGE_BYTES) / 4);
  const start = patternStart(seed, id);
  fillPattern(words, start);
  return { words, start };
}

Deno.test("verifyPattern() passes an untouched fill", () => {
  const { words, start } = filled(8);
  assertEquals(verifyPattern(words, start), { pages: 8, badPages: 0 });
});

Deno.test("fillPattern() gives every word of a page and every page different values", () => {
  const { words } = filled(4);
  assertEquals(new Set(words).size, words.length);
});

Deno.test("patternStart() differs by seed and by array", () => {
  assertOk(patternStart(1, 0) !== patternStart(2, 0));
  assertOk(patternStart(1, 0) !== patternStart(1, 1));
  assertEquals(patternStart(5, 3), patternStart(5, 3));
});

Deno.test("verifyPattern() finds one changed byte and says where and what", () => {
  const { words, start } = filled(8);
  const bytes = new Uint8Array(words.buffer);
  const offset = 5 * PAGE_BYTES + 100;
  bytes[offset] = bytes[offset]! ^ 0x40;
  const check = verifyPattern(words, start);
  assertEquals(check.badPages, 1);
  assertEquals(check.firstBad?.offsetBytes, offset);
  assertEquals(check.firstBad?.expected, patternWord(start, offset / 4));
  assertOk(check.firstBad?.found !== check.firstBad?.expected);
});

Deno.test("verifyPattern() finds two pages swapped, a zeroed page and a copied page", () => {
  const { words, start } = filled(16);
  const w = (p: number) => words.subarray((p * PAGE_BYTES) / 4, ((p + 1) * PAGE_BYTES) / 4);
  const saved = w(2).slice();
  w(2).set(w(3));
  w(3).set(saved);
  w(7).fill(0);
  w(10).set(w(11));
  const check = verifyPattern(words, start);
  assertEquals(check.badPages, 4);
  assertEquals(check.firstBad?.offsetBytes, 2 * PAGE_BYTES);
});

Deno.test("verifyPattern() counts the pages after a bad one correctly", () => {
  const { words, start } = filled(4);
  words[0] = words[0]! + 1;
  const check = verifyPattern(words, start);
  assertEquals(check.badPages, 1);
  assertOk(check.firstBad);
});

Deno.test("verifyPattern() fails a fill made with another seed", () => {
  const { words } = filled(2, 1);
  assertEquals(verifyPattern(words, patternStart(2, 0)).badPages, 2);
});
