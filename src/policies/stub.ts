/**
 * The `stub` policy: does nothing and has no mover, tracker or pidwatcher,
 * so that routines can run alone (`policy: {name: stub}`). Its config is
 * empty; any key in it is an error.
 *
 * @module
 */
import { parseWithSchema, v } from "../config/schema.ts";
import type { ComponentFactory } from "../lifecycle/deps.ts";
import type { Policy } from "./policy.ts";

const schema = v.strictObject({});

/** A policy that does nothing. */
export class StubPolicy implements Policy {
  start(): void {}
  stop(): Promise<void> {
    return Promise.resolve();
  }
  dump(): string {
    return "";
  }
  configJson(): string {
    return "{}";
  }
  mover(): null {
    return null;
  }
  tracker(): null {
    return null;
  }
  pidWatcher(): null {
    return null;
  }
}

export const stubPolicyFactory: ComponentFactory<Record<string, never>, Policy> = {
  description: "does nothing: no mover, tracker or pidwatcher (for routines alone)",
  parse: (raw, what) => parseWithSchema(schema, raw, what),
  create: () => new StubPolicy(),
};
