/**
 * The heat policy's tables: `dump heatgram` (the heat classes of the
 * heatmap) and `dump numa` (what the last decision round found and left).
 *
 * @module
 */
import { GB, MB, PAGE_SIZE_BYTES } from "../../common/units.ts";
import { classOf, type Heatmap } from "./heatmap.ts";
import { SWAP_NODE } from "./config.ts";
import type { Heats } from "../policy.ts";

/** Pages per node (-1: swapped). */
export type NodePages = Map<number, number>;

/** What the last decision round found and did (for `dump numa` and tests). */
export interface HeatRoundReport {
  /** Pages of each watched pid per node (-1 swapped), where they were found. */
  found: Map<number, NodePages>;
  /** Pages per node after the round's placements. */
  used: NodePages;
  /** Ranges skipped because no class node had room. */
  overQuota: number;
  /** Ranges left where they are because the policy moved them and they are settling. */
  settling: number;
}

function mib(pages: number): string {
  return (pages * PAGE_SIZE_BYTES / MB).toFixed(1).padStart(8);
}

function nodeName(node: number): string {
  return (node === SWAP_NODE ? "swap" : String(node)).padStart(4);
}

/** `dump heatgram [CLASSES]`: the maximum heat and the memory in each class, per process. */
export function heatgram(
  heatmap: Heatmap,
  heatMax: number,
  defaultClasses: number,
  arg: string | undefined,
): string {
  let classes = defaultClasses;
  if (arg !== undefined) {
    if (!/^\d+$/.test(arg) || Number(arg) < 1 || Number(arg) > 1000) {
      return "invalid argument, expected CLASSES from 1 to 1000, syntax: heatgram CLASSES";
    }
    classes = Number(arg);
  }
  const pids = heatmap.pids();
  let totPages = 0;
  const lines = ["table: maximum heat in heatmaps", "     pid  maxHeat"];
  for (const pid of pids) {
    let max = 0;
    for (const r of heatmap.ranges(pid)) {
      max = Math.max(max, r.heat);
      totPages += r.lengthPages;
    }
    lines.push(`${String(pid).padStart(8)} ${max.toFixed(4).padStart(8)}`);
  }
  lines.push("", "table: memory in heat classes");
  lines.push("     pid class pidmem[%] totmem[%]    mem[G]");
  for (const pid of pids) {
    const per = new Array<number>(classes).fill(0);
    let pidPages = 0;
    for (const r of heatmap.ranges(pid)) {
      per[classOf(r.heat, heatMax, classes)]! += r.lengthPages;
      pidPages += r.lengthPages;
    }
    per.forEach((pages, cls) => {
      const pct = (n: number) => (n > 0 ? 100 * pages / n : 0).toFixed(2).padStart(9);
      lines.push(
        `${String(pid).padStart(8)} ${String(cls).padStart(5)} ${pct(pidPages)} ${pct(totPages)} ${
          (pages * PAGE_SIZE_BYTES / GB).toFixed(3).padStart(9)
        }`,
      );
    });
  }
  return lines.join("\n");
}

/** `dump numa`: each process's memory per node as found, and node use against the quotas. */
export function numaTable(
  last: HeatRoundReport | null,
  sizes: ReadonlyMap<number, number>,
): string {
  const lines = ["table: memory of each process per node, as the last decision round found it"];
  lines.push("node      pid   mem[M]");
  for (const [pid, perNode] of [...(last?.found ?? [])].sort((a, b) => a[0] - b[0])) {
    for (const node of [...perNode.keys()].sort((a, b) => a - b)) {
      lines.push(`${nodeName(node)} ${String(pid).padStart(8)} ${mib(perNode.get(node)!)}`);
    }
  }
  lines.push("", "table: node use by the watched processes after that round's placements");
  lines.push("node  numaUsed[M]  numaSize[M]");
  const nodes = new Set([...(last?.used.keys() ?? []), ...sizes.keys()]);
  for (const node of [...nodes].sort((a, b) => a - b)) {
    const size = sizes.get(node);
    lines.push(
      `${nodeName(node)} ${mib(Math.max(0, last?.used.get(node) ?? 0)).padStart(12)} ${
        (size === undefined ? "unlimited" : mib(size)).padStart(12)
      }`,
    );
  }
  return lines.join("\n");
}

/**
 * One line on the heats of a round, for the debug log: the pages in each
 * class and the heat that the hottest 1 %, 10 % and 50 % of the pages reach.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert";
 * import { heatSpread } from "./dump.ts";
 * const ranges = [
 *   { addr: 0, lengthPages: 10, heat: 1.5, createdMs: 0, updatedMs: 0 },
 *   { addr: 40960, lengthPages: 90, heat: 0.25, createdMs: 0, updatedMs: 0 },
 * ];
 * strictEqual(
 *   heatSpread(new Map([[1, ranges]]), (h) => (h >= 1 ? 1 : 0), 2),
 *   "pages per class [90, 10]; heat of the hottest 1 % 1.5000, 10 % 1.5000, 50 % 0.2500",
 * );
 * ```
 */
export function heatSpread(
  heats: Heats,
  classOfHeat: (heat: number) => number,
  classes: number,
): string {
  const per = new Array<number>(classes).fill(0);
  const all: { heat: number; pages: number }[] = [];
  let total = 0;
  for (const ranges of heats.values()) {
    for (const r of ranges) {
      per[classOfHeat(r.heat)]! += r.lengthPages;
      all.push({ heat: r.heat, pages: r.lengthPages });
      total += r.lengthPages;
    }
  }
  all.sort((a, b) => b.heat - a.heat);
  const at = (share: number): string => {
    let seen = 0;
    for (const r of all) {
      seen += r.pages;
      if (seen >= share * total) return r.heat.toFixed(4);
    }
    return "-";
  };
  return `pages per class [${per.join(", ")}]; heat of the hottest 1 % ${at(0.01)}, 10 % ${
    at(0.1)
  }, 50 % ${at(0.5)}`;
}
