/**
 * Text and JSON of the tiers, for `memtierd -tiers` and the prompt's
 * `tiers` command.
 *
 * @module
 */
import { MB } from "../common/units.ts";
import { formatIdList } from "../sysfs/id_list.ts";
import type { TierNode, TierTopology } from "./tier_topology.ts";

function mb(bytes: number): string {
  return (bytes / MB).toFixed(1);
}

function pair(read: number | undefined, write: number | undefined): string {
  if (read === undefined && write === undefined) return "-";
  return `${read ?? "?"}/${write ?? "?"}`;
}

function padTable(rows: string[][], right: readonly boolean[]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) =>
    r.map((cell, c) => right[c] ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)).join("  ")
      .trimEnd()
  );
}

/**
 * The tiers fastest first, a line per node: its tier (on the tier's first
 * node), CPUs, free and total memory in MB (2^20 bytes), read/write latency
 * in ns and bandwidth in MB/s from its nearest initiators ("-" where the
 * kernel does not know them), and those initiators.
 */
export function renderTiers(t: TierTopology): string {
  const byId = new Map(t.nodes.map((n) => [n.id, n]));
  const lines = [
    t.source === "kernel"
      ? `${t.tiers.length} memory ${
        t.tiers.length === 1 ? "tier" : "tiers"
      } from the kernel (memory_tierN: a larger N is slower), fastest first:`
      : `${t.note}; fastest first:`,
  ];
  const rows = [[
    "tier",
    "node",
    "cpus",
    "free / total MB",
    "latency r/w ns",
    "bandwidth r/w MB/s",
    "initiators",
  ]];
  for (const tier of t.tiers) {
    tier.nodes.forEach((id, i) => {
      const n = byId.get(id)!;
      const a = n.access;
      rows.push([
        i === 0 ? String(tier.id) : "",
        String(id),
        n.cpus.length ? formatIdList(n.cpus) : "-",
        `${mb(n.memFreeBytes)} / ${mb(n.memTotalBytes)}`,
        pair(a?.readLatencyNs, a?.writeLatencyNs),
        pair(a?.readBandwidthMBps, a?.writeBandwidthMBps),
        a?.initiators.length ? formatIdList(a.initiators) : "-",
      ]);
    });
  }
  lines.push(...padTable(rows, [true, true, false, true, true, true, false]));
  const inTiers = new Set(t.tiers.flatMap((tier) => tier.nodes));
  const rest = t.nodes.filter((n) => !inTiers.has(n.id));
  if (rest.length > 0) {
    lines.push(
      `in no tier (no memory): ${
        rest.map((n) => `node ${n.id} (cpus ${formatIdList(n.cpus) || "-"})`).join(", ")
      }`,
    );
  }
  return lines.join("\n") + "\n";
}

function nodeJson(n: TierNode): Record<string, unknown> {
  return {
    node: n.id,
    cpus: n.cpus,
    memFreeBytes: n.memFreeBytes,
    memTotalBytes: n.memTotalBytes,
    ...(n.access ? { access: n.access } : {}),
  };
}

/** The tiers as the stable JSON object of `--output json`. */
export function tiersJson(t: TierTopology): Record<string, unknown> {
  const byId = new Map(t.nodes.map((n) => [n.id, n]));
  const inTiers = new Set(t.tiers.flatMap((tier) => tier.nodes));
  return {
    source: t.source,
    ...(t.note ? { note: t.note } : {}),
    tiers: t.tiers.map((tier) => ({
      id: tier.id,
      nodes: tier.nodes.map((id) => nodeJson(byId.get(id)!)),
    })),
    noTier: t.nodes.filter((n) => !inTiers.has(n.id)).map(nodeJson),
  };
}
