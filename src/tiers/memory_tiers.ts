/**
 * The kernel's memory tiers: /sys/devices/virtual/memory_tiering/memory_tierN
 * folders, each with a `nodelist`. N is the tier's abstract distance divided
 * by the kernel's chunk size, so a smaller N is a faster tier (plain DRAM is
 * memory_tier4; HMAT, CXL or dax kmem data put slower memory in higher ones).
 *
 * @module
 */
import { parseIdList } from "../sysfs/id_list.ts";

/** One tier as the kernel lists it. */
export interface KernelTier {
  /** N of memory_tierN: smaller is faster. */
  readonly id: number;
  /** Its nodes, ascending. */
  readonly nodes: readonly number[];
}

/** The folder of the kernel's memory tiers under a /sys root. */
export function memoryTieringDir(sysRoot: string): string {
  return `${sysRoot}/devices/virtual/memory_tiering`;
}

/**
 * The tier id of a memory_tiering entry's name (`memory_tier4` -> 4), or
 * undefined for other entries of the folder.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert";
 * import { tierIdOf } from "./memory_tiers.ts";
 * strictEqual(tierIdOf("memory_tier450"), 450);
 * strictEqual(tierIdOf("power"), undefined);
 * ```
 */
export function tierIdOf(name: string): number | undefined {
  const m = /^memory_tier(\d+)$/.exec(name);
  return m ? Number(m[1]) : undefined;
}

/**
 * Builds the tiers, fastest first, from (tier id, nodelist text) pairs.
 * Throws `SyntaxError` naming the tier for a nodelist that does not parse.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert";
 * import { parseMemoryTiers } from "./memory_tiers.ts";
 * deepStrictEqual(parseMemoryTiers([[450, "2-3\n"], [4, "0-1\n"]]), [
 *   { id: 4, nodes: [0, 1] },
 *   { id: 450, nodes: [2, 3] },
 * ]);
 * ```
 */
export function parseMemoryTiers(entries: readonly (readonly [number, string])[]): KernelTier[] {
  return entries
    .map(([id, text]) => ({ id, nodes: parseIdList(text, `memory_tier${id}/nodelist`) }))
    .filter((t) => t.nodes.length > 0)
    .sort((a, b) => a.id - b.id);
}

/**
 * Reads the kernel's memory tiers under `sysRoot`, fastest first; null when
 * the kernel has no memory_tiering folder (before Linux 6.1, or without
 * NUMA), so the caller falls back to distances.
 */
export function readMemoryTiers(sysRoot: string): KernelTier[] | null {
  const dir = memoryTieringDir(sysRoot);
  let names: string[];
  try {
    names = [...Deno.readDirSync(dir)].map((e) => e.name);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
  const entries: [number, string][] = [];
  for (const name of names) {
    const id = tierIdOf(name);
    if (id === undefined) continue;
    try {
      entries.push([id, Deno.readTextFileSync(`${dir}/${name}/nodelist`)]);
    } catch (e) {
      // A tier the kernel removed between the listing and the read.
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
  }
  return entries.length === 0 ? null : parseMemoryTiers(entries);
}
