/**
 * The heat of a process's address space over time as an SVG chart: time
 * runs left to right, one column per sample; the address space runs top to
 * bottom, low addresses first, each address range as tall as its share of
 * the pages (gaps between ranges left out); a cell's colour is the heat
 * class of that range at that time, blue cold to red hot, grey untracked.
 *
 * @module
 */
import type { Heats, RangeHeat } from "../policies/policy.ts";
import { PAGE_SIZE_BYTES } from "../common/units.ts";
import { heatColor, svgDocument, svgRect, svgText } from "./svg.ts";

/** Heats at one moment. */
export interface HeatSample {
  timeMs: number;
  heats: Heats;
}

/** How to draw a heat chart. */
export interface HeatChartOptions {
  pid: number;
  /** Number of heat classes (the heat policy's HeatClasses). Default 10. */
  classes?: number;
  /** The heat of the hottest class (the heat policy's HeatMax). Default: the largest heat seen. */
  heatMax?: number;
  title?: string;
}

/** The colour for cells where the range was not tracked at that time. */
const UNTRACKED_COLOR = "#dddddd";

/**
 * The class of a heat: `classes` equal bands of [0, heatMax], the last one
 * taking heatMax and above.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert";
 * import { heatClass } from "./heat_chart.ts";
 * strictEqual(heatClass(0, 1, 10), 0);
 * strictEqual(heatClass(0.55, 1, 10), 5);
 * strictEqual(heatClass(3, 1, 10), 9);
 * ```
 */
export function heatClass(heat: number, heatMax: number, classes: number): number {
  if (!(heatMax > 0) || !(heat > 0)) return 0;
  return Math.min(classes - 1, Math.floor((heat / heatMax) * classes));
}

/** One band of the address axis: [startAddr, endAddr), in pages. */
export interface AddressBand {
  startAddr: number;
  endAddr: number;
}

/**
 * The address bands of a pid's ranges over all samples: every boundary of
 * any range splits the space, and only pieces some range covers are kept.
 */
export function addressBands(ranges: readonly RangeHeat[]): AddressBand[] {
  const cuts = new Set<number>();
  for (const h of ranges) {
    cuts.add(h.addr);
    cuts.add(h.addr + h.lengthPages * PAGE_SIZE_BYTES);
  }
  const sorted = [...cuts].sort((a, b) => a - b);
  const bands: AddressBand[] = [];
  for (let i = 0; i + 1 < sorted.length; i++) {
    const s = sorted[i]!;
    const e = sorted[i + 1]!;
    if (ranges.some((h) => h.addr <= s && h.addr + h.lengthPages * PAGE_SIZE_BYTES >= e)) {
      bands.push({ startAddr: s, endAddr: e });
    }
  }
  return bands;
}

/** The heat of the range covering a band in one sample, or undefined. */
function heatAt(ranges: readonly RangeHeat[], band: AddressBand): number | undefined {
  const h = ranges.find((x) =>
    x.addr <= band.startAddr && x.addr + x.lengthPages * PAGE_SIZE_BYTES >= band.endAddr
  );
  return h?.heat;
}

/** The class of every band (rows) in every sample (columns); -1 untracked. */
export function heatGrid(
  samples: readonly HeatSample[],
  pid: number,
  classes: number,
  heatMax?: number,
): { bands: AddressBand[]; grid: number[][]; heatMax: number } {
  const all = samples.flatMap((s) => s.heats.get(pid) ?? []);
  const max = heatMax ?? Math.max(0, ...all.map((h) => h.heat));
  const bands = addressBands(all);
  const grid = bands.map((band) =>
    samples.map((s) => {
      const heat = heatAt(s.heats.get(pid) ?? [], band);
      return heat === undefined ? -1 : heatClass(heat, max, classes);
    })
  );
  return { bands, grid, heatMax: max };
}

const W = 720;
const H = 420;
const LEFT = 110;
const TOP = 40;
const PLOT_W = 480;
const PLOT_H = 320;

function hex(n: number): string {
  return `0x${n.toString(16)}`;
}

/** The SVG chart of `opts.pid`'s heat in `samples` (oldest first). */
export function heatChartSvg(samples: readonly HeatSample[], opts: HeatChartOptions): string {
  const classes = opts.classes ?? 10;
  const { bands, grid, heatMax } = heatGrid(samples, opts.pid, classes, opts.heatMax);
  const body: string[] = [
    svgText(
      LEFT,
      22,
      opts.title ??
        `heat of pid ${opts.pid}: address space (top: low) over time (${samples.length} samples)`,
    ),
  ];
  const pagesOf = (b: AddressBand) => (b.endAddr - b.startAddr) / PAGE_SIZE_BYTES;
  const totalPages = bands.reduce((s, b) => s + pagesOf(b), 0);
  const colW = samples.length ? PLOT_W / samples.length : PLOT_W;
  let y = TOP;
  bands.forEach((band, i) => {
    const h = totalPages ? (pagesOf(band) / totalPages) * PLOT_H : 0;
    const row = grid[i]!;
    // One rectangle per run of a class: a long recording stays a small file.
    for (let j = 0; j < row.length;) {
      const cls = row[j]!;
      let end = j + 1;
      while (end < row.length && row[end] === cls) end++;
      const fill = cls < 0 ? UNTRACKED_COLOR : heatColor(cls, classes);
      // A hair wider and taller than the run (the next row covers it), so
      // no background shows between cells at fractional edges.
      body.push(svgRect(LEFT + j * colW, y, (end - j) * colW + 0.5, h + 0.5, fill));
      j = end;
    }
    y += h;
  });
  if (bands.length === 0) {
    body.push(svgRect(LEFT, TOP, PLOT_W, PLOT_H, UNTRACKED_COLOR));
    body.push(svgText(LEFT + PLOT_W / 2, TOP + PLOT_H / 2, "no heat data", "middle"));
  } else {
    body.push(svgText(LEFT - 6, TOP + 10, hex(bands[0]!.startAddr), "end"));
    body.push(svgText(LEFT - 6, TOP + PLOT_H, hex(bands.at(-1)!.endAddr), "end"));
  }
  if (samples.length > 0) {
    const t0 = samples[0]!.timeMs;
    body.push(svgText(LEFT, TOP + PLOT_H + 18, "0 s"));
    body.push(
      svgText(
        LEFT + PLOT_W,
        TOP + PLOT_H + 18,
        `${((samples.at(-1)!.timeMs - t0) / 1000).toFixed(1)} s`,
        "end",
      ),
    );
  }
  // Legend: one swatch per class, hottest on top.
  const lx = LEFT + PLOT_W + 20;
  body.push(svgText(lx, TOP - 6, "heat class"));
  const sw = Math.min(24, PLOT_H / (classes + 1));
  for (let c = classes - 1; c >= 0; c--) {
    const ly = TOP + (classes - 1 - c) * sw;
    body.push(svgRect(lx, ly, 16, sw - 2, heatColor(c, classes)));
    body.push(svgText(lx + 22, ly + sw / 2 + 3, `${c}`));
  }
  const uy = TOP + classes * sw;
  body.push(svgRect(lx, uy, 16, sw - 2, UNTRACKED_COLOR));
  body.push(svgText(lx + 22, uy + sw / 2 + 3, "untracked"));
  body.push(svgText(LEFT + PLOT_W / 2, H - 8, `heat max ${heatMax}, ${classes} classes`, "middle"));
  return svgDocument(W, H, body);
}
