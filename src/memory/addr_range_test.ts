import { assertEquals, assertThrows } from "../testing/assert.ts";
import {
  formatRange,
  intersectRanges,
  mergeRanges,
  pagesToRanges,
  rangeLengthPages,
  splitRanges,
} from "./addr_range.ts";

const r = (startAddr: number, endAddr: number) => ({ startAddr, endAddr });

Deno.test("formatRange() prints hex bounds and the size in bytes, as the Go memtierd", () => {
  assertEquals(
    formatRange(r(0x7f0000000000, 0x7f0000002000)),
    "7f0000000000-7f0000002000 (8192 B)",
  );
});

Deno.test("mergeRanges() sorts and joins overlapping and touching ranges", () => {
  assertEquals(
    mergeRanges([r(0x5000, 0x6000), r(0x1000, 0x2000), r(0x2000, 0x3000), r(0x1800, 0x2800)]),
    [r(0x1000, 0x3000), r(0x5000, 0x6000)],
  );
});

Deno.test("intersectRanges() keeps only parts inside the cuts, whichever side starts first", () => {
  assertEquals(
    intersectRanges([r(0x1000, 0x5000), r(0x8000, 0x9000)], [r(0x0, 0x2000), r(0x4000, 0x8800)]),
    [r(0x1000, 0x2000), r(0x4000, 0x5000), r(0x8000, 0x8800)],
  );
  assertEquals(intersectRanges([r(0x1000, 0x2000)], [r(0x3000, 0x4000)]), []);
});

Deno.test("splitRanges() cuts ranges into pieces of at most N pages", () => {
  assertEquals(splitRanges([r(0, 5 * 4096)], 2).map(rangeLengthPages), [2, 2, 1]);
  assertThrows(() => splitRanges([r(0, 4096)], 0), RangeError);
});

Deno.test("pagesToRanges joins consecutive pages", () => {
  assertEquals(pagesToRanges([0x1000, 0x2000, 0x3000, 0x5000]), [
    { startAddr: 0x1000, endAddr: 0x4000 },
    { startAddr: 0x5000, endAddr: 0x6000 },
  ]);
});
