/**
 * A node's access performance from its nearest initiators, as the kernel
 * publishes it from ACPI HMAT data (or CXL CDAT):
 * /sys/devices/system/node/nodeN/access0/initiators/ holds
 * read_latency and write_latency (nanoseconds), read_bandwidth and
 * write_bandwidth (MB/s), and a `nodeM` link to each initiator node.
 *
 * @module
 */

/** Latency and bandwidth of one node from its nearest initiators. */
export interface NodeAccess {
  /** Nodes whose CPUs have this access (the `nodeM` links), ascending. */
  readonly initiators: readonly number[];
  readonly readLatencyNs?: number;
  readonly writeLatencyNs?: number;
  readonly readBandwidthMBps?: number;
  readonly writeBandwidthMBps?: number;
}

const FIELDS = [
  ["read_latency", "readLatencyNs"],
  ["write_latency", "writeLatencyNs"],
  ["read_bandwidth", "readBandwidthMBps"],
  ["write_bandwidth", "writeBandwidthMBps"],
] as const;

/**
 * Builds a node's access data from the names and contents of its
 * access0/initiators folder (`files`: file name -> text; the `nodeM` links
 * by name only). The kernel writes 0 where HMAT gave no value: that is
 * "unknown", left out. Throws `SyntaxError` for a value that is not a whole
 * number.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert";
 * import { parseNodeAccess } from "./node_access.ts";
 * deepStrictEqual(
 *   parseNodeAccess(["node0"], new Map([["read_latency", "100\n"], ["write_latency", "0\n"]])),
 *   { initiators: [0], readLatencyNs: 100 },
 * );
 * ```
 */
export function parseNodeAccess(
  names: readonly string[],
  files: ReadonlyMap<string, string>,
  source = "access0/initiators",
): NodeAccess {
  const initiators = names.flatMap((n) => {
    const m = /^node(\d+)$/.exec(n);
    return m ? [Number(m[1])] : [];
  }).sort((a, b) => a - b);
  const out: { -readonly [K in keyof NodeAccess]: NodeAccess[K] } = { initiators };
  for (const [file, key] of FIELDS) {
    const text = files.get(file);
    if (text === undefined) continue;
    const t = text.trim();
    if (!/^\d+$/.test(t)) {
      throw new SyntaxError(`Cannot parse ${source}/${file}: ${JSON.stringify(t)}`);
    }
    if (Number(t) > 0) out[key] = Number(t);
  }
  return out;
}

/** Reads nodeN/access0/initiators under `nodeDir`; undefined when the node has none. */
export function readNodeAccess(nodeDir: string, node: number): NodeAccess | undefined {
  const dir = `${nodeDir}/node${node}/access0/initiators`;
  let names: string[];
  try {
    names = [...Deno.readDirSync(dir)].map((e) => e.name);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  }
  const files = new Map<string, string>();
  for (const [file] of FIELDS) {
    if (!names.includes(file)) continue;
    files.set(file, Deno.readTextFileSync(`${dir}/${file}`));
  }
  return parseNodeAccess(names, files, dir);
}
