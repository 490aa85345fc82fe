/**
 * lifecycle: what every daemon component is built with.
 *
 *   deps.ts  ComponentDeps (clock, procfs, sysfs, syscalls, logger, stats,
 *            mover) and ComponentFactory / Registry: how a folder's registry
 *            maps a name to a config parser and a constructor
 *   components.ts  ComponentKind (kind name, registry, names not built yet),
 *            parseComponent / parseNested: look a `{name, config}` up and
 *            parse its config, errors carrying the key path from there
 *
 *   pidwatchers/ ─┐
 *   trackers/    ─┼──> lifecycle/ ──> config/, mover/ ──> loop/ ──> time/, stats/, log/
 *   policies/    ─┤
 *   routines/    ─┘
 *
 * The loop the components run on (`Loop`) is in loop/, below mover/, which
 * runs on it too, and so do the pictures' recorders.
 *
 * @module
 */
export * from "./components.ts";
export * from "./deps.ts";
