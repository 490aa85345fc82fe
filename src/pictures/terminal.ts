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
 * Heat over time: `rows` rows, each a slice of the address bands (low
 * addresses first), one character per sample (the newest `width`): blank
 * cold or untracked, then ░ ▒ ▓ █ hotter, by the slice's mean class over
 * its pages (untracked counting as cold), so a row of a few hot pages
 * among many cold ones stays light.
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
  const rows = Math.min(options.rows ?? 8, bands.length);
  const lines: string[] = [];
  for (let row = 0; row < rows; row++) {
    const from = Math.floor((row * bands.length) / rows);
    const to = Math.floor(((row + 1) * bands.length) / rows);
    const cells = shown.map((_, j) => {
      let weighted = 0;
      let pages = 0;
      for (let b = from; b < to; b++) {
        const bandPages = bands[b]!.endAddr - bands[b]!.startAddr;
        weighted += Math.max(0, grid[b]![j]!) * bandPages;
        pages += bandPages;
      }
      const mean = weighted / pages;
      if (mean <= 0) return SHADES[0];
      // The hottest class is always █ (with 2 classes, class 1 too).
      return SHADES[Math.max(1, Math.round((mean * 4) / Math.max(1, classes - 1)))];
    }).join("");
    lines.push(`0x${bands[from]!.startAddr.toString(16).padStart(12, "0")} ${cells}`);
  }
  return lines.join("\n") + "\n";
}
