/**
 * log: memtierd's log lines (`DEBUG: `, `INFO: `, `WARN: `, `ERROR: `), to a
 * writer chosen by `-l`; components get a Logger, never a global.
 *
 *   logger.ts  Logger, silentLogger
 *
 * @module
 */
export * from "./logger.ts";
