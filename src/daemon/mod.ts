/**
 * daemon: memtierd -config FILE: the policy and routines of a YAML file,
 * built through the component registries, started, reloaded on SIGHUP and
 * stopped on SIGTERM/SIGINT.
 *
 *   config_file.ts  parseDaemonConfig: the Go file format (config strings
 *                   of JSON or YAML, or maps), errors as FILE:LINE: KEY.PATH
 *   daemon.ts       buildTree (every config parsed and every component
 *                   created before anything starts), Daemon (start, reload
 *                   that swaps only a valid new tree, stop awaiting loops)
 *
 *   cli/command_mode ──> daemon/ ──> policies/, routines/ ──> pidwatchers/,
 *                                    trackers/, lifecycle/, config/
 *
 * Signals are caught in src/main.ts and reach the daemon as an AbortSignal
 * and a reload callback, so tests drive it without real signals.
 *
 * @module
 */
export * from "./config_file.ts";
export * from "./daemon.ts";
