/**
 * Sizes memtierd counts in: the base page, and binary units. "MB" is 2^20
 * bytes throughout memtierd (as in the Go memtierd's bandwidth settings),
 * "GB" 2^30, in reports, configs and flags alike. A leaf module: it imports
 * nothing, so every folder may use it.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert";
 * import { MB, PAGE_SIZE_BYTES } from "./units.ts";
 * strictEqual(MB / PAGE_SIZE_BYTES, 256);
 * ```
 *
 * @module
 */

/** Size of a base page on x86-64, the only architecture memtierd ships for. */
export const PAGE_SIZE_BYTES = 4096;

/** 2^10 bytes. */
export const KB = 2 ** 10;
/** 2^20 bytes. */
export const MB = 2 ** 20;
/** 2^30 bytes. */
export const GB = 2 ** 30;
/** 2^40 bytes. */
export const TB = 2 ** 40;
