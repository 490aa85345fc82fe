/**
 * policies: what decides where the memory of watched processes goes. A
 * policy owns its pidwatcher and tracker (built from its config through
 * their registries, with `parseNested`) and queues moves on the shared
 * mover; the heat policy may ask a heat forecaster.
 *
 *   policy.ts          the Policy and HeatForecaster interfaces
 *   placement.ts       decisions → mover tasks (pages re-read, stale ones left
 *                      out), the dry run, the Mover/DryRun config entries
 *   stub.ts            `stub`: does nothing (routines alone)
 *   demote_idle.ts     `demote-idle`: idle pages (idle page bitmap) to a slow node
 *   poi.ts             its pages-of-interest folder (`<PID>.vab` files, lock)
 *   avoid_oom.ts       `avoid-oom`: frees nodes under memory pressure
 *   forecaster_stub.ts the `stub` heat forecaster
 *
 * Adding a policy is one file exporting a ComponentFactory plus one line in
 * `policyRegistry` (and its name leaves `notYetAvailable`).
 *
 *   daemon/, prompt/ ──> policies/ ──> pidwatchers/, trackers/, lifecycle/, config/
 *
 * @module
 */
import type { ComponentKind } from "../lifecycle/components.ts";
import type { ComponentFactory, Registry } from "../lifecycle/deps.ts";
import { avoidOomPolicyFactory } from "./avoid_oom.ts";
import { demoteIdlePolicyFactory } from "./demote_idle.ts";
import { stubForecasterFactory } from "./forecaster_stub.ts";
import type { HeatForecaster, Policy } from "./policy.ts";
import { stubPolicyFactory } from "./stub.ts";

export type { HeatForecaster, Heats, Policy, RangeHeat } from "./policy.ts";
export { StubPolicy } from "./stub.ts";

/** Policies by name. */
export const policyRegistry: Registry<Policy> = new Map<string, ComponentFactory<unknown, Policy>>([
  ["stub", stubPolicyFactory],
  ["avoid-oom", avoidOomPolicyFactory],
  ["demote-idle", demoteIdlePolicyFactory],
]);

/** The policy kind: its registry, and the Go policies this version lacks. */
export const policies: ComponentKind<Policy> = {
  kind: "policy",
  registry: policyRegistry,
  notYetAvailable: ["age", "heat", "ratio"],
};

/** Heat forecasters by name. */
export const heatForecasterRegistry: Registry<HeatForecaster> = new Map<
  string,
  ComponentFactory<unknown, HeatForecaster>
>([
  ["stub", stubForecasterFactory],
]);

/** The heat forecaster kind. */
export const heatForecasters: ComponentKind<HeatForecaster> = {
  kind: "heat forecaster",
  registry: heatForecasterRegistry,
  notYetAvailable: ["chain", "stdio", "trace"],
};
