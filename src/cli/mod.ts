/**
 * cli: the command line of memtierd.
 *
 *   main.ts ─┬> run.ts ──> oneshot.ts         status and move (--pid, --move-to ...)
 *            │     │         ├──> progress.ts progress bar on a terminal
 *            │     │         └──> format.ts   numbers and tables
 *            │     └──> command_mode.ts       -c, -f, -prompt (runs prompt/)
 *            └> help.ts                       --help, --version: answered before the rest loads
 *
 * Flags, limits and exit codes are shared with the prompt and live below
 * both, in common/.
 *
 * Everything here takes its readers, system calls, clock and output through
 * `CliEnv`; only src/main.ts builds the real one.
 *
 * @module
 */
export { type CliEnv, runCli } from "./run.ts";
export { helpText, plainAnswer } from "./help.ts";
export { ExitCode, exitCodeFor } from "../common/exit_codes.ts";
export { type FlagSpec, parseFlags, parseWholeNumber } from "../common/flags.ts";
