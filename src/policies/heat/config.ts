/**
 * The heat policy's config (the Go memtierd's keys): `PidWatcher`,
 * `Tracker` (required), `Heatmap` {HeatMax, HeatRetention, HeatClasses,
 * and ours HeatClassBounds, CountPerPage} (heatmap.ts; omitted: defaults), `Forecaster` {name, config} (optional),
 * `IntervalMs` (default 5000), `HeatNumas` {CLASS: [NODE, ...]} (node -1 is
 * swap; tier words resolved per process: tiers/node_list.ts), `NumaSize`
 * {NODE: SIZE} (bytes with B, K, KB, M, MB, G, GB, T, TB in any case, or
 * N% of the node's MemTotal; a node without a size is unlimited), `Mover`,
 * `DryRun` (placement.ts). The deprecated Cgroups and Pids are refused with
 * the pidwatcher that replaces them, as in age and ratio.
 *
 * @module
 */
import { ConfigError } from "../../config/config_error.ts";
import * as v from "valibot";
import { componentRef, parseWithSchema } from "../../config/schema.ts";
import { type ComponentKind, type ComponentSpec, parseNested } from "../../lifecycle/components.ts";
import { parseSizeBytes } from "../../memory/range_spec.ts";
import { nodeListField, type NodeListItem } from "../../tiers/node_list.ts";
import { MAX_NODE_ID, parseTracking, type TrackingConfig, trackingEntries } from "../config.ts";
import type { HeatForecaster } from "../policy.ts";
import { type HeatmapConfig, heatmapSchema } from "./heatmap.ts";

/** Node id that stands for swap in HeatNumas and NumaSize. */
export const SWAP_NODE = -1;

const sizeMsg = "must be a size: bytes with B, K, KB, M, MB, G, GB, T or TB, or N% of the node";

const schema = v.strictObject({
  ...trackingEntries(),
  Tracker: componentRef(),
  Heatmap: heatmapSchema,
  Forecaster: v.optional(v.nullable(componentRef())),
  HeatNumas: v.optional(
    v.record(
      v.string(),
      nodeListField({ swap: true, maxNode: MAX_NODE_ID }),
      "must be a map of heat class to a list of node ids",
    ),
    {},
  ),
  NumaSize: v.optional(
    v.record(
      v.string(),
      v.union([v.string(), v.number()], sizeMsg),
      "must be a map of node id to size",
    ),
    {},
  ),
});

/** A node's quota as configured. */
export type SizeSpec = { bytes: number; text: string } | { percent: number; text: string };

/** The parsed config of the heat policy. */
export interface HeatConfig extends TrackingConfig {
  forecaster: ComponentSpec<HeatForecaster> | null;
  Heatmap: HeatmapConfig;
  /** Nodes of each heat class (-1 = swap) and tier words, in their order. */
  HeatNumas: Map<number, NodeListItem[]>;
  NumaSize: Map<number, SizeSpec>;
}

/**
 * Parses a NumaSize value: bytes with an optional unit (B, K, KB, M, MB,
 * G, GB, T, TB in any case, powers of 1024) or a percentage.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert";
 * import { parseNumaSize } from "./config.ts";
 * deepStrictEqual(parseNumaSize("2g"), { bytes: 2147483648, text: "2g" });
 * deepStrictEqual(parseNumaSize("25%"), { percent: 25, text: "25%" });
 * ```
 */
export function parseNumaSize(value: string | number): SizeSpec | undefined {
  const text = String(value).trim();
  const pct = /^(\d+(?:\.\d+)?)\s*%$/.exec(text);
  if (pct) {
    const percent = Number(pct[1]);
    return percent > 0 && percent <= 100 ? { percent, text } : undefined;
  }
  if (/i/i.test(text)) return undefined; // KiB etc. are the range syntax, not NumaSize's
  const bytes = parseSizeBytes(text);
  return bytes === undefined ? undefined : { bytes, text };
}

function nodeKey(key: string, what: string, path: string, min: number, max: number): number {
  if (!/^-?\d+$/.test(key.trim()) || Number(key) < min || Number(key) > max) {
    throw new ConfigError({
      reason: `must be a whole number from ${min} to ${max} (got ${JSON.stringify(key)})`,
      keyPath: [path, key],
      component: what,
    });
  }
  return Number(key);
}

/** Parses the heat policy's config (forecasters from `forecasterKind`). */
export function parseHeatConfig(
  raw: unknown,
  what: string,
  forecasterKind: ComponentKind<HeatForecaster>,
): HeatConfig {
  const c = parseWithSchema(schema, raw, what);
  const tracking = parseTracking("heat", c, what);
  const heatNumas = new Map<number, NodeListItem[]>();
  for (const [key, nodes] of Object.entries(c.HeatNumas)) {
    const cls = nodeKey(key, what, "HeatNumas", 0, c.Heatmap.HeatClasses - 1);
    heatNumas.set(cls, nodes);
  }
  const numaSize = new Map<number, SizeSpec>();
  for (const [key, value] of Object.entries(c.NumaSize)) {
    const node = nodeKey(key, what, "NumaSize", -1, MAX_NODE_ID);
    const size = parseNumaSize(value);
    if (!size) {
      throw new ConfigError({
        reason: `${sizeMsg} (got ${JSON.stringify(value)})`,
        keyPath: ["NumaSize", key],
        component: what,
      });
    }
    if ("percent" in size && node === SWAP_NODE) {
      throw new ConfigError({
        reason: "a percentage needs a NUMA node's MemTotal: give swap's size in bytes",
        keyPath: ["NumaSize", key],
        component: what,
      });
    }
    numaSize.set(node, size);
  }
  return {
    ...tracking,
    forecaster: c.Forecaster ? parseNested(forecasterKind, "Forecaster", c.Forecaster, what) : null,
    Heatmap: c.Heatmap,
    HeatNumas: heatNumas,
    NumaSize: numaSize,
  };
}
