/**
 * stats: what memtierd did, as the Go memtierd's tables.
 *
 *   stats.ts  Stats: heartbeats, process_madvise and move_pages calls per
 *             pid, page errors, memory scans; `summarize()` prints the
 *             tables in txt or csv; raw move recording for `stats -dump`
 *
 * Fed by the mover (`recordMove`, `recordMadvise`), the prompt, and later
 * trackers (`recordScan`) and policies (`heartbeat`).
 *
 * @module
 */
export * from "./stats.ts";
