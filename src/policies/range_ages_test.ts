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

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

function rounded(ages: RangeAges): number[] {
  return rates(ages).map(round6);
}

Deno.test("RangeAges: ratePerPage is what the share of a range's pages counted in a scan says of the accesses per page, half from the last round with news", () => {
  const ages = new RangeAges();
  const news = (scans = 1) => new Map([[7, scans]]);
  const ln2 = Math.LN2;
  ages.update([count(128)], 0, new Set(), news()); // new: half of the 256 pages
  assertEquals(rounded(ages), [ln2].map(round6));
  ages.update([count(384)], 1000, new Set(), news()); // all of them: at most 511 of 512 halves
  assertEquals(rounded(ages), [(ln2 + 9 * ln2) / 2].map(round6));
  ages.update([count(384)], 2000, new Set(), news()); // a scan, no change: halves
  assertEquals(rounded(ages), [2.5 * ln2].map(round6));
  ages.update([count(384)], 3000, new Set([7])); // no finished scan: no news, kept
  assertEquals(rounded(ages), [2.5 * ln2].map(round6));
  ages.update([count(640)], 4000, new Set(), news(2)); // 256 in two scans: half a scan
  assertEquals(rounded(ages), [1.25 * ln2 + ln2 / 2].map(round6));
  ages.update([count(64)], 5000, new Set(), news()); // counters reset: all 64 are new
  assertEquals(rounded(ages), [0.875 * ln2 + Math.log(4 / 3) / 2].map(round6));
});

Deno.test("RangeAges: DAMON's counts are per page already; a held range's changes leave its rate", () => {
  const ages = new RangeAges();
  ages.update([count(4, true)], 0, new Set(), new Map([[7, 1]]));
  assertEquals(rates(ages), [4]);
  const held = ages.hold(7, [R]);
  ages.update([count(104, true)], 1000, new Set(), new Map([[7, 1]])); // memtierd's own move
  assertEquals(rates(ages), [4]);
  ages.release(held);
  ages.update([count(106, true)], 2000, new Set(), new Map([[7, 1]]));
  assertEquals(rates(ages), [3]);
});

Deno.test("RangeAges: memory is idle only for the time its tracker's finished scans covered", () => {
  const ages = new RangeAges();
  ages.update([count(1)], 0, new Set(), new Map([[7, 1]]));
  // 5 s with no finished scan of pid 7: nothing is known of those 5 s.
  ages.update([count(1)], 5000, new Set([7]));
  assertEquals(ages.idle(5000, 3000), []);
  // A scan finished at 6 s saw no change: idle since 0, for more than 3 s.
  ages.update([count(1)], 6000, new Set(), new Map([[7, 1]]));
  assertEquals(ages.idle(6000, 3000).map((a) => a.range), [R]);
  // A pid never covered by a finished scan is idle for no duration.
  ages.update([{ ...count(0), pid: 8 }], 7000, new Set([8]));
  assertEquals(ages.idle(99000, 0).map((a) => a.pid), [7]);
});
