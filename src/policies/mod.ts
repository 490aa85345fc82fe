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
 *   range_ages.ts      when each range was last seen and last changed (age, ratio)
 *   age.ts             `age`: idle memory to swap or slow nodes, active to fast
 *   ratio.ts           `ratio`: the least accessed share to swap or a node
 *   forecaster_stub.ts the `stub` heat forecaster
 *   heat.ts            `heat`: memory of each heat class to its nodes
 *   heatmap.ts         the heat policy's heats per range, decay, classes
 *   forecaster_trace.ts  `trace`: appends the heats to a file
 *   forecaster_stdio.ts  `stdio`: a child process answers (JSON lines)
 *   forecaster_chain.ts  `chain`: several forecasters in turn
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
import { agePolicyFactory } from "./age.ts";
import { chainForecasterFactory } from "./forecaster_chain.ts";
import { stdioForecasterFactory } from "./forecaster_stdio.ts";
import { stubForecasterFactory } from "./forecaster_stub.ts";
import { traceForecasterFactory } from "./forecaster_trace.ts";
import { heatPolicyFactory } from "./heat.ts";
import type { HeatForecaster, Policy } from "./policy.ts";
import { ratioPolicyFactory } from "./ratio.ts";
import { stubPolicyFactory } from "./stub.ts";

export type { HeatForecaster, Heats, Policy, RangeHeat } from "./policy.ts";
export { StubPolicy } from "./stub.ts";

/** Policies by name. */
export const policyRegistry: Registry<Policy> = new Map<string, ComponentFactory<unknown, Policy>>([
  ["age", agePolicyFactory],
  ["heat", heatPolicyFactory(() => heatForecasters)],
  ["ratio", ratioPolicyFactory],
  ["stub", stubPolicyFactory],
]);

/** The policy kind: its registry, and the Go policies this version lacks. */
export const policies: ComponentKind<Policy> = {
  kind: "policy",
  registry: policyRegistry,
  notYetAvailable: ["avoid-oom", "demote-idle"],
};

/** Heat forecasters by name. */
export const heatForecasterRegistry: Registry<HeatForecaster> = new Map<
  string,
  ComponentFactory<unknown, HeatForecaster>
>([
  ["chain", chainForecasterFactory(() => heatForecasters)],
  ["stdio", stdioForecasterFactory],
  ["stub", stubForecasterFactory],
  ["trace", traceForecasterFactory],
]);

/** The heat forecaster kind. */
export const heatForecasters: ComponentKind<HeatForecaster> = {
  kind: "heat forecaster",
  registry: heatForecasterRegistry,
  notYetAvailable: [],
};
