/**
 * lifecycle: what every daemon component shares.
 *
 *   loop.ts  Loop: "run a round every N ms until stopped" on the injected
 *            Clock, with heartbeats, per-round error survival and an
 *            AbortSignal; pidwatcher polling, tracker scans, policy rounds
 *            and routines all run on it, and so does the mover (`ready` +
 *            `wake()`: a loop that waits for work instead of the clock)
 *   deps.ts  ComponentDeps (clock, procfs, sysfs, syscalls, logger, stats,
 *            mover) and ComponentFactory / Registry: how a folder's registry
 *            maps a name to a config parser and a constructor
 *
 *   pidwatchers/ ─┐
 *   trackers/    ─┼──> lifecycle/ ──> time/, stats/, log/
 *   policies/    ─┤
 *   routines/    ─┘
 *
 * @module
 */
export * from "./deps.ts";
export * from "./loop.ts";
