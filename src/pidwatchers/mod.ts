/**
 * pidwatchers: finding the processes a policy acts on, and telling its
 * listener which appeared and which went away (only changes are sent).
 *
 *   pidwatcher.ts     the PidWatcher and PidListener interfaces, WatchedPid
 *   watched_pids.ts   WatchedPids: reported processes held by pidfds and
 *                     start times, so a reused pid is a new process
 *   polling.ts        PollingPidWatcher: scan → AddPids/RemovePids, on a Loop
 *   cgroups.ts        `cgroups`: pids in cgroup.procs below Cgroups
 *   proc.ts           `proc`: every process with a program (no kernel threads)
 *   pidlist.ts        `pidlist`: a fixed list, reported once
 *   filter.ts         `filter`: a Source pidwatcher's pids that pass Filters
 *   stub.ts           `stub`: nothing
 *   cgroup_pids.ts    CgroupFs: cgroup globs and cgroup.procs under a root
 *
 *   pidWatcherRegistry ──> cgroups, proc ──> polling ──> watched_pids ──> procfs/, ffi/
 *                      ──> pidlist ───────────────────┘
 *                      ──> filter ──> (its Source, through the registry)
 *
 * Adding a pidwatcher: one file with its factory, one line below. Each
 * pidwatcher's module is imported when a config first names it
 * (lifecycle/lazy.ts).
 *
 * @module
 */
import type { ComponentKind } from "../lifecycle/components.ts";
import type { ComponentFactory, Registry } from "../lifecycle/deps.ts";
import { lazyFactory } from "../lifecycle/lazy.ts";
import type { PidWatcher } from "./pidwatcher.ts";

/** Every pidwatcher by name. */
export const pidWatcherRegistry: Registry<PidWatcher> = new Map<string, AnyFactory>([
  ["cgroups", lazyFactory(() => import("./cgroups.ts").then((m) => m.cgroupsPidWatcherFactory))],
  [
    "filter",
    lazyFactory(() =>
      import("./filter.ts").then((m) => m.filterPidWatcherFactory(() => pidWatcherRegistry))
    ),
  ],
  ["pidlist", lazyFactory(() => import("./pidlist.ts").then((m) => m.pidlistPidWatcherFactory))],
  ["proc", lazyFactory(() => import("./proc.ts").then((m) => m.procPidWatcherFactory))],
  ["stub", lazyFactory(() => import("./stub.ts").then((m) => m.stubPidWatcherFactory))],
]);

type AnyFactory = ComponentFactory<unknown, PidWatcher>;

/** The pidwatcher kind, for policies' nested `pidwatcher: {name, config}` (parseNested). */
export const pidWatchers: ComponentKind<PidWatcher> = {
  kind: "pidwatcher",
  registry: pidWatcherRegistry,
};

export * from "./cgroup_pids.ts";
export * from "./pidwatcher.ts";
