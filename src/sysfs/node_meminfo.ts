/**
 * Parser for /sys/devices/system/node/nodeN/meminfo.
 *
 * @module
 */

/**
 * Parses a node's meminfo (`Node 0 MemTotal:  1017324 kB`) into a map of
 * field name to bytes (fields without `kB`, like HugePages_Total, are counts).
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert";
 * import { parseNodeMeminfo } from "./node_meminfo.ts";
 * const m = parseNodeMeminfo("Node 2 MemTotal:  1024 kB\nNode 2 MemFree:  512 kB\n");
 * strictEqual(m.get("MemFree"), 524288);
 * ```
 */
export function parseNodeMeminfo(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    const m = /^Node\s+\d+\s+(\S+):\s+(\d+)(\s+kB)?\s*$/.exec(line);
    if (m) out.set(m[1]!, Number(m[2]) * (m[3] ? 1024 : 1));
  }
  return out;
}
