/**
 * Parser for the `kB` fields of /proc/PID/smaps and /proc/PID/smaps_rollup,
 * and the reader of a process's private dirty memory: smaps_rollup (one
 * summed record, Linux 4.14+), else the sum over smaps.
 *
 * @module
 */
import { UnsupportedError } from "../errors.ts";
import type { ProcFs } from "./proc_fs.ts";

/**
 * The sum, in KiB, of every `FIELD: N kB` line of smaps or smaps_rollup
 * text; 0 when the field does not occur.
 *
 * @example
 * ```ts
 * import { sumSmapsKiB } from "./smaps.ts";
 * import assert from "node:assert";
 * const text = "Rss: 8 kB\nPrivate_Dirty:  4 kB\nPrivate_Dirty: 12 kB\n";
 * assert.strictEqual(sumSmapsKiB(text, "Private_Dirty"), 16);
 * ```
 */
export function sumSmapsKiB(text: string, field: string): number {
  const prefix = `${field}:`;
  let sum = 0;
  for (const line of text.split("\n")) {
    if (!line.startsWith(prefix)) continue;
    const m = /^\s*(\d+) kB\s*$/.exec(line.slice(prefix.length));
    if (m) sum += Number(m[1]);
  }
  return sum;
}

/**
 * Private_Dirty of a process in KiB, from smaps_rollup, or summed over
 * smaps where the kernel has no smaps_rollup.
 */
export function privateDirtyKiB(procfs: ProcFs, pid: number): number {
  let text: string;
  try {
    text = procfs.readText(pid, "smaps_rollup");
  } catch (e) {
    if (!(e instanceof UnsupportedError)) throw e;
    text = procfs.readText(pid, "smaps");
  }
  return sumSmapsKiB(text, "Private_Dirty");
}
