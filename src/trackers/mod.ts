/**
 * trackers: what measures which memory of the watched processes is
 * accessed. A policy builds its tracker from its config (`parseNested`
 * with `trackers`) and feeds it the pids its pidwatcher reports.
 *
 *   tracker.ts  the Tracker interface (a PidListener with counters)
 *   stub.ts     `stub`: tracks nothing
 *   damon.ts    `damon`: DAMON's results read through sysfs
 *
 * Adding a tracker is one file exporting a ComponentFactory plus one line
 * in `trackerRegistry` (and its name leaves `notYetAvailable`).
 *
 * @module
 */
import type { ComponentKind } from "../lifecycle/components.ts";
import type { ComponentFactory, Registry } from "../lifecycle/deps.ts";
import { damonTrackerFactory } from "./damon.ts";
import { stubTrackerFactory } from "./stub.ts";
import type { Tracker } from "./tracker.ts";

export type { Tracker, TrackerCounter } from "./tracker.ts";

/** Trackers by name. */
export const trackerRegistry: Registry<Tracker> = new Map<
  string,
  ComponentFactory<unknown, Tracker>
>([
  ["damon", damonTrackerFactory],
  ["stub", stubTrackerFactory],
]);

/** The tracker kind: its registry, and the Go trackers this version lacks. */
export const trackers: ComponentKind<Tracker> = {
  kind: "tracker",
  registry: trackerRegistry,
  notYetAvailable: ["finder", "idlepage", "multi", "softdirty"],
};
