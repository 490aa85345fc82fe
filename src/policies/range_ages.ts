/**
 * What the `age` and `ratio` policies share.
 *
 * `RangeAges` is their bookkeeping over the tracker's cumulative counters
 * (the policies never reset them), as the Go memtierd keeps it: each range,
 * keyed by pid, start address and length, remembers when it was last seen
 * and when its counts last changed, and in how many rounds in a row they
 * changed (a new range counts as changed). A range not seen for two
 * intervals is forgotten (its process exited, or the tracker cut its
 * regions anew).
 *
 * `TrackingPolicy` is their life cycle: the pidwatcher and tracker built
 * from the config specs, the pidwatcher feeding the tracker, a `Placement`
 * on the shared mover, and a round every IntervalMs on a lifecycle Loop
 * (the first at start).
 *
 * @module
 */
import { ConfigError } from "../config/decode.ts";
import { componentRef, positiveInt, v } from "../config/schema.ts";
import { type ComponentKind, type ComponentSpec, parseNested } from "../lifecycle/components.ts";
import type { ComponentDeps } from "../lifecycle/deps.ts";
import { Loop } from "../loop/loop.ts";
import { type AddrRange, mergeRanges, PAGE_SIZE_BYTES } from "../memory/addr_range.ts";
import type { Mover } from "../mover/mover.ts";
import type { PidWatcher } from "../pidwatchers/pidwatcher.ts";
import { parseIdList } from "../sysfs/id_list.ts";
import type { Tracker, TrackerCounter } from "../trackers/tracker.ts";
import { Placement, type PlacementConfig, placementEntries } from "./placement.ts";

/** Longest interval or duration accepted in a policy config: a day, in ms. */
export const MAX_POLICY_MS = 86_400_000;
/** IntervalMs when a config leaves it out (Go's ratio default; Go's age had none). */
export const DEFAULT_POLICY_INTERVAL_MS = 5000;
/** Highest NUMA node id move_pages accepts. */
export const MAX_NODE_ID = 32767;

/** Rounds in a row a range can be remembered changing (Go's 64-bit round bitmap). */
const MAX_ROUNDS = 64;

/** What is remembered of one tracked range. */
export interface RangeAge {
  readonly pid: number;
  readonly range: AddrRange;
  /** Clock ms when the tracker last reported the range. */
  lastSeenMs: number;
  /** Clock ms when its counts last changed (or it first appeared). */
  lastChangedMs: number;
  /** Rounds in a row, up to the last one, in which its counts changed (at most 64). */
  changedRounds: number;
  accesses: number;
  reads: number;
  writes: number;
}

/** Length of a range in pages. */
export function agePages(a: RangeAge): number {
  return (a.range.endAddr - a.range.startAddr) / PAGE_SIZE_BYTES;
}

/** Ranges by pid, with when each was last seen and last changed. */
export class RangeAges {
  #byPid = new Map<number, Map<string, RangeAge>>();

  /** Takes one round of cumulative counters, seen at `nowMs`. */
  update(counters: readonly TrackerCounter[], nowMs: number): void {
    const seen = new Set<RangeAge>();
    for (const c of counters) {
      let ranges = this.#byPid.get(c.pid);
      if (!ranges) this.#byPid.set(c.pid, ranges = new Map());
      const key = `${c.range.startAddr}:${c.range.endAddr - c.range.startAddr}`;
      const old = ranges.get(key);
      if (!old) {
        const a: RangeAge = {
          pid: c.pid,
          range: c.range,
          lastSeenMs: nowMs,
          lastChangedMs: nowMs,
          changedRounds: 1,
          accesses: c.accesses,
          reads: c.reads,
          writes: c.writes,
        };
        ranges.set(key, a);
        seen.add(a);
        continue;
      }
      if (seen.has(old)) continue; // the same range twice in one round
      seen.add(old);
      old.lastSeenMs = nowMs;
      if (old.accesses !== c.accesses || old.reads !== c.reads || old.writes !== c.writes) {
        old.lastChangedMs = nowMs;
        old.changedRounds = Math.min(MAX_ROUNDS, old.changedRounds + 1);
        old.accesses = c.accesses;
        old.reads = c.reads;
        old.writes = c.writes;
      } else {
        old.changedRounds = 0;
      }
    }
  }

  /** Forgets ranges not seen since `nowMs - 2 × intervalMs`. */
  forget(nowMs: number, intervalMs: number): void {
    const alive = nowMs - 2 * intervalMs;
    for (const [pid, ranges] of this.#byPid) {
      for (const [key, a] of ranges) if (a.lastSeenMs < alive) ranges.delete(key);
      if (ranges.size === 0) this.#byPid.delete(pid);
    }
  }

  /** Forgets every range of `pid` (its process is gone). */
  dropPid(pid: number): void {
    this.#byPid.delete(pid);
  }

  /** Pids with ranges, ascending. */
  pids(): number[] {
    return [...this.#byPid.keys()].sort((a, b) => a - b);
  }

  /** The ranges of `pid`, by address. */
  ofPid(pid: number): RangeAge[] {
    return [...(this.#byPid.get(pid)?.values() ?? [])].sort((a, b) =>
      a.range.startAddr - b.range.startAddr || a.range.endAddr - b.range.endAddr
    );
  }

  /** Every range, by pid and address. */
  all(): RangeAge[] {
    return this.pids().flatMap((pid) => this.ofPid(pid));
  }

  /** Ranges whose counts have not changed for `durationMs` (changed before `nowMs - durationMs`). */
  idle(nowMs: number, durationMs: number): RangeAge[] {
    const before = nowMs - durationMs;
    return this.all().filter((a) => a.lastChangedMs < before);
  }

  /**
   * Ranges that changed in each of the last `floor(durationMs / intervalMs) + 1`
   * rounds (at most 64), as the Go policy's round bitmap has it.
   */
  active(durationMs: number, intervalMs: number): RangeAge[] {
    const rounds = Math.min(MAX_ROUNDS, Math.floor(durationMs / intervalMs) + 1);
    return this.all().filter((a) => a.changedRounds >= rounds);
  }
}

/** Ranges of each pid, merged where they touch (the Go `RegionsMerged`). */
export function rangesByPid(ages: readonly RangeAge[]): Map<number, AddrRange[]> {
  const byPid = new Map<number, AddrRange[]>();
  for (const a of ages) {
    let l = byPid.get(a.pid);
    if (!l) byPid.set(a.pid, l = []);
    l.push(a.range);
  }
  for (const [pid, l] of byPid) byPid.set(pid, mergeRanges(l));
  return byPid;
}

/** A list of NUMA node ids in a policy config. */
export function nodeList() {
  const m = `must be a node id from 0 to ${MAX_NODE_ID}`;
  return v.array(
    v.pipe(v.number(m), v.integer(m), v.minValue(0, m), v.maxValue(MAX_NODE_ID, m)),
    "must be a list of node ids",
  );
}

/** The deprecated top-level keys of age, heat and ratio, accepted only to say what replaces them. */
export const deprecatedEntries = {
  Cgroups: v.optional(v.unknown()),
  Pids: v.optional(v.unknown()),
};

/**
 * Throws the one-line error for a deprecated `Cgroups` or `Pids` given
 * (not empty), with the pidwatcher config that replaces it.
 */
export function rejectDeprecated(
  policy: string,
  config: { Cgroups?: unknown; Pids?: unknown },
): void {
  const given = (x: unknown) => x !== undefined && x !== null && !(Array.isArray(x) && !x.length);
  if (given(config.Cgroups)) {
    throw new ConfigError(
      `deprecated in the ${policy} policy: use a cgroups pidwatcher instead, ` +
        `pidwatcher: {name: cgroups, config: {cgroups: [/sys/fs/cgroup/PATH]}}`,
      ["Cgroups"],
    );
  }
  if (given(config.Pids)) {
    throw new ConfigError(
      `deprecated in the ${policy} policy: use a pidlist pidwatcher instead, ` +
        `pidwatcher: {name: pidlist, config: {pids: [PID]}}`,
      ["Pids"],
    );
  }
}

/**
 * Parses a policy's nested `{name, config}` under `key` (`PidWatcher`,
 * `Tracker`) with the registry of `kind`; errors read
 * `WHAT: PidWatcher.config.intervalms: REASON`.
 */
export function parseRef<T>(
  kind: ComponentKind<T>,
  key: string,
  ref: { name: string; config?: unknown },
  what: string,
): ComponentSpec<T> {
  return withWhat(what, () => parseNested(kind, key, ref));
}

/** Runs `f`; a ConfigError from it comes out as `WHAT: KEY.PATH: REASON`. */
export function withWhat<R>(what: string, f: () => R): R {
  try {
    return f();
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    throw new ConfigError(`${what}: ${e.keyPath.join(".")}: ${e.message}`, e.keyPath);
  }
}

/** The entries age and ratio share (besides `placementEntries`); `Tracker` differs. */
export function trackingEntries() {
  return {
    PidWatcher: componentRef(),
    IntervalMs: v.optional(positiveInt(MAX_POLICY_MS), DEFAULT_POLICY_INTERVAL_MS),
    ...placementEntries,
    ...deprecatedEntries,
  };
}

/** What a tracking policy is built from. */
export interface TrackingConfig extends PlacementConfig {
  pidWatcher: ComponentSpec<PidWatcher>;
  tracker: ComponentSpec<Tracker>;
  IntervalMs: number;
}

/**
 * The nodes `pid` may allocate on (Mems_allowed_list of its status), or
 * null when the status does not say.
 */
export function allowedNodes(deps: ComponentDeps, pid: number): number[] | null {
  const text = deps.procfs.status(pid).get("Mems_allowed_list");
  return text === undefined ? null : parseIdList(text, `pid ${pid} Mems_allowed_list`);
}

/**
 * The first of `nodes` that `pid` may allocate on (all, when its status
 * does not say), or null when it may use none of them. Throws
 * ProcessGoneError when the process has exited.
 */
export function firstAllowedNode(
  deps: ComponentDeps,
  pid: number,
  nodes: readonly number[],
): number | null {
  const allowed = allowedNodes(deps, pid);
  return nodes.find((n) => allowed === null || allowed.includes(n)) ?? null;
}

/**
 * The life cycle of a policy that owns a pidwatcher and a tracker and
 * decides every IntervalMs (`age`, `ratio`).
 */
export abstract class TrackingPolicy {
  protected readonly deps: ComponentDeps;
  protected readonly placement: Placement;
  protected readonly ages = new RangeAges();
  readonly #name: string;
  readonly #config: TrackingConfig;
  readonly #watcher: PidWatcher;
  readonly #tracker: Tracker;
  #loop: Loop | undefined;

  constructor(name: string, config: TrackingConfig, deps: ComponentDeps) {
    this.#name = name;
    this.#config = config;
    this.deps = deps;
    this.#watcher = config.pidWatcher.factory.create(config.pidWatcher.config, deps);
    this.#tracker = config.tracker.factory.create(config.tracker.config, deps);
    this.placement = new Placement({ deps, policy: name, config });
  }

  /** One decision round, after the ages took this round's counters. */
  protected abstract decide(nowMs: number): void;

  /**
   * Starts the pidwatcher feeding the tracker, then the tracker, the mover
   * and the rounds. In that order, the pidwatcher's first poll comes before
   * the tracker's first scan, which then primes the processes at once: the
   * other way round that scan found none and priming waited for the next
   * one, a whole ScanIntervalMs later.
   */
  async start(): Promise<void> {
    if (this.#loop?.running) throw new Error(`Cannot start policy ${this.#name}: it runs already`);
    this.#watcher.setPidListener(this.#tracker);
    await this.#watcher.start();
    try {
      await this.#tracker.start();
    } catch (e) {
      await this.#watcher.stop();
      throw e;
    }
    this.placement.applyMoverConfig();
    this.deps.mover.start();
    this.#loop = new Loop({
      name: `policy ${this.#name}`,
      clock: this.deps.clock,
      intervalMs: this.#config.IntervalMs,
      round: () => this.round(),
      stats: this.deps.stats,
      logger: this.deps.logger,
    });
    this.#loop.start();
  }

  /** Stops the rounds, the pidwatcher and the tracker (the shared mover keeps its tasks). */
  async stop(): Promise<void> {
    await this.#loop?.stop();
    this.#loop = undefined;
    await this.#watcher.stop();
    await this.#tracker.stop();
  }

  /** One round: counters into the ages, forget the stale ones, decide. */
  round(): void {
    const now = this.deps.clock.now();
    this.ages.update(this.#tracker.getCounters(), now);
    this.ages.forget(now, this.#config.IntervalMs);
    this.decide(now);
    this.placement.roundDone();
  }

  mover(): Mover {
    return this.deps.mover;
  }

  tracker(): Tracker {
    return this.#tracker;
  }

  pidWatcher(): PidWatcher {
    return this.#watcher;
  }

  /** The config shared by age and ratio, with the live pidwatcher and tracker configs. */
  protected sharedConfigJson(): Record<string, unknown> {
    const c = this.#config;
    return {
      PidWatcher: { name: c.pidWatcher.name, config: JSON.parse(this.#watcher.configJson()) },
      Tracker: { name: c.tracker.name, config: JSON.parse(this.#tracker.configJson()) },
      Mover: c.Mover,
      DryRun: c.DryRun,
      IntervalMs: c.IntervalMs,
    };
  }
}
