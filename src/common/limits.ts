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

/**
 * Largest file memtierd reads as a -config, an -f command file or a
 * component's -config-file: 64 KiB. The Go memtierd's example configs and
 * nri-plugins' rendered classes are under 4 KiB. The daemon parses on its
 * only thread and the yaml package is slow on big documents: 64 KiB took
 * 0.3 to 3.4 s on a machine loaded 4 times over its 2 cores (a list of
 * 4,500 routines the slowest), 1 MB took 8.7 s before this limit. So a
 * SIGHUP to a huge file stalls /metrics and SIGTERM no longer than that.
 */
export const MAX_INPUT_FILE_BYTES = 64 * 1024;
/** Longest prompt line (from stdin, -c or -f): 64 KiB, far above any command. */
export const MAX_PROMPT_LINE_CHARS = 64 * 1024;
/** Most routines one -config may run (each is a loop of its own). */
export const MAX_ROUTINES = 256;
/** Longest list of pids, cgroups or commands a config may give. */
export const MAX_LIST_ITEMS = 10_000;
