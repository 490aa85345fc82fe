/**
 * The `stub` routine: does nothing. Its config is empty.
 *
 * @module
 */
import * as v from "valibot";
import { parseWithSchema } from "../config/schema.ts";
import type { ComponentFactory } from "../lifecycle/deps.ts";
import type { Routine, RoutineDeps } from "./routine.ts";

const schema = v.strictObject({});

export const stubRoutineFactory: ComponentFactory<Record<string, never>, Routine, RoutineDeps> = {
  description: "does nothing",
  parse: (raw, what) => parseWithSchema(schema, raw, what),
  create: () => ({
    setPolicy() {},
    start() {},
    stop: () => Promise.resolve(),
    dump: () => "",
    configJson: () => "{}",
  }),
};
