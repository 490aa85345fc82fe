/**
 * Number formatting for reports. "MB" is 2^20 bytes throughout memtierd, as
 * in the Go memtierd's bandwidth settings.
 *
 * @module
 */

import { MB } from "../common/units.ts";

export { MB };

/** 1234567 -> "1,234,567". */
export function grouped(n: number): string {
  return Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** Bytes as MB with one decimal: "1024.0". */
export function mb(bytes: number): string {
  return (bytes / MB).toFixed(1);
}

/** A table: columns padded, numbers right-aligned. */
export function table(header: string[], rows: string[][], rightAlign: boolean[]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? "").length)));
  const line = (cells: string[]) =>
    cells.map((cell, c) => (rightAlign[c] ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
      .join("  ").trimEnd();
  return [line(header), ...rows.map(line)].join("\n");
}

/** "1 page", "2 pages", "1,024 pages". */
export function pages(n: number): string {
  return `${grouped(n)} ${n === 1 ? "page" : "pages"}`;
}

// deno-lint-ignore no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\\]/g;
const NAMED: Readonly<Record<string, string>> = {
  "\n": "\\n",
  "\t": "\\t",
  "\r": "\\r",
  "\\": "\\\\",
};

/**
 * A name from the kernel (a process's comm, which its owner chooses) made
 * safe for a terminal: control characters (C0, DEL, C1) are written as
 * `\n`, `\t`, `\r` or `\xHH`, and a backslash as `\\`.
 *
 * @example
 * ```ts
 * import { printable } from "./format.ts";
 * import { assertEquals } from "../testing/assert.ts";
 * assertEquals(printable("a\nb\x1b[31m"), "a\\nb\\x1b[31m");
 * ```
 */
export function printable(name: string): string {
  return name.replace(
    CONTROL,
    (c) => NAMED[c] ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`,
  );
}

/**
 * JSON text for output: as JSON.stringify with 2 spaces, and DEL and the C1
 * controls (which JSON allows raw, and which terminals act on) escaped too.
 */
export function jsonText(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(
    /[\u007f-\u009f]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  ) + "\n";
}
