/**
 * swap: paging a process's memory out to swap and back in.
 *
 *   swap.ts  swapOutRanges (process_madvise MADV_PAGEOUT, IOV_MAX chunks,
 *            short returns), swapInRanges (reads via /proc/PID/mem),
 *            swapStatus (pagemap swap bit)
 *
 * @module
 */
export * from "./swap.ts";
