/**
 * The `ratio` policy: keeps a share (`Ratio`) of each watched process's
 * tracked memory, its least accessed part, in swap or on a node
 * (`RatioTargets`).
 *
 * Every `IntervalMs` (default 5000; the first round at start) the
 * tracker's cumulative counters update the range ages as in `age`
 * (range_ages.ts). Then, while the mover has no task left, per process,
 * from one page census of its tracked ranges (memory/census.ts): its memory (present or
 * swapped-out pages), the part at the target (swapped out, or present on
 * the target node), and from the least accessed range up (ties: fewest
 * writes) ranges are picked until what is at the target plus what the
 * picked ranges would add reaches Ratio of the memory. The picked ranges go
 * in one mover task (present, exclusive pages not at the target, if more
 * than 100; placement.ts).
 *
 * This is the Go memtierd's algorithm with two fixes: the Go one measured
 * a range by its length, so a range mapped but mostly not populated (a
 * runtime's reserved heap) counted as memory and the share at the target
 * overshot; and it counted a picked range whole even when part of it was
 * at the target already.
 *
 * The target is the first of RatioTargets the process may use (-1: swap,
 * always; a node: in its Mems_allowed_list); the Go one took the first.
 * RatioTargets may name tiers ("slower", ["slowest", -1]: tiers/node_list.ts),
 * resolved per process each round within its Mems_allowed_list; a tier
 * word never means swap. A process with no target it may use is left
 * alone, said once.
 *
 * Config (keys in any case): PidWatcher `{name, config}` (required),
 * Tracker (default `{name: idlepage}`), Mover {IntervalMs, Bandwidth}
 * (default 10 ms, 100 MB/s), DryRun (default false), IntervalMs (default
 * 5000), Ratio (required, above 0, at most 1), RatioTargets (node numbers,
 * -1 for swap, or tier words, in order of preference; default [-1]).
 * The deprecated Cgroups and Pids are refused.
 *
 * `dump` (`dump ratio`) prints the last decision per process: tracked
 * memory, memory at the target, memory picked and pages queued; the Go
 * one printed nothing.
 *
 * @module
 */
import { quoted } from "../common/excerpt.ts";
import * as v from "valibot";
import { componentRef, parseWithSchema, positiveNumber } from "../config/schema.ts";
import { ProcessGoneError, UsageError } from "../errors.ts";
import type { ComponentDeps, ComponentFactory } from "../lifecycle/deps.ts";
import { mergeRanges, PAGE_SIZE_BYTES } from "../memory/addr_range.ts";
import { pageCensus } from "../memory/census.ts";
import { type MoveTarget, nodeTarget, SWAP_TARGET } from "../mover/mover.ts";
import type { Tracker } from "../trackers/tracker.ts";
import type { Policy } from "./policy.ts";
import {
  formatNodeList,
  listNamesTiers,
  nodeListField,
  type NodeListItem,
  NoNodeWarnings,
  resolveNodeList,
} from "../tiers/node_list.ts";
import type { NodeSpecDeps } from "../tiers/node_spec.ts";
import { readTierTopology } from "../tiers/tier_topology.ts";
import {
  allowedNodes,
  MAX_NODE_ID,
  parseTracking,
  type TrackingConfig,
  trackingConfigJson,
  trackingEntries,
} from "./config.ts";
import { type RangeAge, RangeAges } from "./range_ages.ts";
import { type PolicyParts, type PolicyRuntime, trackerOf, trackingRuntime } from "./runtime.ts";

const schema = v.strictObject({
  ...trackingEntries(),
  Tracker: v.optional(componentRef(), { name: "idlepage" }),
  Ratio: positiveNumber(1),
  RatioTargets: v.optional(
    v.pipe(
      nodeListField({ swap: true, maxNode: MAX_NODE_ID }),
      v.minLength(1, "must list at least one target (-1: swap)"),
    ),
    [-1],
  ),
});

/** The `ratio` policy's config, nested components parsed. */
export interface RatioConfig extends TrackingConfig {
  Ratio: number;
  /** Node numbers, -1 (swap) and tier words, in order of preference. */
  RatioTargets: NodeListItem[];
}

/** Parses a `ratio` config (text or map); throws ConfigError with the key path. */
export function parseRatioConfig(raw: unknown, what: string): RatioConfig {
  const c = parseWithSchema(schema, raw, what);
  return {
    ...parseTracking("ratio", c, what),
    Ratio: c.Ratio,
    RatioTargets: c.RatioTargets,
  };
}

/** One tracked range, counted. */
interface RangeCount {
  age: RangeAge;
  /** Present or swapped-out pages. */
  used: number;
  /** Of those, swapped out (target swap) or present on the target node. */
  atTarget: number;
  /** Present, exclusive pages not at the target. */
  movable: number;
}

/** The last decision for one process. */
interface RatioDecision {
  atMs: number;
  target: MoveTarget | null;
  trackedPages: number;
  atTargetPages: number;
  pickedPages: number;
  queuedPages: number;
}

const DUMP_HELP = "dump [ratio]: the last decision per process\ndump config";

function gib(pages: number): string {
  return (pages * PAGE_SIZE_BYTES / 2 ** 30).toFixed(3).padStart(10);
}

/** The `ratio` policy's logic. */
export class RatioLogic {
  readonly #config: RatioConfig;
  readonly #parts: PolicyParts;
  readonly #deps: ComponentDeps;
  readonly #tracker: Tracker;
  readonly #ages = new RangeAges();
  #last = new Map<number, RatioDecision>();
  readonly #noNode: NoNodeWarnings;

  constructor(config: RatioConfig, parts: PolicyParts) {
    this.#config = config;
    this.#parts = parts;
    this.#deps = parts.deps;
    this.#tracker = trackerOf(parts);
    this.#noNode = new NoNodeWarnings("ratio", parts.deps.logger);
  }

  /** The first of RatioTargets `pid` may use, or null (said once). */
  #target(pid: number, tiers: NodeSpecDeps): MoveTarget | null {
    const targets = resolveNodeList(this.#config.RatioTargets, pid, tiers);
    const allowed = targets.some((t) => t >= 0) ? allowedNodes(this.#deps, pid) : null;
    for (const t of targets) {
      if (t < 0) return SWAP_TARGET;
      if (allowed === null || allowed.includes(t)) return nodeTarget(t);
    }
    this.#noNode.warn(pid, "RatioTargets", String(formatNodeList(this.#config.RatioTargets)));
    return null;
  }

  /**
   * Per tracked range of `pid`: its memory (present or swapped pages), how
   * much of it is at `target`, and how much could still go there (present,
   * exclusive pages not at the target), from one page census.
   */
  #census(pid: number, ages: readonly RangeAge[], target: MoveTarget): RangeCount[] {
    const src = { procfs: this.#deps.procfs, syscalls: this.#deps.syscalls, pid };
    const counts = pageCensus(src, ages.map((a) => a.range), target.kind === "node");
    return ages.map((age, i) => {
      const c = counts[i]!;
      const onNode = target.kind === "node" ? c.byNode.get(target.node) ?? 0 : 0;
      return {
        age,
        used: c.present + c.swapped,
        atTarget: target.kind === "node" ? onNode : c.swapped,
        movable: c.exclusive - onNode,
      };
    });
  }

  round(): void {
    const nowMs = this.#deps.clock.now();
    this.#ages.take(this.#tracker.getCounters(), nowMs, this.#config.IntervalMs);
    if (!this.#parts.placement.moverIdle()) return;
    const ratio = this.#config.Ratio;
    const live = new Set(this.#ages.pids());
    for (const pid of [...this.#last.keys()]) {
      if (!live.has(pid)) {
        this.#last.delete(pid);
        this.#noNode.forget(pid);
      }
    }
    // The tiers are read once a round, and only when a target names one.
    const resolveDeps: NodeSpecDeps = { procfs: this.#deps.procfs, sysfs: this.#deps.sysfs };
    if (listNamesTiers(this.#config.RatioTargets) && live.size > 0) {
      resolveDeps.tiers = readTierTopology(this.#deps.sysfs);
    }
    for (const pid of live) {
      const d: RatioDecision = {
        atMs: nowMs,
        target: null,
        trackedPages: 0,
        atTargetPages: 0,
        pickedPages: 0,
        queuedPages: 0,
      };
      this.#last.set(pid, d);
      let census: RangeCount[];
      try {
        d.target = this.#target(pid, resolveDeps);
        if (d.target === null) continue;
        census = this.#census(pid, this.#ages.ofPid(pid), d.target);
      } catch (e) {
        if (!(e instanceof ProcessGoneError)) throw e;
        this.#ages.dropPid(pid);
        this.#last.delete(pid);
        continue;
      }
      for (const c of census) {
        d.trackedPages += c.used;
        d.atTargetPages += c.atTarget;
      }
      const picked = [];
      let pages = d.atTargetPages;
      const byAccess = census.filter((c) => c.movable > 0).sort((a, b) =>
        a.age.accesses - b.age.accesses || a.age.writes - b.age.writes ||
        a.age.range.startAddr - b.age.range.startAddr
      );
      for (const c of byAccess) {
        if (pages >= ratio * d.trackedPages) break;
        picked.push(c.age.range);
        pages += c.movable;
        d.pickedPages += c.movable;
      }
      if (picked.length === 0) continue;
      const r = this.#parts.placement.queue(
        pid,
        mergeRanges(picked),
        d.target,
        `least accessed, to have ${ratio} of its tracked memory there`,
      );
      d.queuedPages = r.pagesQueued;
      if (r.skipped === "process-gone") {
        this.#ages.dropPid(pid);
        this.#last.delete(pid);
      }
    }
  }

  dump(args: readonly string[]): string {
    if (args[0] === "config") return this.configJson();
    if (args.length > 0 && args[0] !== "ratio") {
      throw new UsageError(`unknown dump ${quoted(args[0]!)}\nUsage: ${DUMP_HELP}`);
    }
    const now = this.#deps.clock.now();
    const lines = [
      `table: ratio ${this.#config.Ratio} of tracked memory at the target`,
      "     pid target tracked[G] attarget[G] attarget[%]  picked[G] queued[pages] age[s]",
    ];
    for (const [pid, d] of [...this.#last].sort((a, b) => a[0] - b[0])) {
      const target = d.target === null
        ? "none"
        : d.target.kind === "swap"
        ? "swap"
        : String(d.target.node);
      const pct = d.trackedPages === 0 ? 0 : 100 * d.atTargetPages / d.trackedPages;
      lines.push(
        [
          String(pid).padStart(8),
          target.padStart(6),
          gib(d.trackedPages),
          gib(d.atTargetPages).padStart(11),
          pct.toFixed(1).padStart(11),
          gib(d.pickedPages),
          String(d.queuedPages).padStart(13),
          ((now - d.atMs) / 1000).toFixed(1).padStart(6),
        ].join(" "),
      );
    }
    return lines.join("\n");
  }

  configJson(): string {
    return JSON.stringify({
      ...trackingConfigJson(this.#config, this.#parts),
      Ratio: this.#config.Ratio,
      RatioTargets: formatNodeList(this.#config.RatioTargets),
    });
  }
}

/** A `ratio` policy on its runtime. */
export function createRatioPolicy(
  config: RatioConfig,
  deps: ComponentDeps,
): PolicyRuntime<RatioLogic> {
  return trackingRuntime("ratio", config, deps, (parts) => new RatioLogic(config, parts));
}

export const ratioPolicyFactory: ComponentFactory<RatioConfig, Policy> = {
  description: "a ratio of each process's least accessed memory to swap or a node",
  parse: parseRatioConfig,
  create: (config, deps) => createRatioPolicy(config, deps),
};
