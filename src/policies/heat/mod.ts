/**
 * heat: the `heat` policy and the heat forecasters it may ask.
 *
 *   config.ts            its config (HeatNumas, NumaSize quotas)
 *   heat.ts              the logic: heatmap update, forecast, placements
 *   heatmap.ts           heats per range, decay, classes
 *   settling.ts          the ranges it moved, until their counts mean something
 *   dump.ts              `dump heatgram` and `dump numa`
 *   forecaster_stub.ts   `stub`: no forecast
 *   forecaster_trace.ts  `trace`: appends the heats to a file
 *   forecaster_stdio.ts  `stdio`: a child process answers (JSON lines)
 *   forecaster_chain.ts  `chain`: several forecasters in turn
 *
 *   policies/mod.ts ──> heat/mod.ts ──> heat.ts ──> heatmap.ts, settling.ts, ../runtime.ts
 *
 * @module
 */
import type { ComponentKind } from "../../lifecycle/components.ts";
import type { ComponentFactory, Registry } from "../../lifecycle/deps.ts";
import type { HeatForecaster, Policy } from "../policy.ts";
import { chainForecasterFactory } from "./forecaster_chain.ts";
import { stdioForecasterFactory } from "./forecaster_stdio.ts";
import { stubForecasterFactory } from "./forecaster_stub.ts";
import { traceForecasterFactory } from "./forecaster_trace.ts";
import type { HeatConfig } from "./config.ts";
import { heatPolicyFactory as makeHeatPolicyFactory } from "./heat.ts";

/** Heat forecasters by name. */
const heatForecasterRegistry: Registry<HeatForecaster> = new Map<
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
};

/** The `heat` policy, its forecasters from the registry above. */
export const heatPolicyFactory: ComponentFactory<HeatConfig, Policy> = makeHeatPolicyFactory(
  () => heatForecasters,
);
