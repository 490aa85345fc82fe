/**
 * The `proc` pidwatcher: every process in /proc that runs a program (whose
 * /proc/PID/exe can be read; kernel threads have none), every IntervalMs.
 *
 * @module
 */
import * as v from "valibot";
import { parseWithSchema, positiveInt } from "../config/schema.ts";
import type { ComponentDeps, ComponentFactory } from "../lifecycle/deps.ts";
import { MAX_INTERVAL_MS } from "./cgroups.ts";
import type { PidWatcher } from "./pidwatcher.ts";
import { PollingPidWatcher } from "./polling.ts";

const schema = v.strictObject({
  IntervalMs: v.optional(positiveInt(MAX_INTERVAL_MS), 5000),
});

/** The `proc` pidwatcher's config, defaults filled in. */
export type ProcConfig = v.InferOutput<typeof schema>;

/** Reports user processes as they come and go. */
export class ProcPidWatcher extends PollingPidWatcher {
  readonly config: ProcConfig;

  constructor(config: ProcConfig, deps: ComponentDeps) {
    super("proc", "PidWatcherProc", config.IntervalMs, deps);
    this.config = config;
  }

  protected *findPids(): Generator<number> {
    const procfs = this.deps.procfs;
    for (const pid of procfs.pids()) {
      try {
        procfs.exe(pid);
      } catch {
        continue; // a kernel thread, or gone already
      }
      yield pid;
    }
  }

  configJson(): string {
    return JSON.stringify(this.config);
  }
}

/** Registry entry of the `proc` pidwatcher. */
export const procPidWatcherFactory: ComponentFactory<ProcConfig, PidWatcher> = {
  description: "every process that runs a program (not kernel threads), every IntervalMs",
  parse: (raw, path) => parseWithSchema(schema, raw, path),
  create: (config, deps) => new ProcPidWatcher(config, deps),
};
