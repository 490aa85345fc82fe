/**
 * cli: the command line of memtierd.
 *
 *   main.ts ──> run.ts ──> flags.ts           Go-style flags, shared with the prompt
 *                     └──> oneshot.ts         status and move (--pid, --move-to ...)
 *                            ├──> progress.ts progress bar on a terminal
 *                            └──> format.ts   numbers and tables
 *   exit_codes.ts: one exit code per kind of error
 *
 * Everything here takes its readers, system calls, clock and output through
 * `CliEnv`; only src/main.ts builds the real one.
 *
 * @module
 */
export { type CliEnv, helpText, runCli } from "./run.ts";
export { ExitCode, exitCodeFor } from "./exit_codes.ts";
export { type FlagSpec, parseFlags, parseWholeNumber } from "./flags.ts";
