/**
 * The `stub` policy: does nothing and has no mover, tracker or pidwatcher,
 * so that routines can run alone (`policy: {name: stub}`). Its config is
 * empty; any key in it is an error.
 *
 * @module
 */
import * as v from "valibot";
import { parseWithSchema } from "../config/schema.ts";
import type { ComponentFactory } from "../lifecycle/deps.ts";
import type { Policy } from "./policy.ts";
import { type PolicyLogic, PolicyRuntime } from "./runtime.ts";

const schema = v.strictObject({});

const stubLogic: PolicyLogic = {
  round() {},
  dump: () => "",
  configJson: () => "{}",
};

/** A policy that does nothing. */
export class StubPolicy extends PolicyRuntime {
  constructor() {
    super({ name: "stub" }, undefined, stubLogic);
  }
}

export const stubPolicyFactory: ComponentFactory<Record<string, never>, Policy> = {
  description: "does nothing: no mover, tracker or pidwatcher (for routines alone)",
  parse: (raw, what) => parseWithSchema(schema, raw, what),
  create: () => new StubPolicy(),
};
