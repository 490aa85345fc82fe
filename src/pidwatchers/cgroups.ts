/**
 * The `cgroups` pidwatcher: the processes in `cgroup.procs` of the
 * configured cgroups and every cgroup below them, scanned every IntervalMs.
 * A configured path that is not a cgroup is warned about once (it may
 * appear later, and is scanned every round).
 *
 * @module
 */
import { quoted } from "../common/excerpt.ts";
import * as v from "valibot";
import { parseWithSchema, positiveInt, stringList } from "../config/schema.ts";
import type { ComponentDeps, ComponentFactory } from "../lifecycle/deps.ts";
import { CgroupFs } from "./cgroup_pids.ts";
import type { PidWatcher } from "./pidwatcher.ts";
import { PollingPidWatcher } from "./polling.ts";

/** Longest polling interval accepted by the polling pidwatchers: one hour. */
export const MAX_INTERVAL_MS = 3_600_000;

const schema = v.strictObject({
  IntervalMs: v.optional(positiveInt(MAX_INTERVAL_MS), 5000),
  Cgroups: v.optional(stringList(), []),
});

/** The `cgroups` pidwatcher's config, defaults filled in. */
export type CgroupsConfig = v.InferOutput<typeof schema>;

/** Reports the processes of some cgroups as they come and go. */
export class CgroupsPidWatcher extends PollingPidWatcher {
  readonly config: CgroupsConfig;
  readonly #cgroups: CgroupFs;
  readonly #warned = new Set<string>();

  constructor(config: CgroupsConfig, deps: ComponentDeps) {
    super("cgroups", "PidWatcherCgroups", config.IntervalMs, deps);
    this.config = config;
    this.#cgroups = new CgroupFs(deps.cgroupRoot === undefined ? {} : { root: deps.cgroupRoot });
    if (config.Cgroups.length === 0) {
      deps.logger.warn("pidwatcher cgroups: no Cgroups configured: it will find no processes");
    }
  }

  protected findPids(): number[] {
    const { pids, notCgroups } = this.#cgroups.pids(this.config.Cgroups);
    for (const path of notCgroups) {
      if (this.#warned.has(path)) continue;
      this.#warned.add(path);
      this.deps.logger.warn(
        `pidwatcher cgroups: invalid path ${quoted(path)}: not a cgroup (no cgroup.procs)`,
      );
    }
    return pids;
  }

  configJson(): string {
    return JSON.stringify(this.config);
  }

  protected override dumpExtra(): string[] {
    return this.#warned.size ? [`invalid paths: ${[...this.#warned].join(" ")}`] : [];
  }
}

/** Registry entry of the `cgroups` pidwatcher. */
export const cgroupsPidWatcherFactory: ComponentFactory<CgroupsConfig, PidWatcher> = {
  description: "processes in cgroups (Cgroups) and their child cgroups, every IntervalMs",
  parse: (raw, path) => parseWithSchema(schema, raw, path),
  create: (config, deps) => new CgroupsPidWatcher(config, deps),
};
