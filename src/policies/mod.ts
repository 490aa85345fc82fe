/**
 * policies: what decides where the memory of watched processes goes. A
 * policy is its logic (a round, dumps, config, what it does with new
 * processes); one `PolicyRuntime` runs every policy's logic: it builds the
 * pidwatcher, tracker and forecaster the config names (through their
 * registries, with `parseNested`), starts and stops them in one order,
 * queues moves on the shared mover through a `Placement`, and runs the
 * rounds on a `Loop`.
 *
 *   policy.ts          the Policy and HeatForecaster interfaces
 *   runtime.ts         PolicyRuntime: the one life cycle; PolicyLogic
 *   config.ts          what the configs share: limits, tracking entries,
 *                      deprecated keys, nested components, allowed nodes
 *   placement.ts       decisions → mover tasks (pages re-read by the page
 *                      census of memory/census.ts, stale ones left out), the
 *                      dry run, the Mover/DryRun config entries
 *   stub.ts            `stub`: does nothing (routines alone)
 *   range_ages.ts      when each range was last seen and last changed (age, ratio)
 *   age.ts             `age`: idle memory to swap or slow nodes, active to fast
 *   ratio.ts           `ratio`: the least accessed share to swap or a node
 *   demote_idle.ts     `demote-idle`: idle pages (idle page bitmap) to a slow node
 *   poi.ts             its pages-of-interest folder (`<PID>.vab` files, lock)
 *   avoid_oom.ts       `avoid-oom`: frees nodes under memory pressure
 *   avoid_oom_pressure.ts  its pressure model (nodes, node sets, pressure,
 *                      candidates and targets), pure
 *   heat/              `heat`: memory of each heat class to its nodes, with
 *                      its heatmap and the heat forecasters (heat/mod.ts)
 *
 * Adding a policy is one file exporting its logic and a ComponentFactory
 * that puts it on a PolicyRuntime, plus one line in `policyRegistry`. Each
 * policy's module is imported when a config first names it
 * (lifecycle/lazy.ts): a daemon compiles only its own policy.
 *
 *   daemon/, prompt/ ──> policies/ ──> pidwatchers/, trackers/, lifecycle/, config/
 *
 * @module
 */
import type { ComponentKind } from "../lifecycle/components.ts";
import type { ComponentFactory, Registry } from "../lifecycle/deps.ts";
import { lazyFactory } from "../lifecycle/lazy.ts";
import type { Policy } from "./policy.ts";

/** Policies by name. */
export const policyRegistry: Registry<Policy> = new Map<string, ComponentFactory<unknown, Policy>>([
  ["age", lazyFactory(() => import("./age.ts").then((m) => m.agePolicyFactory))],
  ["heat", lazyFactory(() => import("./heat/mod.ts").then((m) => m.heatPolicyFactory))],
  ["ratio", lazyFactory(() => import("./ratio.ts").then((m) => m.ratioPolicyFactory))],
  ["stub", lazyFactory(() => import("./stub.ts").then((m) => m.stubPolicyFactory))],
  ["avoid-oom", lazyFactory(() => import("./avoid_oom.ts").then((m) => m.avoidOomPolicyFactory))],
  [
    "demote-idle",
    lazyFactory(() => import("./demote_idle.ts").then((m) => m.demoteIdlePolicyFactory)),
  ],
]);

/** The policy kind: its registry (every Go policy is in it). */
export const policies: ComponentKind<Policy> = {
  kind: "policy",
  registry: policyRegistry,
};
