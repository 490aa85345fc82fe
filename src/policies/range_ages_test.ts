import { assertEquals } from "../testing/assert.ts";
import type { TrackerCounter } from "../trackers/tracker.ts";
import { RangeAges } from "./range_ages.ts";

const PAGE = 4096;
const R = { startAddr: 0x100000, endAddr: 0x100000 + 256 * PAGE };

function count(accesses: number, perPage = false): TrackerCounter {
  return { pid: 7, range: R, accesses, reads: 0, writes: 0, ...(perPage ? { perPage } : {}) };
}

function rates(ages: RangeAges): number[] {
  return ages.all().map((a) => a.ratePerPage);
}

Deno.test("RangeAges: ratePerPage is the change of a range's counts per page, half from the last round with news", () => {
  const ages = new RangeAges();
  ages.update([count(128)], 0, new Set(), new Set([7])); // new: 128 of 256 pages
  assertEquals(rates(ages), [0.5]);
  ages.update([count(384)], 1000, new Set(), new Set([7])); // +256: 1 per page
  assertEquals(rates(ages), [0.75]);
  ages.update([count(384)], 2000, new Set(), new Set([7])); // a scan, no change: halves
  assertEquals(rates(ages), [0.375]);
  ages.update([count(384)], 3000, new Set([7])); // no finished scan: no news, kept
  assertEquals(rates(ages), [0.375]);
  ages.update([count(64)], 4000, new Set(), new Set([7])); // counters reset: all 64 are new
  assertEquals(rates(ages), [0.3125]);
});

Deno.test("RangeAges: DAMON's counts are per page already; a held range's changes leave its rate", () => {
  const ages = new RangeAges();
  ages.update([count(4, true)], 0, new Set(), new Set([7]));
  assertEquals(rates(ages), [4]);
  const held = ages.hold(7, [R]);
  ages.update([count(104, true)], 1000, new Set(), new Set([7])); // memtierd's own move
  assertEquals(rates(ages), [4]);
  ages.release(held);
  ages.update([count(106, true)], 2000, new Set(), new Set([7]));
  assertEquals(rates(ages), [3]);
});
