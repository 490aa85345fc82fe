/**
 * stats: what memtierd did, as the Go memtierd's tables.
 *
 *   stats.ts   Stats, the store: heartbeats, process_madvise and
 *              move_pages calls per pid, page errors, memory scans, raw
 *              move recording for `stats -dump`; read-only accessors for
 *              whoever shows them (the prompt, later a metrics endpoint)
 *   render.ts  renderStats(): the Go memtierd's tables in txt or csv, and
 *              formatMoveRecord()
 *
 *   mover, trackers, policies ──record──> stats.ts <──read── render.ts <── prompt `stats`
 *
 * Fed by the mover (`recordMove`, `recordMadvise`), the prompt, and later
 * trackers (`recordScan`) and policies (`heartbeat`).
 *
 * @module
 */
export * from "./render.ts";
export * from "./stats.ts";
