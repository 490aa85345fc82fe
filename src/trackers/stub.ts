/**
 * The `stub` tracker: tracks nothing and reports no counters. Its config is
 * empty.
 *
 * @module
 */
import * as v from "valibot";
import { parseWithSchema } from "../config/schema.ts";
import type { ComponentFactory } from "../lifecycle/deps.ts";
import type { Tracker } from "./tracker.ts";

const schema = v.strictObject({});

export const stubTrackerFactory: ComponentFactory<Record<string, never>, Tracker> = {
  description: "tracks nothing, no counters",
  parse: (raw, what) => parseWithSchema(schema, raw, what),
  create: () => ({
    addPids() {},
    removePids() {},
    start() {},
    stop: () => Promise.resolve(),
    resetCounters() {},
    getCounters: () => [],
    dump: () => "",
    configJson: () => "{}",
  }),
};
