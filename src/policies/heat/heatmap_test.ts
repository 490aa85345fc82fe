import * as v from "valibot";
import { parseWithSchema } from "../../config/schema.ts";
import { assertEquals, assertThrows } from "../../testing/assert.ts";
import type { TrackerCounter } from "../../trackers/tracker.ts";
import { classOf, Heatmap, heatmapSchema } from "./heatmap.ts";

const P = 4096;

function c(
  pid: number,
  firstPage: number,
  pages: number,
  accesses = 0,
  writes = 0,
): TrackerCounter {
  return {
    pid,
    range: { startAddr: firstPage * P, endAddr: (firstPage + pages) * P },
    accesses,
    reads: 0,
    writes,
  };
}

/** [firstPage, pages, heat, createdMs, updatedMs] per range. */
function rows(h: Heatmap, pid: number): [number, number, number, number, number][] {
  return h.ranges(pid).map((r) => [
    r.addr / P,
    r.lengthPages,
    Math.round(r.heat * 1e6) / 1e6,
    r.createdMs,
    r.updatedMs,
  ]);
}

Deno.test("heatmap: an omitted Heatmap key or field takes the defaults 1.0, 0.9513, 10", () => {
  const schema = v.strictObject({ Heatmap: heatmapSchema });
  assertEquals(parseWithSchema(schema, {}, "heat").Heatmap, {
    HeatMax: 1,
    HeatRetention: 0.9513,
    HeatClasses: 10,
  });
  assertEquals(parseWithSchema(schema, "heatmap: {heatclasses: 5}", "heat").Heatmap, {
    HeatMax: 1,
    HeatRetention: 0.9513,
    HeatClasses: 5,
  });
});

Deno.test("heatmap: HeatMax 0, a retention above 1 and 0 classes are refused with what is accepted", () => {
  const schema = v.strictObject({ Heatmap: heatmapSchema });
  assertThrows(
    () => parseWithSchema(schema, "heatmap: {heatmax: 0}", "heat"),
    Error,
    "heat: heatmap.heatmax: must be a number above 0, at most 1000000000 (got 0)",
  );
  assertThrows(
    () => parseWithSchema(schema, "heatmap: {heatretention: 1.5}", "heat"),
    Error,
    "heatmap.heatretention: must be a number from 0 to 1 (got 1.5)",
  );
  assertThrows(
    () => parseWithSchema(schema, "heatmap: {heatclasses: 0}", "heat"),
    Error,
    "heatmap.heatclasses: must be a whole number from 1 to 1000 (got 0)",
  );
});

Deno.test("heatmap: ranges with a hole keep their bounds; heat is counts per page, at most HeatMax", () => {
  const h = new Heatmap();
  h.update([c(7, 100, 50), c(7, 150, 50), c(7, 200, 50, 1), c(7, 500, 100, 0, 250)], 0);
  assertEquals(rows(h, 7), [
    [100, 50, 0, 0, 0],
    [150, 50, 0, 0, 0],
    [200, 50, 0.02, 0, 0],
    [500, 100, 1, 0, 0], // 2.5 per page, clamped to HeatMax 1
  ]);
});

Deno.test("heatmap: an update over three ranges and a hole splits the ends and decays each piece by its own age", () => {
  const h = new Heatmap({ HeatMax: 1, HeatRetention: 0.5, HeatClasses: 10 });
  h.update([c(7, 100, 50, 25), c(7, 150, 50, 40), c(7, 500, 100, 100)], 0);
  // 2 s later: 400 pages from page 180 to 580, 40 accesses: 0.1 per page.
  h.update([c(7, 180, 400, 40)], 2000);
  assertEquals(rows(h, 7), [
    [100, 50, 0.5, 0, 0], // untouched
    [150, 30, 0.8, 0, 0], // before the update: old heat, old times
    [180, 20, 0.3, 0, 2000], // 0.1 + 0.8 × 0.5²
    [200, 300, 0.1, 2000, 2000], // the hole: a new range
    [500, 80, 0.35, 0, 2000], // 0.1 + 1 × 0.5²
    [580, 20, 1, 0, 0], // after the update: old heat
  ]);
});

Deno.test("heatmap: an update inside one range cuts it in three", () => {
  const h = new Heatmap({ HeatMax: 1, HeatRetention: 1, HeatClasses: 10 });
  h.update([c(3, 0, 100, 20)], 0);
  h.update([c(3, 10, 10, 5)], 1000);
  assertEquals(rows(h, 3), [
    [0, 10, 0.2, 0, 0],
    [10, 10, 0.7, 0, 1000], // 0.5 + 0.2 × 1^1
    [20, 80, 0.2, 0, 0],
  ]);
});

Deno.test("heatmap: retention 0 keeps only the new heat; a timestamp older than the range does not warm it", () => {
  const h = new Heatmap({ HeatMax: 0.01, HeatRetention: 0, HeatClasses: 5 });
  h.update([c(3, 0, 512, 512)], 1000);
  assertEquals(rows(h, 3), [[0, 512, 0.01, 1000, 1000]]);
  h.update([c(3, 0, 512, 0)], 1500);
  assertEquals(rows(h, 3), [[0, 512, 0, 1000, 1500]]);
  const k = new Heatmap({ HeatMax: 1, HeatRetention: 0.5, HeatClasses: 10 });
  k.update([c(3, 0, 10, 4)], 5000);
  k.update([c(3, 0, 10, 1)], 3000); // clock went back: no negative age
  assertEquals(rows(k, 3), [[0, 10, 0.5, 5000, 5000]]);
});

Deno.test("heatmap: a zero-count cover then counts in one update give old × decay + new", () => {
  // What the heat policy does: the whole tracked range at heat 0 (it cools),
  // then the tracker's counters (added at once, no more decay).
  const h = new Heatmap({ HeatMax: 1, HeatRetention: 0.5, HeatClasses: 10 });
  h.update([c(9, 0, 8, 8)], 0);
  h.update([c(9, 0, 8), c(9, 0, 4, 2)], 1000);
  assertEquals(rows(h, 9), [
    [0, 4, 1, 0, 1000], // 0.5 + 1 × 0.5
    [4, 4, 0.5, 0, 1000],
  ]);
});

Deno.test("heatmap: processes no counter names are forgotten unless kept; others are kept apart", () => {
  const h = new Heatmap();
  h.update([c(1, 0, 10, 10), c(2, 0, 10, 5)], 0);
  assertEquals(h.pids(), [1, 2]);
  h.update([c(2, 0, 10)], 1000);
  assertEquals(h.pids(), [2]);
  assertEquals(rows(h, 1), []);
  h.update([], 2000, [2]); // kept, unchanged
  assertEquals(rows(h, 2), [[0, 10, 0.5 * 0.9513, 0, 1000]]);
});

Deno.test("heatmap: classes split [0, HeatMax] evenly and HeatMax itself is in the top class", () => {
  assertEquals(
    [0, 0.0999, 0.1, 0.55, 0.9, 0.99, 1].map((x) => classOf(x, 1, 10)),
    [0, 0, 1, 5, 9, 9, 9],
  );
  assertEquals([0, 0.0019, 0.002, 0.0059, 0.01].map((x) => classOf(x, 0.01, 5)), [0, 0, 1, 2, 4]);
  assertEquals(classOf(5, 1, 1), 0);
});

Deno.test("heatmap: dump prints each range with its class", () => {
  const h = new Heatmap({ HeatMax: 1, HeatRetention: 1, HeatClasses: 4 });
  h.update([c(5, 16, 16, 8)], 2000);
  assertEquals(h.dump(), "heatmap:\npid: 5: 0 {10000-20000(16),0.500000,2000,0.000s} (class 2)");
});

Deno.test("heatmap: HeatClassBounds hottest puts the bounds at shares of the heat of the hottest 1 % of the pages", () => {
  const schema = v.strictObject({ Heatmap: heatmapSchema });
  const config = parseWithSchema(
    schema,
    "heatmap: {heatmax: 100, heatclasses: 4, heatclassbounds: Hottest}",
    "heat",
  ).Heatmap;
  assertEquals(config.HeatClassBounds, "hottest");
  const h = new Heatmap(config);
  // Heats 0.5, 0.375, 0.125 and 0 per page: the hottest, 0.5, is the top of class 3.
  h.update([c(1, 0, 8, 0, 4), c(1, 8, 8, 0, 3), c(1, 16, 8, 0, 1), c(1, 24, 8)], 1000);
  assertEquals(h.scale(), 0.5);
  assertEquals(h.ranges(1).map((r) => h.classOf(r.heat)), [3, 3, 1, 0]);
  // The same heats under HeatMax 100 (the default bounds) are all class 0.
  const fixed = new Heatmap({ ...config, HeatClassBounds: "heatmax" });
  fixed.update([c(1, 0, 8, 0, 4), c(1, 8, 8, 0, 3), c(1, 16, 8, 0, 1)], 1000);
  assertEquals(fixed.ranges(1).map((r) => fixed.classOf(r.heat)), [0, 0, 0]);
  // 2 pages hotter than the rest, fewer than 1 % of 992: they are in the
  // top class and move no bound.
  const outlier = new Heatmap(config);
  outlier.update([
    c(1, 0, 8, 0, 4),
    c(1, 8, 8, 0, 3),
    c(1, 16, 8, 0, 1),
    c(1, 24, 966),
    c(1, 2000, 2, 0, 200),
  ], 1000);
  assertEquals(outlier.scale(), 0.5);
  assertEquals(outlier.ranges(1).map((r) => outlier.classOf(r.heat)), [3, 3, 1, 0, 3]);
  // Nothing warm: no hottest range, every range in class 0.
  const cold = new Heatmap(config);
  cold.update([c(1, 0, 8)], 1000);
  assertEquals([cold.scale(), cold.classOf(0)], [0, 0]);
  assertThrows(
    () => parseWithSchema(schema, "heatmap: {heatclassbounds: rank}", "heat"),
    Error,
    'heat: heatmap.heatclassbounds: must be "heatmax" or "hottest"',
  );
});

Deno.test("heatmap: CountPerPage false takes a counter's count as each page's heat (DAMON's nr_accesses)", () => {
  const schema = v.strictObject({ Heatmap: heatmapSchema });
  const config = parseWithSchema(
    schema,
    "heatmap: {heatmax: 1000, heatretention: 0.5, countperpage: false}",
    "heat",
  ).Heatmap;
  const h = new Heatmap(config);
  // A 1000-page region accessed in 18 samples, a 4-page one in 2.
  h.update([c(1, 0, 1000, 18), c(1, 1000, 4, 2)], 1000);
  assertEquals(rows(h, 1), [[0, 1000, 18, 1000, 1000], [1000, 4, 2, 1000, 1000]]);
  // Divided among the pages (the default), the small region ranks first.
  const perPage = new Heatmap({ ...config, CountPerPage: true });
  perPage.update([c(1, 0, 1000, 18), c(1, 1000, 4, 2)], 1000);
  assertEquals(rows(perPage, 1), [[0, 1000, 0.018, 1000, 1000], [1000, 4, 0.5, 1000, 1000]]);
  assertThrows(
    () => parseWithSchema(schema, "heatmap: {countperpage: 1}", "heat"),
    Error,
    "heat: heatmap.countperpage: must be true or false",
  );
});
