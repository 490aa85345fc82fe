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
 *   components.ts  ComponentKind (kind name, registry, names not built yet),
 *            parseComponent / parseNested: look a `{name, config}` up and
 *            parse its config, errors carrying the key path from there
 *
 *   pidwatchers/ ─┐
 *   trackers/    ─┼──> lifecycle/ ──> time/, stats/, log/
 *   policies/    ─┤
 *   routines/    ─┘
 *
 * @module
 */
export * from "./components.ts";
export * from "./deps.ts";
export * from "./loop.ts";
