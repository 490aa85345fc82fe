/**
 * What the policies' configs share: the limits (one interval limit for
 * every policy), the entries of a policy that owns a pidwatcher and a
 * tracker (`age`, `ratio`, `heat`), the refusal of the deprecated
 * `Cgroups` and `Pids`, nested `{name, config}` components, and the
 * nodes a process may use.
 *
 * Every policy's IntervalMs is at most an hour, as every other loop in
 * memtierd (pidwatchers, routines, the mover): a round that rarely would
 * forget what it tracked between two rounds anyway. Durations (age's
 * SwapOutMs and the like) may be up to a day.
 *
 * @module
 */
import { NODE_MAX } from "../common/limits.ts";
import { ConfigError } from "../config/config_error.ts";
import * as v from "valibot";
import { componentRef, positiveInt } from "../config/schema.ts";
import { type ComponentSpec, parseNested } from "../lifecycle/components.ts";
import type { ComponentDeps } from "../lifecycle/deps.ts";
import { MAX_INTERVAL_MS } from "../mover/mover.ts";
import { pidWatchers } from "../pidwatchers/mod.ts";
import type { PidWatcher } from "../pidwatchers/pidwatcher.ts";
import { parseIdList } from "../sysfs/id_list.ts";
import { trackers } from "../trackers/mod.ts";
import type { Tracker } from "../trackers/tracker.ts";
import { type PlacementConfig, placementEntries } from "./placement.ts";

/** Longest IntervalMs of any policy: an hour, as the mover's and the pidwatchers'. */
export const MAX_POLICY_INTERVAL_MS = MAX_INTERVAL_MS;
/** IntervalMs when a config leaves it out (Go's ratio default; Go's age had none). */
export const DEFAULT_POLICY_INTERVAL_MS = 5000;
/** Longest duration in a policy config (age's SwapOutMs and the like): a day, in ms. */
export const MAX_POLICY_DURATION_MS = 86_400_000;
/** Highest NUMA node id a policy config accepts. */
export const MAX_NODE_ID = NODE_MAX;

/** The `IntervalMs` entry of every policy. */
export function intervalEntry() {
  return v.optional(positiveInt(MAX_POLICY_INTERVAL_MS), DEFAULT_POLICY_INTERVAL_MS);
}

/**
 * Throws the one-line error for a deprecated `Cgroups` or `Pids` given
 * (not empty), with the pidwatcher config that replaces it.
 */
function rejectDeprecated(
  policy: string,
  config: { Cgroups?: unknown; Pids?: unknown },
  what: string,
): void {
  const given = (x: unknown) => x !== undefined && x !== null && !(Array.isArray(x) && !x.length);
  if (given(config.Cgroups)) {
    throw new ConfigError({
      reason: `deprecated in the ${policy} policy: use a cgroups pidwatcher instead, ` +
        `pidwatcher: {name: cgroups, config: {cgroups: [/sys/fs/cgroup/PATH]}}`,
      keyPath: ["Cgroups"],
      component: what,
    });
  }
  if (given(config.Pids)) {
    throw new ConfigError({
      reason: `deprecated in the ${policy} policy: use a pidlist pidwatcher instead, ` +
        `pidwatcher: {name: pidlist, config: {pids: [PID]}}`,
      keyPath: ["Pids"],
      component: what,
    });
  }
}

/**
 * The entries of a policy that owns a pidwatcher and a tracker (age, ratio,
 * heat), besides `Tracker` (whose default differs), with the deprecated
 * top-level keys accepted only to say what replaces them.
 */
export function trackingEntries() {
  return {
    PidWatcher: componentRef(),
    IntervalMs: intervalEntry(),
    ...placementEntries,
    Cgroups: v.optional(v.unknown()),
    Pids: v.optional(v.unknown()),
  };
}

/** What a tracking policy is built from. */
export interface TrackingConfig extends PlacementConfig {
  pidWatcher: ComponentSpec<PidWatcher>;
  tracker: ComponentSpec<Tracker>;
  IntervalMs: number;
}

/** The entries of `trackingEntries()` (and `Tracker`) as parsed by a schema. */
interface TrackingEntries extends PlacementConfig {
  PidWatcher: { name: string; config?: unknown };
  Tracker: { name: string; config?: unknown };
  IntervalMs: number;
  Cgroups?: unknown;
  Pids?: unknown;
}

/**
 * The shared part of a tracking policy's config: the deprecated keys
 * refused, the pidwatcher and tracker looked up in their registries.
 */
export function parseTracking(policy: string, c: TrackingEntries, what: string): TrackingConfig {
  rejectDeprecated(policy, c, what);
  return {
    pidWatcher: parseNested(pidWatchers, "PidWatcher", c.PidWatcher, what),
    tracker: parseNested(trackers, "Tracker", c.Tracker, what),
    Mover: c.Mover,
    DryRun: c.DryRun,
    IntervalMs: c.IntervalMs,
  };
}

/** A nested component as `configJson()` shows it: its name and its live config. */
export function liveRef(
  spec: ComponentSpec<unknown>,
  component: { configJson(): string } | null,
): { name: string; config: unknown } {
  return { name: spec.name, config: component ? JSON.parse(component.configJson()) : spec.config };
}

/** The shared part of a tracking policy's `configJson()`, with the live component configs. */
export function trackingConfigJson(
  c: TrackingConfig,
  parts: { pidWatcher: PidWatcher | null; tracker: Tracker | null },
): Record<string, unknown> {
  return {
    PidWatcher: liveRef(c.pidWatcher, parts.pidWatcher),
    Tracker: liveRef(c.tracker, parts.tracker),
    Mover: c.Mover,
    DryRun: c.DryRun,
    IntervalMs: c.IntervalMs,
  };
}

/**
 * The nodes `pid` may allocate on (Mems_allowed_list of its status), or
 * null when the status does not say.
 */
export function allowedNodes(deps: ComponentDeps, pid: number): number[] | null {
  const text = deps.procfs.status(pid).get("Mems_allowed_list");
  return text === undefined ? null : parseIdList(text, `pid ${pid} Mems_allowed_list`);
}

/**
 * Of `nodes`, in their order, those `pid` may allocate on (all, when its
 * status does not say); empty when it may use none of them. Throws
 * ProcessGoneError when the process has exited.
 */
export function usableNodes(
  deps: ComponentDeps,
  pid: number,
  nodes: readonly number[],
): number[] {
  const allowed = allowedNodes(deps, pid);
  return nodes.filter((n) => allowed === null || allowed.includes(n));
}
