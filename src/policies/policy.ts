/**
 * The Policy interface: decides, every round, which memory of the watched
 * processes goes where, and queues the moves and swaps on the mover. A
 * policy owns its pidwatcher and tracker (built from its config); the
 * prompt adopts them, and the mover, after `policy -create`.
 *
 * The HeatForecaster interface lives here too: the heat policy asks it to
 * replace the current heats with forecast ones.
 *
 * @module
 */
import type { Mover } from "../mover/mover.ts";
import type { PidWatcher } from "../pidwatchers/pidwatcher.ts";
import type { Tracker } from "../trackers/tracker.ts";

/** A tiering policy. */
export interface Policy {
  start(): void | Promise<void>;
  stop(): Promise<void>;
  /** Text for `policy -dump ARGS` (e.g. `accessed`, `heatmap`, `nodes`). */
  dump(args: readonly string[]): string;
  configJson(): string;
  /** What the prompt adopts; null where the policy has none (stub, avoid-oom). */
  mover(): Mover | null;
  tracker(): Tracker | null;
  pidWatcher(): PidWatcher | null;
  /** The heatmap now, for pictures; only the heat policy keeps one. */
  heats?(): PolicyHeats | null;
}

/** A policy's heatmap at one moment, and the scale its classes are on. */
export interface PolicyHeats {
  /** The processes the policy watches, ascending (some may have no heat yet). */
  pids: readonly number[];
  heats: Heats;
  /** The heat of the hottest class (HeatMax). */
  heatMax: number;
  /** Number of heat classes (HeatClasses). */
  classes: number;
}

/** Heat of one range of one process, as the heat policy and forecasters see it. */
export interface RangeHeat {
  addr: number;
  lengthPages: number;
  heat: number;
  createdMs: number;
  updatedMs: number;
}

/** Heats by pid. */
export type Heats = Map<number, RangeHeat[]>;

/** Replaces current heats with forecast ones, or returns null for "no forecast". */
export interface HeatForecaster {
  forecast(heats: Heats): Heats | null | Promise<Heats | null>;
  dump(args: readonly string[]): string;
  /** Ends what it runs (a child process); the policy calls it when it stops. */
  stop?(): Promise<void>;
}
