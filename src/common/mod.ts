/**
 * common: what the command line, the prompt and the components below them
 * share, kept below all of them so that dependencies run one way
 * (cli → prompt → components → common, errors, ffi).
 *
 *   flags.ts       Go-style flag parsing and value readers (-pid 5, --pid=5)
 *   limits.ts      highest pid, node id and page count people may type
 *   excerpt.ts     user input in error lines: quoted, cut, with its length
 *   exit_codes.ts  one exit code per kind of error (errors.ts's classes)
 *   units.ts       the page size and MB/GB (binary units): a leaf
 *   word_file.ts   bulk reads of 64-bit words of a kernel file (kpageflags,
 *                  the idle bitmap): each needed word once, in 64 KiB chunks
 *
 * Nothing here imports cli/, prompt/ or config/.
 *
 * @module
 */
export * from "./excerpt.ts";
export * from "./exit_codes.ts";
export * from "./flags.ts";
export * from "./limits.ts";
export * from "./units.ts";
export * from "./word_file.ts";
