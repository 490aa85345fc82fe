/**
 * The `filter` pidwatcher: runs another pidwatcher (Source) and passes on
 * the processes that match any of its Filters.
 *
 * A filter holds criteria that must all hold: ProcExeRegexp (a JavaScript
 * regular expression, searched in the program path /proc/PID/exe points
 * to; for common patterns like `.*\/meme` or `^/usr/bin/(a|b)$` it means
 * what Go's RE2 syntax means), MinVmSizeKb and MinVmRSSKb (VmSize and VmRSS
 * of /proc/PID/status), MinPrivateDirtyKb (Private_Dirty of smaps_rollup,
 * else summed over smaps), And (all of a list of filters), Or (any of a
 * list) and Not (the filter does not match). A criterion left out or 0 is
 * not checked, so `{}` matches every process, while an empty Filters list
 * passes none. A process that cannot be read fails the criterion.
 *
 * As in the Go memtierd, a process is checked once, when the source
 * reports it; removals are passed on only for processes passed on as
 * added.
 *
 * @module
 */
import { ConfigError, underKeys } from "../config/config_error.ts";
import * as v from "valibot";
import { componentRef, intInRange, parseWithSchema } from "../config/schema.ts";
import type { ComponentDeps, ComponentFactory, Registry } from "../lifecycle/deps.ts";
import { privateDirtyKiB } from "../procfs/smaps.ts";
import { type ProcStatus, statusKiB } from "../procfs/status.ts";
import type { PidListener, PidWatcher, WatchedPid } from "./pidwatcher.ts";
import { dumpWatched, loggedPids } from "./polling.ts";

/** One filter: every criterion given must hold. */
export interface PidFilter {
  ProcExeRegexp: string;
  MinVmSizeKb: number;
  MinVmRSSKb: number;
  MinPrivateDirtyKb: number;
  And: PidFilter[];
  Or: PidFilter[];
  Not?: PidFilter | undefined;
}

/** A filter as written in a config (fields optional). */
export interface PidFilterInput {
  ProcExeRegexp?: string | undefined;
  MinVmSizeKb?: number | undefined;
  MinVmRSSKb?: number | undefined;
  MinPrivateDirtyKb?: number | undefined;
  And?: PidFilterInput[] | undefined;
  Or?: PidFilterInput[] | undefined;
  Not?: PidFilterInput | undefined;
}

/** Largest size criterion accepted, in KiB (about 1 PB). */
const MAX_SIZE_KB = 1e12;

function compiles(pattern: string): boolean {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}

const sizeKb = () => v.optional(intInRange(0, MAX_SIZE_KB), 0);

const filterSchema: v.GenericSchema<PidFilterInput, PidFilter> = v.strictObject({
  ProcExeRegexp: v.optional(
    v.pipe(
      v.string("must be a regular expression"),
      v.check(compiles, "must be a valid JavaScript regular expression"),
    ),
    "",
  ),
  MinVmSizeKb: sizeKb(),
  MinVmRSSKb: sizeKb(),
  MinPrivateDirtyKb: sizeKb(),
  And: v.optional(v.array(v.lazy(() => filterSchema), "must be a list of filters"), []),
  Or: v.optional(v.array(v.lazy(() => filterSchema), "must be a list of filters"), []),
  Not: v.optional(v.lazy(() => filterSchema)),
});

const schema = v.strictObject({
  Source: componentRef(),
  Filters: v.optional(v.array(filterSchema, "must be a list of filters"), []),
});

/** The `filter` pidwatcher's config: the source's config parsed by its own factory. */
export interface FilterConfig {
  Source: { name: string; config: unknown };
  Filters: PidFilter[];
}

/** A filter without the criteria left at their defaults (for dumps). */
function compact(f: PidFilter): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (f.ProcExeRegexp) out.ProcExeRegexp = f.ProcExeRegexp;
  if (f.MinVmSizeKb) out.MinVmSizeKb = f.MinVmSizeKb;
  if (f.MinVmRSSKb) out.MinVmRSSKb = f.MinVmRSSKb;
  if (f.MinPrivateDirtyKb) out.MinPrivateDirtyKb = f.MinPrivateDirtyKb;
  if (f.And.length) out.And = f.And.map(compact);
  if (f.Or.length) out.Or = f.Or.map(compact);
  if (f.Not) out.Not = compact(f.Not);
  return out;
}

/** What is read of one process while checking it, at most once. */
class ProcessFacts {
  #deps: ComponentDeps;
  #pid: number;
  #exe: string | null | undefined;
  #status: ProcStatus | null | undefined;
  #dirty: number | null | undefined;

  constructor(deps: ComponentDeps, pid: number) {
    this.#deps = deps;
    this.#pid = pid;
  }

  exe(): string | null {
    if (this.#exe === undefined) this.#exe = this.#read(() => this.#deps.procfs.exe(this.#pid));
    return this.#exe;
  }

  statusKiB(field: string): number | null {
    if (this.#status === undefined) {
      this.#status = this.#read(() => this.#deps.procfs.status(this.#pid));
    }
    return this.#status === null ? null : statusKiB(this.#status, field) ?? null;
  }

  privateDirtyKiB(): number | null {
    if (this.#dirty === undefined) {
      this.#dirty = this.#read(() => privateDirtyKiB(this.#deps.procfs, this.#pid));
    }
    return this.#dirty;
  }

  #read<T>(f: () => T): T | null {
    try {
      return f();
    } catch {
      return null;
    }
  }
}

/** Whether a process matches a filter. */
function matchesFilter(f: PidFilter, facts: ProcessFacts, re: RegexpCache): boolean {
  if (f.ProcExeRegexp) {
    const exe = facts.exe();
    if (exe === null || !re.get(f.ProcExeRegexp).test(exe)) return false;
  }
  const atLeast = (value: number | null, min: number) => min === 0 || (value ?? -1) >= min;
  if (f.MinVmSizeKb && !atLeast(facts.statusKiB("VmSize"), f.MinVmSizeKb)) return false;
  if (f.MinVmRSSKb && !atLeast(facts.statusKiB("VmRSS"), f.MinVmRSSKb)) return false;
  if (f.MinPrivateDirtyKb && !atLeast(facts.privateDirtyKiB(), f.MinPrivateDirtyKb)) return false;
  if (!f.And.every((g) => matchesFilter(g, facts, re))) return false;
  if (f.Or.length > 0 && !f.Or.some((g) => matchesFilter(g, facts, re))) return false;
  if (f.Not && matchesFilter(f.Not, facts, re)) return false;
  return true;
}

/** Compiled regular expressions by source text. */
class RegexpCache {
  #map = new Map<string, RegExp>();
  get(pattern: string): RegExp {
    let re = this.#map.get(pattern);
    if (!re) {
      re = new RegExp(pattern);
      this.#map.set(pattern, re);
    }
    return re;
  }
}

/** Passes on the processes of a source pidwatcher that match its filters. */
class FilterPidWatcher implements PidWatcher {
  readonly config: FilterConfig;
  readonly source: PidWatcher;
  readonly #deps: ComponentDeps;
  readonly #forwarded = new Map<number, WatchedPid>();
  readonly #regexps = new RegexpCache();
  #listener: PidListener | undefined;

  constructor(config: FilterConfig, source: PidWatcher, deps: ComponentDeps) {
    this.config = config;
    this.source = source;
    this.#deps = deps;
    source.setPidListener({
      addPids: (pids) => this.#added(pids),
      removePids: (pids) => this.#removed(pids),
    });
  }

  /** Whether `pid` passes the filters now. */
  passes(pid: number): boolean {
    const facts = new ProcessFacts(this.#deps, pid);
    return this.config.Filters.some((f) => matchesFilter(f, facts, this.#regexps));
  }

  get running(): boolean {
    return this.source.running;
  }

  watchedPids(): readonly WatchedPid[] {
    return [...this.#forwarded.values()].sort((a, b) => a.pid - b.pid);
  }

  setPidListener(listener: PidListener): void {
    this.#listener = listener;
  }

  poll(): void | Promise<void> {
    return this.source.poll();
  }

  start(): void | Promise<void> {
    return this.source.start();
  }

  async stop(): Promise<void> {
    await this.source.stop();
    this.#forwarded.clear();
  }

  dump(args: readonly string[]): string {
    const forwarded = [...this.#forwarded.values()].sort((a, b) => a.pid - b.pid);
    return [
      `pidwatcher filter: listener: ${this.#listener ? "set" : "none"}`,
      `config: ${this.configJson()}`,
      "ProcExeRegexp is a JavaScript regular expression",
      `passed pids: ${forwarded.length}`,
      ...dumpWatched(forwarded),
      `source: ${this.source.dump(args).replaceAll("\n", "\n  ")}`,
    ].join("\n");
  }

  configJson(): string {
    return JSON.stringify({
      Source: { name: this.config.Source.name, config: JSON.parse(this.source.configJson()) },
      Filters: this.config.Filters.map(compact),
    });
  }

  #added(pids: readonly WatchedPid[]): void {
    const passing = pids.filter((w) => this.passes(w.pid));
    if (passing.length === 0) return;
    for (const w of passing) this.#forwarded.set(w.pid, w);
    if (this.#listener) this.#listener.addPids(passing);
    else {
      this.#deps.logger.warn(
        `pidwatcher filter: ignoring new pids ${loggedPids(passing)} because nobody is listening`,
      );
    }
  }

  #removed(pids: readonly WatchedPid[]): void {
    const passed = pids.filter((w) => this.#forwarded.get(w.pid) === w);
    if (passed.length === 0) return;
    for (const w of passed) this.#forwarded.delete(w.pid);
    if (this.#listener) this.#listener.removePids(passed);
    else {
      this.#deps.logger.warn(
        `pidwatcher filter: ignoring disappeared pids ${
          loggedPids(passed)
        } because nobody is listening`,
      );
    }
  }
}

/**
 * The registry entry of the `filter` pidwatcher. It builds its source
 * through `registry` (a function, so that the registry can hold this
 * entry too).
 */
export function filterPidWatcherFactory(
  registry: () => Registry<PidWatcher>,
): ComponentFactory<FilterConfig, PidWatcher> {
  return {
    description: "the processes of another pidwatcher (Source) that match any of Filters",
    parse(raw, path) {
      const c = parseWithSchema(schema, raw, path);
      const name = c.Source.name;
      const factory = registry().get(name);
      if (!factory) {
        const accepted = [...registry().keys()].sort().join(", ");
        throw new ConfigError({
          reason: `unknown pidwatcher ${JSON.stringify(name)} (accepted: ${accepted})`,
          keyPath: ["source", "name"],
          component: path,
        });
      }
      const config = underKeys(
        ["source", "config"],
        () => factory.parse(c.Source.config, `${path}.source`),
        path,
      );
      return { Source: { name, config }, Filters: c.Filters };
    },
    create(config, deps) {
      const factory = registry().get(config.Source.name)!;
      return new FilterPidWatcher(config, factory.create(config.Source.config, deps), deps);
    },
  };
}
