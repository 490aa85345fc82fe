/**
 * The `stub` pidwatcher: reports nothing (for policies that need none).
 *
 * @module
 */
import * as v from "valibot";
import { parseWithSchema } from "../config/schema.ts";
import type { ComponentFactory } from "../lifecycle/deps.ts";
import type { PidWatcher } from "./pidwatcher.ts";

const schema = v.strictObject({});

/** A pidwatcher that never reports a process. */
class StubPidWatcher implements PidWatcher {
  readonly running = false;
  setPidListener(): void {}
  poll(): void {}
  start(): void {}
  stop(): Promise<void> {
    return Promise.resolve();
  }
  dump(): string {
    return "pidwatcher stub: reports nothing";
  }
  configJson(): string {
    return "{}";
  }
}

/** Registry entry of the `stub` pidwatcher. */
export const stubPidWatcherFactory: ComponentFactory<Record<string, never>, PidWatcher> = {
  description: "reports no processes",
  parse: (raw, path) => parseWithSchema(schema, raw, path) as Record<string, never>,
  create: () => new StubPidWatcher(),
};
