/**
 * memory: address ranges, pages and moving them, as value types and
 * functions over the `Syscalls` layer and the procfs readers.
 *
 *   addr_range.ts      AddrRange [start, end) in bytes; merge, intersect, split
 *   process_ranges.ts  which ranges memtierd works on (anon and heap)
 *   page_list.ts       PageList: addresses + pagemap flags in typed arrays
 *   page_scan.ts       pagemap scans with flag filters
 *   process_pages.ts   a live process: user process check, ranges, pages
 *   locate.ts          where pages are (move_pages query)
 *   move.ts            planMove (pure), PageMover (streamed batches), movePagesToNode
 *   guided_move.ts     planGuidedMove (pure, from numa_maps) and moveGuided
 *                      (mapping by mapping, bounded buffers): the one-shot move
 *   exact_census.ts    the page-exact status (pagemap + move_pages, chunked;
 *                      the shared zero page left out)
 *   syscall_errors.ts  failed calls -> typed errors
 *
 * @module
 */
export * from "./addr_range.ts";
export { countByNode, locatePages } from "./locate.ts";
export * from "./move.ts";
export * from "./guided_move.ts";
export * from "./exact_census.ts";
export { PageList } from "./page_list.ts";
export * from "./page_scan.ts";
export * from "./process_pages.ts";
export * from "./process_ranges.ts";
