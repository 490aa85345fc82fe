/**
 * The machine's memory tiers, fastest first, with each node's CPUs, memory
 * and access performance: the kernel's tiers when it has formed them, else
 * tiers guessed from node distances (nodes with CPUs first, then CPU-less
 * nodes by their distance from the nearest CPU node).
 *
 * @module
 */
import type { NumaNode, SysFs } from "../sysfs/sys_fs.ts";
import { type KernelTier, memoryTieringDir, readMemoryTiers } from "./memory_tiers.ts";
import { type NodeAccess, readNodeAccess } from "./node_access.ts";

/** One tier. */
export interface Tier {
  /**
   * The kernel's tier id (N of memory_tierN) when the kernel formed the
   * tiers; else the tier's position, 0 for the fastest.
   */
  readonly id: number;
  /** Its online nodes with memory, ascending. */
  readonly nodes: readonly number[];
}

/** A node as the tiers show it. */
export interface TierNode extends NumaNode {
  /** Access performance from its nearest initiators, where the kernel knows it. */
  readonly access?: NodeAccess;
}

/** Tiers and nodes. */
export interface TierTopology {
  /** `kernel`: from memory_tiering; `distances`: guessed (see `note`). */
  readonly source: "kernel" | "distances";
  /** One line saying where the tiers come from when they are guessed. */
  readonly note?: string;
  /** Fastest first. */
  readonly tiers: readonly Tier[];
  /** Every online node, by id (memory-less ones too: they are in no tier). */
  readonly nodes: readonly TierNode[];
}

/**
 * Guesses tiers from distances: the nodes with CPUs and memory are tier 0;
 * CPU-less nodes with memory follow, grouped by their distance to the
 * nearest node with CPUs, nearer first. Without any CPU-less memory node
 * every memory node is in tier 0.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert";
 * import { tiersFromDistances } from "./tier_topology.ts";
 * const node = (id: number, cpus: number[], distances: number[]) =>
 *   ({ id, online: true, hasMemory: true, cpus, memTotalBytes: 1, memFreeBytes: 1, distances });
 * deepStrictEqual(
 *   tiersFromDistances([
 *     node(0, [0], [10, 21, 17]),
 *     node(1, [], [21, 10, 28]),
 *     node(2, [], [17, 28, 10]),
 *   ]),
 *   [{ id: 0, nodes: [0] }, { id: 1, nodes: [2] }, { id: 2, nodes: [1] }],
 * );
 * ```
 */
export function tiersFromDistances(nodes: readonly NumaNode[]): Tier[] {
  const memory = nodes.filter((n) => n.hasMemory);
  const withCpus = memory.filter((n) => n.cpus.length > 0);
  const cpuNodeIds = nodes.filter((n) => n.cpus.length > 0).map((n) => n.id);
  const position = new Map(nodes.map((n, i) => [n.id, i]));
  const cpuLess = memory.filter((n) => n.cpus.length === 0);
  const byDistance = new Map<number, number[]>();
  for (const n of cpuLess) {
    const near = Math.min(
      ...cpuNodeIds.map((c) => n.distances[position.get(c)!] ?? Number.MAX_SAFE_INTEGER),
    );
    byDistance.set(near, [...(byDistance.get(near) ?? []), n.id]);
  }
  const groups = [
    withCpus.map((n) => n.id),
    ...[...byDistance.entries()].sort((a, b) => a[0] - b[0]).map(([, ids]) => ids),
  ].filter((g) => g.length > 0);
  return groups.map((ids, i) => ({ id: i, nodes: ids.sort((a, b) => a - b) }));
}

/**
 * Builds the topology from what was read: the kernel's tiers (or null),
 * the nodes and their access data. Nodes of a kernel tier that are not
 * online are left out.
 */
function buildTierTopology(
  kernelTiers: readonly KernelTier[] | null,
  nodes: readonly TierNode[],
  tieringDir = "/sys/devices/virtual/memory_tiering",
): TierTopology {
  if (kernelTiers === null) {
    return {
      source: "distances",
      note: `no memory tiers in ${tieringDir}: ` +
        "tiers guessed from node distances (CPU-less nodes slower)",
      tiers: tiersFromDistances(nodes),
      nodes,
    };
  }
  const online = new Set(nodes.map((n) => n.id));
  const tiers = kernelTiers
    .map((t) => ({ id: t.id, nodes: t.nodes.filter((n) => online.has(n)) }))
    .filter((t) => t.nodes.length > 0);
  return { source: "kernel", tiers, nodes };
}

/** Reads the tiers and nodes under the SysFs root. */
export function readTierTopology(sysfs: SysFs): TierTopology {
  const nodes: TierNode[] = sysfs.nodes().map((n) => {
    const access = readNodeAccess(sysfs.nodeDir, n.id);
    return access ? { ...n, access } : n;
  });
  return buildTierTopology(readMemoryTiers(sysfs.root), nodes, memoryTieringDir(sysfs.root));
}
