/**
 * What every daemon component (pidwatcher, tracker, policy, routine, heat
 * forecaster) is given when a registry creates it: its clock, its /proc and
 * /sys readers, the system calls, the log, the statistics and the shared
 * mover. Tests pass fakes for each; the daemon passes the real ones.
 *
 * @module
 */
import type { Syscalls } from "../ffi/syscalls.ts";
import type { Logger } from "../log/logger.ts";
import type { Mover } from "../mover/mover.ts";
import type { ProcFs } from "../procfs/proc_fs.ts";
import type { Stats } from "../stats/stats.ts";
import type { SysFs } from "../sysfs/sys_fs.ts";
import type { Clock } from "../time/clock.ts";

/** The environment a component acts through. */
export interface ComponentDeps {
  clock: Clock;
  procfs: ProcFs;
  sysfs: SysFs;
  /** The system calls, opened on first use. */
  syscalls: () => Syscalls;
  logger: Logger;
  stats: Stats;
  /** The mover policies queue their moves on (shared with the prompt). */
  mover: Mover;
  /** Folder that stands for `/` when reading cgroup paths (a fixture tree in tests). Default: `/`. */
  cgroupRoot?: string;
}

/**
 * How a registry builds one kind of component: `parse` turns a raw config
 * (a JSON or YAML string, or an already parsed object; keys
 * case-insensitive) into the typed config with defaults for omitted fields,
 * throwing `ConfigError` with the key path; `create` builds the component.
 */
export interface ComponentFactory<Config, T, Deps = ComponentDeps> {
  /** One line for `-ls` listings. */
  readonly description: string;
  parse(raw: unknown, path: string): Config;
  create(config: Config, deps: Deps): T;
}

/**
 * A name → factory registry, as each component folder's mod.ts exports.
 * `Deps` is what its components are built with (routines need more than
 * `ComponentDeps`: a way to run prompt commands).
 */
export type Registry<T, Deps = ComponentDeps> = ReadonlyMap<
  string,
  ComponentFactory<unknown, T, Deps>
>;
