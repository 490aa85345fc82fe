import type { PolicyHeats, RangeHeat } from "../policies/policy.ts";
import { BASE, type Harness, harness, PID } from "../prompt/_harness.ts";
import { assertEquals, assertOk } from "../testing/assert.ts";
import { FakeClock } from "../time/clock.ts";
import { countColor, decodePng, renderSvg } from "./_png_test_util.ts";
import { heatChartSvg, heatGrid } from "./heat_chart.ts";
import { HeatRecorder } from "./heat_recorder.ts";
import { heatBlocks } from "./terminal.ts";

const PAGE = 4096;

/**
 * The prompt's fake system (pid 500: 16 heap pages, then 1024 anon pages at
 * BASE, all on node 0) under a started heat policy of two classes, as the
 * e2e tests configure it: softdirty regions of 256 pages, HeatMax 0.01, no
 * retention; the hot class stays on node 0, so nothing moves.
 */
async function heatPolicy(): Promise<Harness> {
  const h = harness();
  await h.run(
    `policy -create heat -config '{"PidWatcher":{"name":"pidlist","config":{"Pids":[${PID}]}},` +
      `"Tracker":{"name":"softdirty","Config":{"ScanIntervalMs":50,"PagesInRegion":256,"MaxCountPerRegion":0}},` +
      `"IntervalMs":100,"Heatmap":{"HeatMax":0.01,"HeatRetention":0,"HeatClasses":2},` +
      `"HeatNumas":{"1":[0]}}'`,
    "policy -start",
  );
  return h;
}

/**
 * pid 500 writes its first 256 anon pages every 50 ms of its own sleeps
 * (the policy's and tracker's sleeps move the fake clock too) for `ms`,
 * then idles for `idleMs`; a sample every 500 ms.
 */
async function writeHot(h: Harness, rec: HeatRecorder, ms: number, idleMs = 0): Promise<void> {
  for (let t = 50; t <= ms + idleMs; t += 50) {
    if (t <= ms) h.sys.access(PID, BASE, BASE + 256 * PAGE, true);
    await h.clock.sleep(50);
    if (t % 500 === 0) rec.sample();
  }
}

function policySource(h: Harness): () => PolicyHeats | null {
  return () => h.session.components.policy?.instance?.heats?.() ?? null;
}

Deno.test("HeatRecorder samples the heat policy's heatmap: the written 256 pages hot, the rest cold", async () => {
  using h = await heatPolicy();
  const rec = new HeatRecorder({
    clock: h.clock,
    source: policySource(h),
    pid: PID,
    intervalMs: 500,
  });
  await writeHot(h, rec, 1500, 1500);
  await h.run("policy -stop");
  assertEquals(rec.scale(), { heatMax: 0.01, classes: 2 });
  const samples = rec.samples();
  assertEquals(samples.length, 6);
  // Only pid 500's ranges are kept.
  assertEquals(samples.map((s) => [...s.heats.keys()]), [[PID], [PID], [PID], [PID], [PID], [
    PID,
  ]]);
  // Hot while written (3 samples), then cold.
  const { bands, grid } = heatGrid(samples, PID, 2, 0.01);
  // The heap, then the anon range in softdirty's regions of 256 pages.
  assertEquals(bands.map((b) => [b.startAddr, (b.endAddr - b.startAddr) / PAGE]), [
    [BASE - 0x100000, 16],
    [BASE, 256],
    [BASE + 256 * PAGE, 768],
  ]);
  assertEquals(grid, [[0, 0, 0, 0, 0, 0], [1, 1, 1, 0, 0, 0], [0, 0, 0, 0, 0, 0]]);
  // 8 rows of 130 of the 1040 pages: the heap and 114 hot pages (mostly
  // hot: █), 130 hot, 12 hot among 118 cold (░), then cold.
  assertEquals(
    heatBlocks(samples, PID, { heatMax: 0.01, classes: 2 }),
    "0x00000ff00000 ███   \n" +
      "0x000010072000 ███   \n" +
      "0x0000100f4000 ░░░   \n" +
      "0x000010176000       \n" +
      "0x0000101f8000       \n" +
      "0x00001027a000       \n" +
      "0x0000102fc000       \n" +
      "0x00001037e000       \n",
  );
});

Deno.test("heatChartSvg() of the heat policy's samples renders with rsvg-convert: hot red over a quarter of the plot, cold blue the rest", async () => {
  using h = await heatPolicy();
  const rec = new HeatRecorder({
    clock: h.clock,
    source: policySource(h),
    pid: PID,
    intervalMs: 500,
  });
  await writeHot(h, rec, 3000);
  await h.run("policy -stop");
  // From the first sample on, the heap and both parts of the anon range have a heat.
  assertEquals(rec.samples().map((s) => s.heats.get(PID)!.length), [3, 3, 3, 3, 3, 3]);
  const img = await decodePng(
    await renderSvg(heatChartSvg(rec.samples(), { pid: PID, ...rec.scale()! })),
  );
  // The plot is 480 x 320 px for 1040 pages: the hot 256 are 78.8 px high
  // in every column, the cold 784 are 241.2 px; the legend adds a 16 x 22
  // swatch of each colour.
  const hot = countColor(img, "#e53935");
  const cold = countColor(img, "#304ffe");
  assertOk(hot >= 480 * 78 && hot <= 480 * 80 + 352, `hot pixels: ${hot}`);
  assertOk(cold >= 480 * 240 && cold <= 480 * 242 + 352, `cold pixels: ${cold}`);
  // Nothing untracked: only the legend's 16 x 22 swatch (and a few
  // anti-aliased pixels of the same grey); an untracked column would add 80 x 320.
  const untracked = countColor(img, "#dddddd");
  assertOk(untracked >= 352 && untracked < 400, `untracked pixels: ${untracked}`);
});

function range(addr: number, lengthPages: number, heat: number): RangeHeat {
  return { addr, lengthPages, heat, createdMs: 0, updatedMs: 0 };
}

Deno.test("HeatRecorder samples every intervalMs until stop(), calling onSample with the policy's scale", async () => {
  const clock = new FakeClock();
  let heat = 0;
  const seen: [number, number][] = [];
  const rec = new HeatRecorder({
    clock,
    source: () => ({
      pids: [7],
      heats: new Map([[7, [range(0x1000, 4, heat++)]], [8, [range(0x9000, 1, 1)]]]),
      heatMax: 3,
      classes: 4,
    }),
    pid: 7,
    intervalMs: 250,
    onSample: (samples, scale) => {
      seen.push([samples.length, scale.classes]);
      if (samples.length === 3) void rec.stop();
    },
  });
  rec.start();
  assertOk(rec.running);
  await rec.finished();
  assertOk(!rec.running);
  assertEquals(rec.samples().map((s) => s.timeMs), [250, 500, 750]);
  assertEquals(rec.samples().map((s) => s.heats.get(7)![0]!.heat), [0, 1, 2]);
  assertEquals(seen, [[1, 4], [2, 4], [3, 4]]);
});

Deno.test("HeatRecorder stops by itself when the pid is no longer watched or the heatmap is gone", async () => {
  const clock = new FakeClock();
  let now: PolicyHeats | null = {
    pids: [7],
    heats: new Map(),
    heatMax: 1,
    classes: 10,
  };
  const rec = new HeatRecorder({ clock, source: () => now, pid: 7, intervalMs: 100 });
  // Watched with no heat yet: a sample with no ranges.
  assertEquals(rec.sample(), true);
  assertEquals(rec.samples()[0]!.heats, new Map([[7, []]]));
  now = { ...now, pids: [8] };
  assertEquals(rec.sample(), false);
  now = null;
  assertEquals(rec.sample(), false);
  rec.start();
  await rec.finished();
  assertEquals(rec.running, false);
  // It looked once, one interval after the start.
  assertEquals(clock.now(), 100);
  assertEquals(rec.samples().length, 1);
});

Deno.test("HeatRecorder keeps the newest maxSamples and hands what onSample throws to onError, then stops", async () => {
  const clock = new FakeClock();
  const errors: string[] = [];
  let calls = 0;
  const rec = new HeatRecorder({
    clock,
    source: () => ({ pids: [7], heats: new Map(), heatMax: 1, classes: 10 }),
    pid: 7,
    intervalMs: 100,
    maxSamples: 2,
    onSample: () => {
      if (++calls === 4) throw new Error("disk full");
    },
    onError: (e) => errors.push(String(e)),
  });
  rec.sample();
  rec.sample();
  rec.sample();
  assertEquals(rec.samples().map((s) => s.timeMs), [0, 0]);
  rec.start();
  await rec.finished();
  assertEquals(rec.running, false);
  assertEquals(errors, ["Error: disk full"]);
  assertEquals(rec.samples().map((s) => s.timeMs), [0, 100]);
});
