/**
 * Parser for /proc/PID/maps.
 *
 * @module
 */

/** One mapping of /proc/PID/maps. Addresses are bigint: [vsyscall] is above 2^53. */
export interface MapsEntry {
  readonly start: bigint;
  readonly end: bigint;
  /** `rwxp`-style permissions, e.g. `rw-p`. */
  readonly perms: string;
  readonly offset: bigint;
  /** `major:minor` in hex. */
  readonly dev: string;
  readonly inode: number;
  /** The path or pseudo-path (`[heap]`, `[stack]`), "" for anonymous mappings. */
  readonly pathname: string;
  /** The mapped file was deleted (the kernel appends ` (deleted)`). */
  readonly deleted: boolean;
}

const DELETED = " (deleted)";

/**
 * Parses the text of /proc/PID/maps. Pathnames keep inner spaces; a trailing
 * ` (deleted)` is removed from the name and reported as `deleted`.
 * Throws `SyntaxError` naming `source` and the line for a malformed line.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert";
 * import { parseMaps } from "./maps.ts";
 * const [m] = parseMaps("7f00-8000 rw-p 00000000 00:00 0    /tmp/a b (deleted)\n");
 * strictEqual(m!.pathname, "/tmp/a b");
 * strictEqual(m!.deleted, true);
 * ```
 */
export function parseMaps(text: string, source = "maps"): MapsEntry[] {
  const out: MapsEntry[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === "") continue;
    const m = /^([0-9a-f]+)-([0-9a-f]+) (\S{4}) ([0-9a-f]+) (\S+) (\d+)(?: +(.*))?$/.exec(line);
    if (!m) throw new SyntaxError(`Cannot parse ${source} line ${i + 1}: ${JSON.stringify(line)}`);
    let pathname = m[7] ?? "";
    const deleted = pathname.endsWith(DELETED);
    if (deleted) pathname = pathname.slice(0, -DELETED.length);
    out.push({
      start: BigInt(`0x${m[1]}`),
      end: BigInt(`0x${m[2]}`),
      perms: m[3]!,
      offset: BigInt(`0x${m[4]}`),
      dev: m[5]!,
      inode: Number(m[6]),
      pathname,
      deleted,
    });
  }
  return out;
}
