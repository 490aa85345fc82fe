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
