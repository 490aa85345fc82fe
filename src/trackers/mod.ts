/**
 * trackers: what measures which memory of the watched processes is
 * accessed. A policy builds its tracker from its config (`parseNested`
 * with `trackers`) and feeds it the pids its pidwatcher reports.
 *
 *   tracker.ts       the Tracker interface (a PidListener with counters)
 *   counters.ts      counter lines, heat ranges, flattening of overlaps
 *   page_tracker.ts  what softdirty and idlepage share (regions, scans)
 *   softdirty.ts     `softdirty`: writes, from pagemap's soft-dirty bit
 *   idlepage.ts      `idlepage`: accesses, from the idle page bitmap
 *   finder.ts        `finder`: whole ranges, filtered by pagemap bits
 *   multi.ts         `multi`: several trackers, counters flattened
 *   stub.ts          `stub`: tracks nothing
 *   damon.ts         `damon`: DAMON's results, set up through sysfs, read as
 *                    tracefs events (sysfs tried regions without tracefs)
 *
 * Adding a tracker is one file exporting a ComponentFactory plus one line
 * in `trackerRegistry`. Each tracker's module is imported when a config
 * first names it (lifecycle/lazy.ts).
 *
 * @module
 */
import type { ComponentKind } from "../lifecycle/components.ts";
import type { ComponentFactory, Registry } from "../lifecycle/deps.ts";
import { lazyFactory } from "../lifecycle/lazy.ts";
import type { Tracker } from "./tracker.ts";

export type { Tracker, TrackerCounter } from "./tracker.ts";

/** Trackers by name. */
export const trackerRegistry: Registry<Tracker> = new Map<
  string,
  ComponentFactory<unknown, Tracker>
>([
  ["damon", lazyFactory(() => import("./damon.ts").then((m) => m.damonTrackerFactory))],
  ["finder", lazyFactory(() => import("./finder.ts").then((m) => m.finderTrackerFactory))],
  ["idlepage", lazyFactory(() => import("./idlepage.ts").then((m) => m.idlePageTrackerFactory))],
  [
    "multi",
    lazyFactory(() => import("./multi.ts").then((m) => m.multiTrackerFactory(() => trackers))),
  ],
  [
    "softdirty",
    lazyFactory(() => import("./softdirty.ts").then((m) => m.softDirtyTrackerFactory)),
  ],
  ["stub", lazyFactory(() => import("./stub.ts").then((m) => m.stubTrackerFactory))],
]);

/** The tracker kind: its registry (every Go tracker is in it). */
export const trackers: ComponentKind<Tracker> = {
  kind: "tracker",
  registry: trackerRegistry,
};
