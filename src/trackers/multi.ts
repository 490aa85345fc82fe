/**
 * The `multi` tracker: runs several trackers (`Trackers: [{name, config}]`,
 * each built through the tracker registry) as one. Pids, start, stop and
 * reset go to each; counters are all of theirs, flattened: per process,
 * overlapping ranges are split at each boundary and the overlapping pieces
 * carry the summed accesses, reads and writes. `dump` prints each
 * tracker's dump after `tracker N: `.
 *
 * The registry is handed in (`multiTrackerFactory(kind)`), so that this
 * file does not import the registry that lists it.
 *
 * @module
 */
import { underKeys } from "../config/config_error.ts";
import * as v from "valibot";
import { componentRef, parseWithSchema } from "../config/schema.ts";
import { type ComponentKind, type ComponentSpec, parseComponent } from "../lifecycle/components.ts";
import type { ComponentDeps, ComponentFactory } from "../lifecycle/deps.ts";
import type { WatchedPid } from "../pidwatchers/pidwatcher.ts";
import { flattenCounters } from "./counters.ts";
import type { Tracker, TrackerCounter } from "./tracker.ts";

const schema = v.strictObject({
  Trackers: v.optional(v.array(componentRef(), "must be a list of {name, config}"), []),
});

/** The `multi` config: the trackers' specs, parsed. */
export interface MultiConfig {
  trackers: ComponentSpec<Tracker>[];
}

/** Several trackers as one. */
export class MultiTracker implements Tracker {
  readonly trackers: Tracker[];
  readonly #config: MultiConfig;

  constructor(config: MultiConfig, deps: ComponentDeps) {
    this.#config = config;
    this.trackers = config.trackers.map((s) => s.factory.create(s.config, deps));
  }

  addPids(pids: readonly WatchedPid[]): void {
    for (const t of this.trackers) t.addPids(pids);
  }

  removePids(pids: readonly WatchedPid[]): void {
    for (const t of this.trackers) t.removePids(pids);
  }

  /** Starts each in turn; the first that fails ends the start (those started are stopped). */
  async start(): Promise<void> {
    const started: Tracker[] = [];
    try {
      for (const t of this.trackers) {
        await t.start();
        started.push(t);
      }
    } catch (e) {
      for (const t of started) await t.stop();
      throw e;
    }
  }

  async stop(): Promise<void> {
    for (const t of this.trackers) await t.stop();
  }

  resetCounters(): void {
    for (const t of this.trackers) t.resetCounters();
  }

  getCounters(): TrackerCounter[] {
    return flattenCounters(this.trackers.flatMap((t) => t.getCounters()));
  }

  dump(args: readonly string[]): string {
    return this.trackers.map((t, i) => `tracker ${i}: ${t.dump(args)}`).join("\n");
  }

  configJson(): string {
    return JSON.stringify({
      Trackers: this.#config.trackers.map((s, i) => ({
        name: s.name,
        config: JSON.parse(this.trackers[i]!.configJson()),
      })),
    });
  }
}

/** The `multi` factory over the tracker kind `kind()` (its registry lists this factory too). */
export function multiTrackerFactory(
  kind: () => ComponentKind<Tracker>,
): ComponentFactory<MultiConfig, Tracker> {
  return {
    description: "several trackers as one, overlapping counters summed",
    parse(raw, what) {
      const c = parseWithSchema(schema, raw, what);
      const trackers = c.Trackers.map((ref, i) =>
        underKeys(["Trackers", String(i)], () => parseComponent(kind(), ref), what)
      );
      return { trackers };
    },
    create: (config, deps) => new MultiTracker(config, deps),
  };
}
