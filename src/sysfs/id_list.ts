/**
 * The kernel's list format for CPU and node sets: `0-3,8,10-11`.
 *
 * @module
 */
import { quoted } from "../common/excerpt.ts";

/**
 * Parses a CPU or node list (`0-3,8`) into ascending ids. Empty text is an
 * empty list. Throws `SyntaxError` for anything else.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert";
 * import { parseIdList } from "./id_list.ts";
 * deepStrictEqual(parseIdList("0-2,5\n"), [0, 1, 2, 5]);
 * ```
 */
export function parseIdList(text: string, source = "id list"): number[] {
  const t = text.trim();
  if (t === "") return [];
  const ids = new Set<number>();
  for (const part of t.split(",")) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) throw new SyntaxError(`Cannot parse ${source}: ${quoted(t)}`);
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    // Beyond 2^53, i + 1 === i and the loop would never end; no CPU or node id is that large.
    if (!Number.isSafeInteger(hi) || hi < lo || hi - lo > 1 << 20) {
      throw new SyntaxError(`Cannot parse ${source}: bad range ${part}`);
    }
    for (let i = lo; i <= hi; i++) ids.add(i);
  }
  return [...ids].sort((a, b) => a - b);
}

/**
 * Formats ids in the kernel's list format, joining runs.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert";
 * import { formatIdList } from "./id_list.ts";
 * strictEqual(formatIdList([0, 1, 2, 5]), "0-2,5");
 * ```
 */
export function formatIdList(ids: readonly number[]): string {
  const sorted = [...new Set(ids)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(j === i ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(",");
}
