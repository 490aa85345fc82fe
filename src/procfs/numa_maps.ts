/**
 * Parser for /proc/PID/numa_maps.
 *
 * @module
 */

/** One mapping of /proc/PID/numa_maps. */
export interface NumaMapsEntry {
  /** Start address of the mapping (bigint: parsed at the edge, like maps). */
  readonly start: bigint;
  /** Memory policy, e.g. `default`, `bind:0-1`, `prefer (many):2-3`. */
  readonly policy: string;
  /** `file=` path (escaped by the kernel: a space is `\040`), or undefined. */
  readonly file?: string;
  readonly heap: boolean;
  readonly stack: boolean;
  readonly huge: boolean;
  /** Pages counted in `anon=` (0 when absent). */
  readonly anonPages: number;
  readonly dirtyPages: number;
  readonly mappedPages: number;
  /** Pages (of `pageSizeKiB` each) per node, from the `N<node>=` fields. */
  readonly pagesByNode: ReadonlyMap<number, number>;
  /** `kernelpagesize_kB` (4 for base pages, 2048 for 2 MiB huge pages). */
  readonly pageSizeKiB: number;
}

/**
 * Parses the text of /proc/PID/numa_maps.
 * Throws `SyntaxError` naming `source` and the line for a malformed line.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert";
 * import { parseNumaMaps } from "./numa_maps.ts";
 * const [e] = parseNumaMaps("55d0 default heap anon=3 dirty=3 N0=1 N2=2 kernelpagesize_kB=4\n");
 * strictEqual(e!.heap, true);
 * strictEqual(e!.pagesByNode.get(2), 2);
 * ```
 */
export function parseNumaMaps(text: string, source = "numa_maps"): NumaMapsEntry[] {
  const out: NumaMapsEntry[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === "") continue;
    const bad = () =>
      new SyntaxError(`Cannot parse ${source} line ${i + 1}: ${JSON.stringify(line)}`);
    const tokens = line.split(" ").filter((t) => t !== "");
    const addr = tokens[0];
    let policy = tokens[1];
    if (addr === undefined || policy === undefined || !/^[0-9a-f]+$/.test(addr)) throw bad();
    let k = 2;
    // "prefer (many):0-1" is one policy written with a space.
    if (tokens[k]?.startsWith("(")) policy += ` ${tokens[k++]}`;
    let file: string | undefined;
    let heap = false;
    let stack = false;
    let huge = false;
    let anonPages = 0;
    let dirtyPages = 0;
    let mappedPages = 0;
    let pageSizeKiB = 4;
    const pagesByNode = new Map<number, number>();
    for (; k < tokens.length; k++) {
      const t = tokens[k]!;
      const eq = t.indexOf("=");
      if (eq < 0) {
        if (t === "heap") heap = true;
        else if (t === "stack") stack = true;
        else if (t === "huge") huge = true;
        continue; // other bare words may appear in newer kernels
      }
      const key = t.slice(0, eq);
      const value = t.slice(eq + 1);
      if (key === "file") {
        file = value;
        continue;
      }
      const n = Number(value);
      if (!Number.isInteger(n) || n < 0) {
        continue; // a key we do not know with a non-numeric value
      }
      if (key === "anon") anonPages = n;
      else if (key === "dirty") dirtyPages = n;
      else if (key === "mapped") mappedPages = n;
      else if (key === "kernelpagesize_kB") pageSizeKiB = n;
      else if (/^N\d+$/.test(key)) pagesByNode.set(Number(key.slice(1)), n);
    }
    out.push({
      start: BigInt(`0x${addr}`),
      policy,
      ...(file !== undefined ? { file } : {}),
      heap,
      stack,
      huge,
      anonPages,
      dirtyPages,
      mappedPages,
      pagesByNode,
      pageSizeKiB,
    });
  }
  return out;
}
