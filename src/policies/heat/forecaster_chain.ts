/**
 * The `chain` heat forecaster: runs several forecasters in turn
 * (`Forecasters: [{name, config}]`), each fed the last forecast any before
 * it made (the measured heats for the first); the chain's forecast is the
 * last one made, or none if none made one. A `trace` after a `stdio` thus
 * writes the stdio forecast.
 *
 * The registry is handed in (`chainForecasterFactory(kind)`), so that this
 * file does not import the registry that lists it.
 *
 * @module
 */
import { underKeys } from "../../config/config_error.ts";
import * as v from "valibot";
import { componentRef, parseWithSchema } from "../../config/schema.ts";
import {
  type ComponentKind,
  type ComponentSpec,
  parseComponent,
} from "../../lifecycle/components.ts";
import type { ComponentDeps, ComponentFactory } from "../../lifecycle/deps.ts";
import type { HeatForecaster, Heats } from "../policy.ts";

const schema = v.strictObject({
  Forecasters: v.optional(v.array(componentRef(), "must be a list of {name, config}"), []),
});

/** The `chain` config: the forecasters' specs, parsed. */
export interface ChainConfig {
  forecasters: ComponentSpec<HeatForecaster>[];
}

/** Several forecasters, one after the other. */
export class ChainForecaster implements HeatForecaster {
  readonly forecasters: HeatForecaster[];
  readonly #config: ChainConfig;

  constructor(config: ChainConfig, deps: ComponentDeps) {
    this.#config = config;
    this.forecasters = config.forecasters.map((s) => s.factory.create(s.config, deps));
  }

  async forecast(heats: Heats): Promise<Heats | null> {
    let last: Heats | null = null;
    for (const f of this.forecasters) {
      const next = await f.forecast(last ?? heats);
      if (next !== null) last = next;
    }
    return last;
  }

  async stop(): Promise<void> {
    for (const f of this.forecasters) await f.stop?.();
  }

  dump(args: readonly string[]): string {
    const names = this.#config.forecasters.map((s) => s.name);
    return this.forecasters.map((f, i) => `forecaster ${i} (${names[i]}): ${f.dump(args)}`)
      .join("\n");
  }
}

/** The `chain` factory over the forecaster kind `kind()` (its registry lists this factory too). */
export function chainForecasterFactory(
  kind: () => ComponentKind<HeatForecaster>,
): ComponentFactory<ChainConfig, HeatForecaster> {
  return {
    description: "several forecasters in turn, each fed the last forecast made",
    parse(raw, what) {
      const c = parseWithSchema(schema, raw, what);
      const forecasters = c.Forecasters.map((ref, i) =>
        underKeys(["Forecasters", String(i)], () => parseComponent(kind(), ref), what)
      );
      return { forecasters };
    },
    create: (config, deps) => new ChainForecaster(config, deps),
  };
}
