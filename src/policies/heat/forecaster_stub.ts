/**
 * The `stub` heat forecaster: never forecasts (the heat policy keeps the
 * measured heats). Its config is empty.
 *
 * @module
 */
import * as v from "valibot";
import { parseWithSchema } from "../../config/schema.ts";
import type { ComponentFactory } from "../../lifecycle/deps.ts";
import type { HeatForecaster } from "../policy.ts";

const schema = v.strictObject({});

export const stubForecasterFactory: ComponentFactory<Record<string, never>, HeatForecaster> = {
  description: "no forecast: the measured heats stay",
  parse: (raw, what) => parseWithSchema(schema, raw, what),
  create: () => ({ forecast: () => null, dump: () => "<HeatForecasterStub>" }),
};
