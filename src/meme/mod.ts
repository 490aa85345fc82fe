/**
 * meme: the memory exerciser the VM tests use as a workload (options as in
 * the Go memtierd's meme), built as one file by `make bin/meme`.
 *
 *   main.ts        entry point (runMain): flags, arrays, waiting, signals
 *     ├─ options.ts    parseMemeArgs: the Go flags, sizes and durations
 *     ├─ exerciser.ts  Meme: arrays, readers and writers, reallocators
 *     └─ pattern.ts    the -pattern fill and its page-by-page verification
 *
 * @module
 */
export { runMain } from "./main.ts";
export { type MemeOptions, parseMemeArgs } from "./options.ts";
