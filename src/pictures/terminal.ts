/**
 * Compact terminal pictures of the same data as the SVG charts, in
 * Unicode blocks: pages per node as one row of eighth-blocks per node, and
 * heat as rows of address bands shaded by heat class.
 *
 * @module
 */
import { MB, PAGE_SIZE_BYTES } from "../common/units.ts";
import { heatGrid, type HeatSample } from "./heat_chart.ts";
import { type NodePagesSample, sampleNodes } from "./node_chart.ts";

const BARS = " ▁▂▃▄▅▆▇█";
const SHADES = " ░▒▓█";

/** The last `width` samples, or all if fewer. */
function lastOf<T>(items: readonly T[], width: number): readonly T[] {
  return items.length > width ? items.slice(items.length - width) : items;
}

/**
 * Pages per node over time: a row per node, one character per sample (the
 * newest `width`), the bar's height the node's share of the largest count
 * any node had, then the node's last value in MB.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert";
 * import { nodePagesBlocks } from "./terminal.ts";
 * const s = (t: number, n0: number, n2: number) =>
 *   ({ timeMs: t, pagesByNode: new Map([[0, n0], [2, n2]]) });
 * strictEqual(
 *   nodePagesBlocks([s(0, 256, 0), s(1, 128, 128), s(2, 0, 256)], 40),
 *   "node 0 █▄  0.0 MB\nnode 2  ▄█ 1.0 MB\n",
 * );
 * ```
 */
export function nodePagesBlocks(samples: readonly NodePagesSample[], width = 60): string {
  const shown = lastOf(samples, width);
  const nodes = sampleNodes(shown);
  const max = Math.max(1, ...shown.flatMap((s) => [...s.pagesByNode.values()]));
  const label = Math.max(...nodes.map((n) => String(n).length));
  return nodes.map((node) => {
    const bars = shown.map((s) => {
      const v = s.pagesByNode.get(node) ?? 0;
      return BARS[Math.round((v / max) * (BARS.length - 1))]!;
    }).join("");
    const lastPages = shown.at(-1)?.pagesByNode.get(node) ?? 0;
    return `node ${String(node).padStart(label)} ${bars} ${
      (lastPages * PAGE_SIZE_BYTES / MB).toFixed(1)
    } MB\n`;
  }).join("");
}

/**
 * Heat over time: `rows` rows, each an equal share of the address bands'
 * pages (low addresses first, gaps left out, as in the SVG chart), one
 * character per sample (the newest `width`): blank cold or untracked, then
 * ░ ▒ ▓ █ hotter, by the row's mean class over its pages (untracked counting
 * as cold), so a row of a few hot pages among many cold ones stays light.
 * A row starts with the address of its first page.
 */
export function heatBlocks(
  samples: readonly HeatSample[],
  pid: number,
  options: { classes?: number; heatMax?: number; rows?: number; width?: number } = {},
): string {
  const classes = options.classes ?? 10;
  const shown = lastOf(samples, options.width ?? 60);
  const { bands, grid } = heatGrid(shown, pid, classes, options.heatMax);
  if (bands.length === 0) return `pid ${pid}: no heat data\n`;
  // Where each band starts on the gapless axis, in bytes.
  const offsets: number[] = [];
  let total = 0;
  for (const b of bands) {
    offsets.push(total);
    total += b.endAddr - b.startAddr;
  }
  const rows = Math.min(options.rows ?? 8, total / PAGE_SIZE_BYTES);
  const lines: string[] = [];
  for (let row = 0; row < rows; row++) {
    const lo = (row * total) / rows;
    const hi = ((row + 1) * total) / rows;
    const parts: { band: number; bytes: number }[] = [];
    bands.forEach((b, i) => {
      const start = offsets[i]!;
      const bytes = Math.min(start + b.endAddr - b.startAddr, hi) - Math.max(start, lo);
      if (bytes > 0) parts.push({ band: i, bytes });
    });
    const cells = shown.map((_, j) => {
      let weighted = 0;
      for (const p of parts) weighted += Math.max(0, grid[p.band]![j]!) * p.bytes;
      const mean = weighted / (hi - lo);
      if (mean <= 0) return SHADES[0];
      // The hottest class is always █ (with 2 classes, class 1 too).
      return SHADES[Math.max(1, Math.round((mean * 4) / Math.max(1, classes - 1)))];
    }).join("");
    const first = parts[0]!.band;
    const addr = bands[first]!.startAddr +
      Math.floor((lo - offsets[first]!) / PAGE_SIZE_BYTES) * PAGE_SIZE_BYTES;
    lines.push(
      `0x${Math.max(addr, bands[first]!.startAddr).toString(16).padStart(12, "0")} ${cells}`,
    );
  }
  return lines.join("\n") + "\n";
}
