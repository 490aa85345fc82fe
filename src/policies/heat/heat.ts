/**
 * The `heat` policy: keeps each watched process's memory on the nodes of
 * its heat class (config: config.ts). A class not in HeatNumas stays where
 * it is; a class's tier words are resolved for each process within its
 * Mems_allowed_list before the quotas apply (a tier word never means swap,
 * and a class whose words give a process no node leaves its memory where
 * it is, said once).
 *
 * Every IntervalMs (the first round at start):
 * 1. The tracker's counters since the last round with accesses go into
 *    the heatmap, and are reset. Untouched memory cools this way: a process
 *    the tracker finished a scan of since the last round (its
 *    `memory_scans` count grew) gets a zero-count update over all its anon
 *    and heap ranges, but those it is settling (below), whatever the
 *    tracker (the page trackers' own zero counters are left out, as they
 *    would cool memory in any round and settling ranges too); a round
 *    without a scan (the tracker still priming, or slower than IntervalMs)
 *    changes nothing.
 * 2. A forecaster, if any, may replace the heats for the decisions of this
 *    round (only ranges of watched processes are used).
 * 3. Unless every class with nodes still has a task of an earlier round
 *    on the mover: the pages of every range are located afresh (the page
 *    census: swapped pages, and the node of each present, exclusive page),
 *    which gives each node's use by the watched processes, and a range
 *    whose pages went out of or back from swap is seen where it is now.
 *    Then, per process and from the hottest range down, a range of a class
 *    with nodes and no task left on the mover that has pages elsewhere
 *    goes to the class node with the most room (the least of its NumaSize
 *    quota left and what the node can take now, placement.ts
 *    `nodeRoomPages`; ties: the first listed), if the pages fit; ranges
 *    with the same target and class become one placement (mover task, or
 *    dry-run log line). So a
 *    long demotion does not hold up a promotion (the Go policy decided
 *    only while the mover had no task at all).
 *
 * Pages the policy moved look written and accessed to the trackers (the
 * kernel marks migrated pages so): their counts are left out, and the
 * ranges are not placed again, until their own mover tasks are done and
 * two scans have finished since, so that moved memory does not go back
 * and forth (a range swapped out and faulted back in by the process keeps
 * its old heat until its new counts are in: placed by it, it would go out
 * again every round).
 *
 * Fixed from the Go policy: an omitted Heatmap or field takes the
 * defaults (not HeatMax 0); without NumaSize the nodes are unlimited and
 * moves happen; node use is counted from where the pages are, so a range
 * moved from an unknown node never skews the quotas; a process that exits
 * mid-round or a range that went away is skipped, never an error.
 *
 * @module
 */
import { errorText } from "../../common/error_text.ts";
import { PAGE_SIZE_BYTES } from "../../common/units.ts";
import { ProcessGoneError } from "../../errors.ts";
import type { ComponentKind } from "../../lifecycle/components.ts";
import type { ComponentDeps, ComponentFactory } from "../../lifecycle/deps.ts";
import {
  type AddrRange,
  intersectRanges,
  mergeRanges,
  pagesToRanges,
} from "../../memory/addr_range.ts";
import { pageCensus } from "../../memory/census.ts";
import { processRanges } from "../../memory/process_ranges.ts";
import { nodeTarget, SWAP_TARGET } from "../../mover/mover.ts";
import type { WatchedPid } from "../../pidwatchers/pidwatcher.ts";
import type { Tracker, TrackerCounter } from "../../trackers/tracker.ts";
import {
  formatNodeList,
  listNamesTiers,
  NoNodeWarnings,
  resolveNodeList,
} from "../../tiers/node_list.ts";
import type { NodeSpecDeps } from "../../tiers/node_spec.ts";
import { readTierTopology } from "../../tiers/tier_topology.ts";
import { liveRef } from "../config.ts";
import type { HeatForecaster, Heats, Policy, PolicyHeats, RangeHeat } from "../policy.ts";
import { type PolicyParts, type PolicyRuntime, trackerOf, trackingRuntime } from "../runtime.ts";
import { nodeRoomPages } from "../placement.ts";
import { type HeatConfig, parseHeatConfig, SWAP_NODE } from "./config.ts";
import { heatgram, type HeatRoundReport, heatSpread, type NodePages, numaTable } from "./dump.ts";
import { classOf, classScale, Heatmap } from "./heatmap.ts";
import { Settling } from "./settling.ts";
import { FailureReport } from "../../log/failure_report.ts";

function add(m: NodePages, node: number, pages: number): void {
  m.set(node, (m.get(node) ?? 0) + pages);
}

function rangeOf(r: RangeHeat): AddrRange {
  return { startAddr: r.addr, endAddr: r.addr + r.lengthPages * PAGE_SIZE_BYTES };
}

/** The heat policy's logic. */
export class HeatLogic {
  readonly heatmap: Heatmap;
  readonly #config: HeatConfig;
  readonly #parts: PolicyParts;
  readonly #deps: ComponentDeps;
  readonly #tracker: Tracker;
  /** Watched pids, with their tracker scan count (stats) at the last round. */
  readonly #pids = new Map<number, { watched: WatchedPid; scans: number }>();
  readonly #settling = new Settling((pid) => this.#scans(pid));
  /** Per heat class, its mover tasks queued and not yet seen done. */
  readonly #pending = new Map<number, Set<number>>();
  #sizes: Map<number, number> | null = null;
  #last: HeatRoundReport | null = null;
  readonly #noNode: NoNodeWarnings;
  /** A forecaster failing every round: logged when it starts, changes and ends. */
  readonly #forecastFailures: FailureReport;

  constructor(config: HeatConfig, parts: PolicyParts) {
    this.#config = config;
    this.#parts = parts;
    this.#deps = parts.deps;
    this.#tracker = trackerOf(parts);
    this.heatmap = new Heatmap(config.Heatmap);
    this.#noNode = new NoNodeWarnings("heat", parts.deps.logger);
    this.#forecastFailures = new FailureReport(
      `policy heat: forecaster ${config.forecaster?.name}`,
      parts.deps.logger,
    );
  }

  /**
   * The nodes of each heat class for `pid`: the lists as configured, their
   * tier words resolved for it (said once when a class gets no node).
   * Throws `ProcessGoneError` when the process has exited.
   */
  #classNodes(pid: number, deps: NodeSpecDeps): Map<number, readonly number[]> {
    const out = new Map<number, readonly number[]>();
    for (const [cls, list] of this.#config.HeatNumas) {
      const nodes = resolveNodeList(list, pid, deps);
      if (nodes.length === 0 && listNamesTiers(list)) {
        this.#noNode.warn(pid, `HeatNumas.${cls}`, String(formatNodeList(list)));
      }
      out.set(cls, nodes);
    }
    return out;
  }

  /** Node quotas in pages (absent: unlimited), percentages of MemTotal resolved on first use. */
  #sizePages(): Map<number, number> {
    if (this.#sizes) return this.#sizes;
    const out = new Map<number, number>();
    for (const [node, size] of this.#config.NumaSize) {
      if ("bytes" in size) {
        out.set(node, Math.floor(size.bytes / PAGE_SIZE_BYTES));
        continue;
      }
      const total = this.#deps.sysfs.nodeMeminfo(node).get("MemTotal");
      if (!total) {
        throw new Error(
          `Cannot start policy heat: NumaSize ${node}: ${size.text} of node ${node}'s MemTotal, ` +
            `but node ${node} has no meminfo (no such node?)`,
        );
      }
      out.set(node, Math.floor(total * size.percent / 100 / PAGE_SIZE_BYTES));
    }
    return this.#sizes = out;
  }

  /** Resolves the quotas before anything starts: a percentage of a node that is not there fails. */
  prepare(): void {
    this.#sizePages();
  }

  addPids(pids: readonly WatchedPid[]): void {
    for (const w of pids) {
      const old = this.#pids.get(w.pid);
      if (!old || old.watched.startTicks !== w.startTicks) {
        this.#pids.set(w.pid, { watched: w, scans: this.#scans(w.pid) });
      }
    }
  }

  removePids(pids: readonly WatchedPid[]): void {
    for (const w of pids) {
      this.#pids.delete(w.pid);
      this.#settling.drop(w.pid);
      this.heatmap.remove(w.pid);
    }
  }

  #scans(pid: number): number {
    return this.#deps.stats.scans().get(pid)?.count ?? 0;
  }

  /** Pids watched now, ascending. */
  watchedPids(): number[] {
    return [...this.#pids.keys()].sort((a, b) => a - b);
  }

  /** One round: heatmap update, forecast, and (mover idle) placements. */
  async round(): Promise<void> {
    const onMover = new Set(this.#deps.mover.tasks().map((t) => t.id));
    this.#settling.settle(onMover);
    const cover: TrackerCounter[] = [];
    for (const [pid, p] of this.#pids) {
      const scans = this.#scans(pid);
      if (scans === p.scans) continue;
      p.scans = scans;
      try {
        for (const range of processRanges(this.#deps.procfs, pid)) {
          cover.push({ pid, range, accesses: 0, reads: 0, writes: 0 });
        }
      } catch (e) {
        if (!(e instanceof ProcessGoneError)) throw e;
        this.#pids.delete(pid);
        this.#settling.drop(pid);
      }
    }
    // Untouched memory cools through `cover`, only after a finished scan and
    // never in a settling range; the zero counters page trackers report
    // for every region they scanned would cool it in any round.
    const counters = this.#tracker.getCounters().filter((c) => c.accesses || c.reads || c.writes);
    this.#tracker.resetCounters();
    // Watched processes keep their heats through rounds without counters.
    this.heatmap.update(
      this.#settling.filter(counters, cover),
      this.#deps.clock.wallMs(),
      this.#pids.keys(),
    );
    let heats = this.heatmap.heats();
    const forecaster = this.#parts.forecaster;
    if (forecaster) {
      try {
        const forecast = await forecaster.forecast(heats);
        if (forecast) {
          heats = new Map([...forecast].filter(([pid]) => this.#pids.has(pid)));
          this.#deps.stats.heartbeat("policy heat.forecast");
        }
        this.#forecastFailures.worked();
      } catch (e) {
        this.#forecastFailures.failed(errorText(e));
      }
    }
    const scale = classScale(this.#config.Heatmap, heats.values());
    const t0 = this.#deps.clock.now();
    let what = "every class's moves still on the mover: no decisions";
    if (this.#freeClasses().size > 0) {
      const r = this.decide(heats);
      let pages = 0;
      for (const perPid of r.found.values()) for (const p of perPid.values()) pages += p;
      what = `${pages} pages located, ${r.overQuota} range(s) over quota, ${r.settling} settling`;
    }
    this.#deps.logger.debug(
      `policy heat: round: ${counters.length} counters, ${cover.length} ranges cooled; ${what} ` +
        `in ${Math.round(this.#deps.clock.now() - t0)} ms; ${
          heatSpread(heats, (h) => this.heatmap.classOf(h, scale), this.#config.Heatmap.HeatClasses)
        }`,
    );
  }

  /**
   * The classes with nodes whose earlier tasks have all left the mover
   * (those still on it are forgotten here): only they are placed.
   */
  #freeClasses(): Set<number> {
    const onMover = new Set(this.#deps.mover.tasks().map((t) => t.id));
    const free = new Set<number>();
    for (const cls of this.#config.HeatNumas.keys()) {
      const pending = this.#pending.get(cls);
      if (pending) { for (const id of pending) if (!onMover.has(id)) pending.delete(id); }
      if (!pending || pending.size === 0) free.add(cls);
    }
    return free;
  }

  /** Where the pages of `ranges` of `pid` are: per range, pages per node (-1 swapped). */
  #locate(pid: number, ranges: readonly AddrRange[]): NodePages[] {
    const src = { procfs: this.#deps.procfs, syscalls: this.#deps.syscalls, pid };
    return pageCensus(src, ranges, true).map((c) => {
      const where: NodePages = new Map(c.byNode);
      if (c.swapped > 0) where.set(SWAP_NODE, c.swapped);
      return where;
    });
  }

  /** The placements of one round, from `heats`. */
  decide(heats: Heats): HeatRoundReport {
    const { HeatClasses } = this.#config.Heatmap;
    const scale = classScale(this.#config.Heatmap, heats.values());
    const sizes = this.#sizePages();
    const free = this.#freeClasses();
    const found = new Map<number, NodePages>();
    const used: NodePages = new Map();
    const located = new Map<number, { ranges: RangeHeat[]; where: NodePages[] }>();
    for (const pid of [...heats.keys()].sort((a, b) => a - b)) {
      const ranges = [...heats.get(pid)!].filter((r) => r.lengthPages > 0)
        .sort((a, b) => b.heat - a.heat || a.addr - b.addr);
      try {
        const where = this.#locate(pid, ranges.map(rangeOf));
        located.set(pid, { ranges, where });
        const perPid: NodePages = new Map();
        for (const w of where) for (const [n, p] of w) add(perPid, n, p);
        found.set(pid, perPid);
        for (const [n, p] of perPid) add(used, n, p);
      } catch (e) {
        if (e instanceof ProcessGoneError) continue;
        this.#deps.logger.error(`policy heat: pid ${pid}: ${errorText(e)}`);
      }
    }
    let overQuota = 0;
    let settling = 0;
    // What each node can take now, read once a round and used up by the
    // round's placements: a node without a NumaSize quota is not
    // unlimited in fact, and pages moved onto a full node fail one by one
    // (the 1 GB run's promotions all went to node 0, full of cold pages).
    const physical = located.size > 0 ? nodeRoomPages(this.#deps) : new Map<number, number>();
    const resolveDeps: NodeSpecDeps = { procfs: this.#deps.procfs, sysfs: this.#deps.sysfs };
    if (located.size > 0 && [...this.#config.HeatNumas.values()].some(listNamesTiers)) {
      resolveDeps.tiers = readTierTopology(this.#deps.sysfs); // once a round
    }
    for (const [pid, { ranges, where }] of located) {
      let classNodes: Map<number, readonly number[]>;
      try {
        classNodes = this.#classNodes(pid, resolveDeps);
      } catch (e) {
        if (e instanceof ProcessGoneError) continue;
        throw e;
      }
      // Per target and class: the ranges that go there.
      const plan = new Map<string, { node: number; cls: number; ranges: AddrRange[] }>();
      const held = this.#settling.ranges(pid);
      ranges.forEach((r, i) => {
        // A settling range's heat is from before its move: placing it by
        // that heat again would move it back and forth (swapped out, faulted
        // in by the process, swapped out again, its new counts never seen).
        if (held && intersectRanges([rangeOf(r)], held).length > 0) {
          settling++;
          return;
        }
        const cls = classOf(r.heat, scale, HeatClasses);
        // A class whose last moves are still on the mover waits for them:
        // queued again, its ranges would move twice.
        if (!free.has(cls)) return;
        const nodes = classNodes.get(cls);
        if (!nodes || nodes.length === 0) return;
        const w = where[i]!;
        let off = 0;
        for (const [n, p] of w) if (!nodes.includes(n)) off += p;
        if (off === 0) return;
        let dest: number | undefined;
        let room = -Infinity;
        for (const n of nodes) {
          const size = sizes.get(n);
          const quota = size === undefined ? Infinity : size - (used.get(n) ?? 0);
          const free = Math.min(quota, n === SWAP_NODE ? Infinity : physical.get(n) ?? 0);
          if (free > room) {
            dest = n;
            room = free;
          }
        }
        if (dest === undefined || room < off) {
          overQuota++;
          return;
        }
        for (const [n, p] of w) if (!nodes.includes(n)) add(used, n, -p);
        add(used, dest, off);
        if (dest !== SWAP_NODE) physical.set(dest, (physical.get(dest) ?? 0) - off);
        const key = `${dest}/${cls}`;
        let entry = plan.get(key);
        if (!entry) plan.set(key, entry = { node: dest, cls, ranges: [] });
        entry.ranges.push(rangeOf(r));
      });
      for (const { node, cls, ranges: rs } of plan.values()) {
        const target = node === SWAP_NODE ? SWAP_TARGET : nodeTarget(node);
        const merged = mergeRanges(rs);
        // The hottest class's moves go first on the mover: its memory
        // loses the most while it waits on a slow node behind a demotion.
        const res = this.#parts.placement.queue(pid, merged, target, `heat class ${cls}`, {
          urgent: cls === HeatClasses - 1,
        });
        if (res.skipped === "process-gone") break;
        if (res.taskId !== undefined) {
          let pending = this.#pending.get(cls);
          if (!pending) this.#pending.set(cls, pending = new Set());
          pending.add(res.taskId);
          // Only the pages that move settle: a heatmap range is as wide as
          // the counts that made it (a whole mapping, before any count), and
          // its pages already in place must go on counting.
          const task = this.#deps.mover.tasks().find((t) => t.id === res.taskId);
          const moved = task ? mergeRanges(pagesToRanges(task.addrs)) : merged;
          this.#settling.add(pid, moved, [res.taskId]);
        }
      }
    }
    if (overQuota > 0) {
      this.#deps.logger.debug(`policy heat: ${overQuota} range(s) stay: no room on their nodes`);
    }
    this.#last = { found, used, overQuota, settling };
    return this.#last;
  }

  dump(args: readonly string[]): string {
    const help = "dump <config|forecast [PARAMS]|heatmap|heatgram [CLASSES]|numa>";
    switch (args[0]) {
      case "config":
        return this.configJson();
      case "forecast":
        return this.#parts.forecaster?.dump(args.slice(1)) ?? "no forecaster";
      case "heatmap":
        return this.heatmap.dump();
      case "heatgram":
        return heatgram(
          this.heatmap,
          this.heatmap.scale(),
          this.#config.Heatmap.HeatClasses,
          args[1],
        );
      case "numa":
        return numaTable(this.#last, this.#sizePages());
      default:
        return help;
    }
  }

  configJson(): string {
    const c = this.#config;
    return JSON.stringify({
      PidWatcher: liveRef(c.pidWatcher, this.#parts.pidWatcher),
      Tracker: liveRef(c.tracker, this.#tracker),
      Heatmap: c.Heatmap,
      Forecaster: c.forecaster ? { name: c.forecaster.name, config: c.forecaster.config } : null,
      IntervalMs: c.IntervalMs,
      HeatNumas: Object.fromEntries([...c.HeatNumas].map(([cls, l]) => [cls, formatNodeList(l)])),
      NumaSize: Object.fromEntries([...c.NumaSize].map(([n, s]) => [n, s.text])),
      Mover: c.Mover,
      DryRun: c.DryRun,
    });
  }

  heats(): PolicyHeats {
    return {
      pids: this.watchedPids(),
      heats: this.heatmap.heats(),
      heatMax: this.heatmap.scale(),
      classes: this.#config.Heatmap.HeatClasses,
    };
  }
}

/** A `heat` policy on its runtime. */
export function createHeatPolicy(
  config: HeatConfig,
  deps: ComponentDeps,
): PolicyRuntime<HeatLogic> {
  return trackingRuntime("heat", config, deps, (parts) => new HeatLogic(config, parts), {
    forecaster: config.forecaster,
  });
}

/** The `heat` factory; forecasters come from `forecasterKind()` (the registry beside it). */
export function heatPolicyFactory(
  forecasterKind: () => ComponentKind<HeatForecaster>,
): ComponentFactory<HeatConfig, Policy> {
  return {
    description: "memory of each heat class to its nodes (HeatNumas), within NumaSize quotas",
    parse: (raw, what) => parseHeatConfig(raw, what, forecasterKind()),
    create: (config, deps) => createHeatPolicy(config, deps),
  };
}
