/**
 * Parser for /proc/PID/status.
 *
 * @module
 */

/** The fields of /proc/PID/status, by name, with values trimmed. */
export type ProcStatus = ReadonlyMap<string, string>;

/**
 * Parses the text of /proc/PID/status into a map of field name to value.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert";
 * import { parseStatus, statusKiB } from "./status.ts";
 * const s = parseStatus("Name:\tmeme\nVmRSS:\t  1024 kB\n");
 * strictEqual(s.get("Name"), "meme");
 * strictEqual(statusKiB(s, "VmRSS"), 1024);
 * ```
 */
export function parseStatus(text: string): ProcStatus {
  const out = new Map<string, string>();
  for (const line of text.split("\n")) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    out.set(line.slice(0, colon), line.slice(colon + 1).trim());
  }
  return out;
}

/** A `kB` field of /proc/PID/status as a number of KiB, or undefined if absent. */
export function statusKiB(status: ProcStatus, field: string): number | undefined {
  const v = status.get(field);
  if (v === undefined) return undefined;
  const m = /^(\d+) kB$/.exec(v);
  return m ? Number(m[1]) : undefined;
}
