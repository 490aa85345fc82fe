import { UsageError } from "../errors.ts";
import { assertEquals, assertThrows } from "../testing/assert.ts";
import { parseRangeSpecs, parseSizeBytes } from "./range_spec.ts";

Deno.test("parseRangeSpecs() reads a page, a start-end range and a start+size range", () => {
  assertEquals(parseRangeSpecs("7f0000001000,0x1000-2000,10000+16k"), [
    { startAddr: 0x7f0000001000, endAddr: 0x7f0000002000 },
    { startAddr: 0x1000, endAddr: 0x2000 },
    { startAddr: 0x10000, endAddr: 0x14000 },
  ]);
});

Deno.test("parseSizeBytes() takes units in either case with optional i and B", () => {
  for (
    const [text, bytes] of [["16k", 16384], ["16K", 16384], ["1g", 2 ** 30], ["2MiB", 2 ** 21], [
      "512kB",
      524288,
    ], ["100", 100]] as const
  ) {
    assertEquals(parseSizeBytes(text), bytes, text);
  }
  assertEquals(parseSizeBytes("12x"), undefined);
  assertEquals(parseSizeBytes("5i"), undefined);
});

Deno.test("parseRangeSpecs() says what a range looks like when one is wrong", () => {
  for (const bad of ["xyz", "2000-1000", "1000+", "1000+0", "1000+5q", "-"]) {
    assertThrows(() => parseRangeSpecs(bad), UsageError, "expected STARTADDR, STARTADDR-ENDADDR");
  }
});

Deno.test("parseRangeSpecs() widens a range to the pages it touches", () => {
  assertEquals(parseRangeSpecs("7f0000000010-7f000000200f"), [
    { startAddr: 0x7f0000000000, endAddr: 0x7f0000003000 },
  ]);
});
