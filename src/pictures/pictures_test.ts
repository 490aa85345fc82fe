import type { Heats, RangeHeat } from "../policies/policy.ts";
import { ProcFs } from "../procfs/proc_fs.ts";
import { assertEquals, assertOk } from "../testing/assert.ts";
import { FakeClock } from "../time/clock.ts";
import { countColor, decodePng, distinctColors, renderSvg } from "./_png_test_util.ts";
import { addressBands, heatChartSvg, heatGrid, type HeatSample } from "./heat_chart.ts";
import { type NodePagesSample, nodePagesSvg } from "./node_chart.ts";
import { NodePagesRecorder } from "./recorder.ts";
import { heatBlocks, nodePagesBlocks } from "./terminal.ts";

const PID = 7;
const A = 0x10000000; // 256 pages, always hot
const B = 0x10100000; // 512 pages, always cold
const C = 0x20000000; // 256 pages, tracked from the second sample, lukewarm

function range(addr: number, lengthPages: number, heat: number): RangeHeat {
  return { addr, lengthPages, heat, createdMs: 0, updatedMs: 0 };
}

function heatSamples(): HeatSample[] {
  return [0, 1, 2, 3, 4].map((i) => {
    const ranges = [range(A, 256, 1.0), range(B, 512, 0)];
    if (i > 0) ranges.push(range(C, 256, 0.5));
    const heats: Heats = new Map([[PID, ranges], [99, [range(A, 1, 1)]]]);
    return { timeMs: 1000 * i, heats };
  });
}

Deno.test("heatGrid() gives address bands without the gaps and each band's class per sample", () => {
  const { bands, grid, heatMax } = heatGrid(heatSamples(), PID, 10);
  assertEquals(heatMax, 1);
  assertEquals(bands, [
    { startAddr: A, endAddr: A + 256 * 4096 },
    { startAddr: B, endAddr: B + 512 * 4096 },
    { startAddr: C, endAddr: C + 256 * 4096 },
  ]);
  assertEquals(grid, [[9, 9, 9, 9, 9], [0, 0, 0, 0, 0], [-1, 5, 5, 5, 5]]);
});

Deno.test("addressBands() splits overlapping ranges of different samples at every boundary", () => {
  const bands = addressBands([range(0x1000, 4, 1), range(0x3000, 4, 1)]);
  assertEquals(bands.map((b) => [b.startAddr, b.endAddr]), [
    [0x1000, 0x3000],
    [0x3000, 0x5000],
    [0x5000, 0x7000],
  ]);
});

Deno.test("heatChartSvg() renders with rsvg-convert: 720x420, hot red and cold blue areas as tall as their pages", async () => {
  const img = await decodePng(await renderSvg(heatChartSvg(heatSamples(), { pid: PID })));
  assertEquals([img.width, img.height], [720, 420]);
  assertOk(distinctColors(img) > 10, "the picture is not blank");
  // The plot is 480 x 320 px for 1024 pages: A (256 pages) is 80 px high in
  // every column, B (512) 160 px; the legend adds a 16 x 22 swatch of each.
  const hot = countColor(img, "#e53935");
  const cold = countColor(img, "#304ffe");
  const untracked = countColor(img, "#dddddd");
  assertOk(hot >= 480 * 80 - 960 && hot <= 480 * 80 + 352 + 960, `hot pixels: ${hot}`);
  assertOk(cold >= 480 * 160 - 960 && cold <= 480 * 160 + 352 + 960, `cold pixels: ${cold}`);
  // C is untracked in the first of 5 columns (96 px wide, 80 high).
  assertOk(
    untracked >= 96 * 80 - 400 && untracked <= 96 * 80 + 352 + 400,
    `untracked: ${untracked}`,
  );
});

function nodeSamples(): NodePagesSample[] {
  // 1000 pages move from node 0 to node 2 over 4 s.
  return [0, 1, 2, 3, 4].map((i) => ({
    timeMs: 1000 * i,
    pagesByNode: new Map([[0, 1000 - 250 * i], [2, 250 * i]]),
  }));
}

Deno.test("nodePagesSvg() renders with rsvg-convert: node 0's and node 2's colours share the plot", async () => {
  const svg = nodePagesSvg(nodeSamples(), "pid 7: pages per node");
  const img = await decodePng(await renderSvg(svg));
  assertEquals([img.width, img.height], [720, 420]);
  // Two triangles of half the 500 x 320 plot each, less edges.
  const node0 = countColor(img, "#1f77b4");
  const node2 = countColor(img, "#2ca02c");
  assertOk(node0 > 500 * 320 / 2 - 2000 && node0 < 500 * 320 / 2 + 2000, `node 0: ${node0}`);
  assertOk(node2 > 500 * 320 / 2 - 2000 && node2 < 500 * 320 / 2 + 2000, `node 2: ${node2}`);
  assertEquals(countColor(img, "#d62728"), 0);
  assertOk(svg.includes(">node 2: 3.9 MB</text>"), "the legend gives node 2's last value");
});

Deno.test("nodePagesBlocks() draws a row of eighth blocks per node, scaled to the largest count", () => {
  assertEquals(
    nodePagesBlocks(nodeSamples()),
    "node 0 █▆▄▂  0.0 MB\n" +
      "node 2  ▂▄▆█ 3.9 MB\n",
  );
  assertEquals(nodePagesBlocks(nodeSamples(), 2), "node 0 ▂  0.0 MB\nnode 2 ▆█ 3.9 MB\n");
});

Deno.test("heatBlocks() gives each row an equal share of the pages, shaded by class per sample", () => {
  // 1024 pages in 4 rows of 256: A (hot), B's two halves (cold), C
  // (untracked, then class 5 of 10).
  assertEquals(
    heatBlocks(heatSamples(), PID, { rows: 4 }),
    "0x000010000000 █████\n" +
      "0x000010100000      \n" +
      "0x000010200000      \n" +
      "0x000020000000  ▒▒▒▒\n",
  );
  assertEquals(heatBlocks(heatSamples(), 12345), "pid 12345: no heat data\n");
});

Deno.test("NodePagesRecorder samples anonymous pages per node and stops when the process exits", () => {
  const dir = Deno.makeTempDirSync({ prefix: "memtierd-pictures-" });
  try {
    Deno.mkdirSync(`${dir}/42`);
    const write = (text: string) => Deno.writeTextFileSync(`${dir}/42/numa_maps`, text);
    write("1000 default anon=10 N0=10 kernelpagesize_kB=4\n");
    const clock = new FakeClock();
    const rec = new NodePagesRecorder({
      procfs: new ProcFs({ root: dir }),
      clock,
      pids: [42],
      intervalMs: 500,
    });
    assertEquals(rec.sample(), true);
    clock.advance(500);
    write("1000 default anon=10 N0=4 N2=6 kernelpagesize_kB=4\n");
    assertEquals(rec.sample(), true);
    assertEquals(rec.samples().map((s) => [s.timeMs, [...s.pagesByNode]]), [
      [0, [[0, 10]]],
      [500, [[0, 4], [2, 6]]],
    ]);
    Deno.removeSync(`${dir}/42`, { recursive: true });
    assertEquals(rec.sample(), false);
    assertEquals(rec.pids(), []);
    assertEquals(rec.samples().length, 2);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("heatBlocks() shades a row by the mean class of its pages: a hot quarter among cold pages stays light", () => {
  // One row for all: 256 pages of class 9, 512 of 0, and 256 untracked
  // (cold), then of class 5: mean class 2.25, then 3.5, of 9.
  assertEquals(heatBlocks(heatSamples(), PID, { rows: 1 }), "0x000010000000 ░▒▒▒▒\n");
});

Deno.test("heatChartSvg() draws one rectangle per run of a class in an address row", () => {
  const svg = heatChartSvg(heatSamples(), { pid: PID });
  // Plot cells lie between x 110 and 590: A and B one run each, C untracked then class 5.
  const cells = [
    ...svg.matchAll(/<rect x="([0-9.]+)" y="[0-9.]+" width="([0-9.]+)"[^>]*fill="(#[0-9a-f]+)"/g),
  ]
    .filter((m) => Number(m[1]) >= 110 && Number(m[1]) < 600)
    .map((m) => [Number(m[1]), Number(m[2]), m[3]]);
  assertEquals(cells, [
    [110, 480.5, "#e53935"],
    [110, 480.5, "#304ffe"],
    [110, 96.5, "#dddddd"],
    [206, 384.5, "#d7de40"], // class 5 of 10: between green and yellow
  ]);
});
