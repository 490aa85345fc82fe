/**
 * Limits on numbers people type, shared by the command line and the prompt.
 *
 * @module
 */

/** Highest pid Linux hands out (PID_MAX_LIMIT on 64-bit). */
export const PID_MAX = 4194304;
/** Highest node id accepted (the kernel's MAX_NUMNODES is at most 1024). */
export const NODE_MAX = 1023;
/** Highest page count: 2^32 pages = 16 TiB, more than any machine memtierd runs on. */
export const COUNT_MAX = 2 ** 32;
