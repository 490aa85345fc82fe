/**
 * mover: bandwidth-limited moving and swapping of queued pages.
 *
 *   mover.ts  Mover (tasks, start/stop/pause/continue/wait, round-robin
 *             rounds of Bandwidth × IntervalMs), MoverConfig and its parser
 *
 * Uses memory/move.ts for move_pages, swap/swap.ts for MADV_PAGEOUT, and
 * reports every call to stats.
 *
 * @module
 */
export * from "./mover.ts";
