/**
 * Pages per node over time as an SVG chart: one stacked band per node,
 * time left to right, memory (MB) bottom to top, and a legend with each
 * node's last value.
 *
 * @module
 */
import { MB, PAGE_SIZE_BYTES } from "../common/units.ts";
import { nodeColor, r, svgDocument, svgRect, svgText } from "./svg.ts";

/** A process's (or processes') pages per node at one moment. */
export interface NodePagesSample {
  timeMs: number;
  /** 4 KiB pages by node. */
  pagesByNode: ReadonlyMap<number, number>;
}

const W = 720;
const H = 420;
const LEFT = 70;
const TOP = 40;
const PLOT_W = 500;
const PLOT_H = 320;

/** The nodes present in any sample, ascending. */
export function sampleNodes(samples: readonly NodePagesSample[]): number[] {
  return [...new Set(samples.flatMap((s) => [...s.pagesByNode.keys()]))].sort((a, b) => a - b);
}

/** The SVG chart of `samples` (oldest first) under `title`. */
export function nodePagesSvg(samples: readonly NodePagesSample[], title: string): string {
  const nodes = sampleNodes(samples);
  const totals = samples.map((s) => [...s.pagesByNode.values()].reduce((a, b) => a + b, 0));
  const maxPages = Math.max(1, ...totals);
  const t0 = samples[0]?.timeMs ?? 0;
  const span = Math.max(1, (samples.at(-1)?.timeMs ?? 0) - t0);
  const x = (s: NodePagesSample) =>
    LEFT + (samples.length === 1 ? PLOT_W / 2 : ((s.timeMs - t0) / span) * PLOT_W);
  const y = (pages: number) => TOP + PLOT_H - (pages / maxPages) * PLOT_H;
  const body: string[] = [svgText(LEFT, 22, title)];
  body.push(svgRect(LEFT, TOP, PLOT_W, PLOT_H, "#f4f4f4"));
  // Stacked: node i's band lies between the sum of nodes before it and that plus its own.
  const below = samples.map(() => 0);
  for (const node of nodes) {
    const lower = samples.map((s, i) => [x(s), y(below[i]!)] as const);
    samples.forEach((s, i) => (below[i]! += s.pagesByNode.get(node) ?? 0));
    const upper = samples.map((s, i) => [x(s), y(below[i]!)] as const);
    if (samples.length === 1) {
      // One sample: a bar instead of an area.
      const [ux, uy] = upper[0]!;
      const [, ly] = lower[0]!;
      body.push(svgRect(ux - 10, uy, 20, ly - uy, nodeColor(node)));
      continue;
    }
    const points = [...upper, ...lower.reverse()].map(([px, py]) => `${r(px)},${r(py)}`).join(" ");
    body.push(`<polygon points="${points}" fill="${nodeColor(node)}"/>`);
  }
  const mbOf = (pages: number) => (pages * PAGE_SIZE_BYTES / MB).toFixed(1);
  body.push(svgText(LEFT - 6, TOP + 10, `${mbOf(maxPages)} MB`, "end"));
  body.push(svgText(LEFT - 6, TOP + PLOT_H, "0", "end"));
  body.push(svgText(LEFT, TOP + PLOT_H + 18, "0 s"));
  body.push(
    svgText(LEFT + PLOT_W, TOP + PLOT_H + 18, `${(span / 1000).toFixed(1)} s`, "end"),
  );
  const last = samples.at(-1);
  const lx = LEFT + PLOT_W + 20;
  nodes.forEach((node, i) => {
    const ly = TOP + i * 22;
    body.push(svgRect(lx, ly, 16, 16, nodeColor(node)));
    body.push(
      svgText(lx + 22, ly + 12, `node ${node}: ${mbOf(last?.pagesByNode.get(node) ?? 0)} MB`),
    );
  });
  if (samples.length === 0) {
    body.push(svgText(LEFT + PLOT_W / 2, TOP + PLOT_H / 2, "no samples", "middle"));
  }
  return svgDocument(W, H, body);
}
