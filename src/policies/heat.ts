/**
 * The `heat` policy: keeps each watched process's memory on the nodes of
 * its heat class. Config keys (the Go memtierd's): `PidWatcher`, `Tracker`
 * (required), `Heatmap` {HeatMax, HeatRetention, HeatClasses} (heatmap.ts;
 * omitted ⇒ defaults), `Forecaster` {name, config} (optional), `IntervalMs`
 * (default 5000), `HeatNumas` {CLASS: [NODE, ...]} (node -1 is swap; a
 * class not listed stays where it is; a class's list may name tiers, such
 * as "slowest" or ["slower", -1], resolved for each process within its
 * Mems_allowed_list before the quotas apply: tiers/node_list.ts; a tier
 * word never means swap, and a class whose words give a process no node
 * leaves its memory where it is, said once), `NumaSize` {NODE: SIZE} (bytes with
 * B, K, KB, M, MB, G, GB, T, TB in any case, or N% of the node's MemTotal;
 * a node without a size is unlimited), `Mover`, `DryRun` (placement.ts).
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
 * 3. Only while the mover has no task left: the pages of every range are
 *    located afresh (pagemap: swapped; move_pages: node of each present,
 *    exclusive page), which gives each node's use by the watched
 *    processes, and a range whose pages went out of or back from swap is
 *    seen where it is now. Then, per process and from the hottest range
 *    down, a range of a class with nodes that has pages elsewhere goes to
 *    the class node with the most room (unlimited first; ties: the first
 *    listed), if the pages fit; ranges with the same target and class
 *    become one placement (mover task, or dry-run log line).
 *
 * Pages the policy moved look written and accessed to the trackers (the
 * kernel marks migrated pages so): their counts are left out, and the
 * ranges are not placed again, until the mover is idle and two scans have
 * finished since, so that moved memory does not go back and forth (a range
 * swapped out and faulted back in by the process keeps its old heat until
 * its new counts are in: placed by it, it would go out again every round).
 *
 * Fixed from the Go policy: an omitted Heatmap or field takes the
 * defaults (not HeatMax 0); without NumaSize the nodes are unlimited and
 * moves happen; node use is counted from where the pages are, so a range
 * moved from an unknown node never skews the quotas; a process that exits
 * mid-round or a range that went away is skipped, never an error.
 *
 * @module
 */
import { ConfigError } from "../config/decode.ts";
import { componentRef, parseWithSchema, positiveInt, v } from "../config/schema.ts";
import { GB, MB, PAGE_SIZE_BYTES } from "../common/units.ts";
import { ProcessGoneError } from "../errors.ts";
import type { ComponentKind, ComponentSpec } from "../lifecycle/components.ts";
import { parseRef } from "./range_ages.ts";
import type { ComponentDeps, ComponentFactory } from "../lifecycle/deps.ts";
import { Loop } from "../loop/loop.ts";
import { type AddrRange, intersectRanges, mergeRanges } from "../memory/addr_range.ts";
import { locatePages } from "../memory/locate.ts";
import { forEachPagemapChunk } from "../memory/page_scan.ts";
import { processRanges } from "../memory/process_ranges.ts";
import { parseSizeBytes } from "../memory/range_spec.ts";
import { type Mover, nodeTarget, SWAP_TARGET } from "../mover/mover.ts";
import { pidWatchers } from "../pidwatchers/mod.ts";
import type { PidListener, PidWatcher, WatchedPid } from "../pidwatchers/pidwatcher.ts";
import { PM } from "../procfs/pagemap.ts";
import { trackers } from "../trackers/mod.ts";
import type { Tracker, TrackerCounter } from "../trackers/tracker.ts";
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
import { classOf, Heatmap, type HeatmapConfig, heatmapSchema } from "./heatmap.ts";
import { Placement, type PlacementConfig, placementEntries } from "./placement.ts";
import type { HeatForecaster, Heats, Policy, PolicyHeats, RangeHeat } from "./policy.ts";

/** Node id that stands for swap in HeatNumas and NumaSize. */
export const SWAP_NODE = -1;
const MAX_NODE_ID = 32767;
const DEFAULT_INTERVAL_MS = 5000;

const sizeMsg = "must be a size: bytes with B, K, KB, M, MB, G, GB, T or TB, or N% of the node";

const schema = v.strictObject({
  PidWatcher: componentRef(),
  Tracker: componentRef(),
  Heatmap: heatmapSchema,
  Forecaster: v.optional(v.nullable(componentRef())),
  IntervalMs: v.optional(positiveInt(86_400_000), DEFAULT_INTERVAL_MS),
  HeatNumas: v.optional(
    v.record(
      v.string(),
      nodeListField({ swap: true, maxNode: MAX_NODE_ID }),
      "must be a map of heat class to a list of node ids",
    ),
    {},
  ),
  NumaSize: v.optional(
    v.record(
      v.string(),
      v.union([v.string(), v.number()], sizeMsg),
      "must be a map of node id to size",
    ),
    {},
  ),
  ...placementEntries,
  Cgroups: v.optional(v.unknown()),
  Pids: v.optional(v.unknown()),
});

/** A node's quota as configured. */
export type SizeSpec = { bytes: number; text: string } | { percent: number; text: string };

/** The parsed config of the heat policy. */
export interface HeatConfig extends PlacementConfig {
  pidWatcher: ComponentSpec<PidWatcher>;
  tracker: ComponentSpec<Tracker>;
  forecaster: ComponentSpec<HeatForecaster> | null;
  Heatmap: HeatmapConfig;
  IntervalMs: number;
  /** Nodes of each heat class (-1 = swap) and tier words, in their order. */
  HeatNumas: Map<number, NodeListItem[]>;
  NumaSize: Map<number, SizeSpec>;
}

/**
 * Parses a NumaSize value: bytes with an optional unit (B, K, KB, M, MB,
 * G, GB, T, TB in any case, powers of 1024) or a percentage.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert";
 * import { parseNumaSize } from "./heat.ts";
 * deepStrictEqual(parseNumaSize("2g"), { bytes: 2147483648, text: "2g" });
 * deepStrictEqual(parseNumaSize("25%"), { percent: 25, text: "25%" });
 * ```
 */
export function parseNumaSize(value: string | number): SizeSpec | undefined {
  const text = String(value).trim();
  const pct = /^(\d+(?:\.\d+)?)\s*%$/.exec(text);
  if (pct) {
    const percent = Number(pct[1]);
    return percent > 0 && percent <= 100 ? { percent, text } : undefined;
  }
  if (/i/i.test(text)) return undefined; // KiB etc. are the range syntax, not NumaSize's
  const bytes = parseSizeBytes(text);
  return bytes === undefined ? undefined : { bytes, text };
}

function nodeKey(key: string, what: string, path: string, min: number, max: number): number {
  if (!/^-?\d+$/.test(key.trim()) || Number(key) < min || Number(key) > max) {
    throw new ConfigError(
      `${what}: ${path}.${key}: must be a whole number from ${min} to ${max} (got ${
        JSON.stringify(key)
      })`,
      [path, key],
    );
  }
  return Number(key);
}

/** Parses the heat policy's config (forecasters from `forecasterKind`). */
export function parseHeatConfig(
  raw: unknown,
  what: string,
  forecasterKind: ComponentKind<HeatForecaster>,
): HeatConfig {
  const c = parseWithSchema(schema, raw, what);
  for (const key of ["Cgroups", "Pids"] as const) {
    const x = c[key];
    if (x !== undefined && x !== null && !(Array.isArray(x) && x.length === 0)) {
      const use = key === "Cgroups"
        ? "a cgroups pidwatcher, pidwatcher: {name: cgroups, config: {cgroups: [/sys/fs/cgroup/PATH]}}"
        : "a pidlist pidwatcher, pidwatcher: {name: pidlist, config: {pids: [PID]}}";
      throw new ConfigError(`${what}: ${key}: deprecated in the heat policy: use ${use}`, [key]);
    }
  }
  const heatNumas = new Map<number, NodeListItem[]>();
  for (const [key, nodes] of Object.entries(c.HeatNumas)) {
    const cls = nodeKey(key, what, "HeatNumas", 0, c.Heatmap.HeatClasses - 1);
    heatNumas.set(cls, nodes);
  }
  const numaSize = new Map<number, SizeSpec>();
  for (const [key, value] of Object.entries(c.NumaSize)) {
    const node = nodeKey(key, what, "NumaSize", -1, MAX_NODE_ID);
    const size = parseNumaSize(value);
    if (!size) {
      throw new ConfigError(
        `${what}: NumaSize.${key}: ${sizeMsg} (got ${JSON.stringify(value)})`,
        ["NumaSize", key],
      );
    }
    if ("percent" in size && node === SWAP_NODE) {
      throw new ConfigError(
        `${what}: NumaSize.${key}: a percentage needs a NUMA node's MemTotal: give swap's size in bytes`,
        ["NumaSize", key],
      );
    }
    numaSize.set(node, size);
  }
  return {
    pidWatcher: parseRef(pidWatchers, "PidWatcher", c.PidWatcher, what),
    tracker: parseRef(trackers, "Tracker", c.Tracker, what),
    forecaster: c.Forecaster ? parseRef(forecasterKind, "Forecaster", c.Forecaster, what) : null,
    Heatmap: c.Heatmap,
    IntervalMs: c.IntervalMs,
    HeatNumas: heatNumas,
    NumaSize: numaSize,
    Mover: c.Mover,
    DryRun: c.DryRun,
  };
}

/** Pages of a range per node (-1: swapped). */
type NodePages = Map<number, number>;

function add(m: NodePages, node: number, pages: number): void {
  m.set(node, (m.get(node) ?? 0) + pages);
}

function rangeOf(r: RangeHeat): AddrRange {
  return { startAddr: r.addr, endAddr: r.addr + r.lengthPages * PAGE_SIZE_BYTES };
}

function mib(pages: number): string {
  return (pages * PAGE_SIZE_BYTES / MB).toFixed(1).padStart(8);
}

function nodeName(node: number): string {
  return (node === SWAP_NODE ? "swap" : String(node)).padStart(4);
}

/** What the last decision round found and did (for `dump numa` and tests). */
export interface HeatRoundReport {
  /** Pages of each watched pid per node (-1 swapped), where they were found. */
  found: Map<number, NodePages>;
  /** Pages per node after the round's placements. */
  used: NodePages;
  /** Ranges skipped because no class node had room. */
  overQuota: number;
  /** Ranges left where they are because the policy moved them and they are settling. */
  settling: number;
}

/** The heat policy. */
export class HeatPolicy implements Policy, PidListener {
  readonly heatmap: Heatmap;
  readonly placement: Placement;
  readonly #config: HeatConfig;
  readonly #deps: ComponentDeps;
  readonly #watcher: PidWatcher;
  readonly #tracker: Tracker;
  readonly #forecaster: HeatForecaster | null;
  /** Watched pids, with their tracker scan count (stats) at the last round. */
  readonly #pids = new Map<number, { watched: WatchedPid; scans: number }>();
  #sizes: Map<number, number> | null = null;
  #loop: Loop | undefined;
  #last: HeatRoundReport | null = null;
  readonly #noNode: NoNodeWarnings;

  constructor(config: HeatConfig, deps: ComponentDeps) {
    this.#config = config;
    this.#deps = deps;
    this.heatmap = new Heatmap(config.Heatmap);
    this.#watcher = config.pidWatcher.factory.create(config.pidWatcher.config, deps);
    this.#tracker = config.tracker.factory.create(config.tracker.config, deps);
    this.#forecaster = config.forecaster
      ? config.forecaster.factory.create(config.forecaster.config, deps)
      : null;
    this.placement = new Placement({ deps, policy: "heat", config });
    this.#noNode = new NoNodeWarnings("heat", deps.logger);
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

  async start(): Promise<void> {
    if (this.#loop?.running) throw new Error("Cannot start policy heat: it runs already");
    this.#sizePages();
    await this.#tracker.start();
    this.#watcher.setPidListener(this);
    try {
      await this.#watcher.start();
    } catch (e) {
      await this.#tracker.stop();
      throw e;
    }
    this.placement.applyMoverConfig();
    this.#deps.mover.start();
    this.#loop = new Loop({
      name: "policy heat",
      clock: this.#deps.clock,
      intervalMs: this.#config.IntervalMs,
      round: () => this.round(),
      stats: this.#deps.stats,
      logger: this.#deps.logger,
    });
    this.#loop.start();
  }

  async stop(): Promise<void> {
    await this.#loop?.stop();
    this.#loop = undefined;
    await this.#watcher.stop();
    await this.#tracker.stop();
    await this.#forecaster?.stop?.();
  }

  addPids(pids: readonly WatchedPid[]): void {
    for (const w of pids) {
      const old = this.#pids.get(w.pid);
      if (!old || old.watched.startTicks !== w.startTicks) {
        this.#pids.set(w.pid, { watched: w, scans: this.#scans(w.pid) });
      }
    }
    this.#tracker.addPids(pids);
  }

  removePids(pids: readonly WatchedPid[]): void {
    for (const w of pids) {
      this.#pids.delete(w.pid);
      this.#settling.delete(w.pid);
      this.heatmap.remove(w.pid);
    }
    this.#tracker.removePids(pids);
  }

  #scans(pid: number): number {
    return this.#deps.stats.scans().get(pid)?.count ?? 0;
  }

  /** Pids watched now, ascending. */
  watchedPids(): number[] {
    return [...this.#pids.keys()].sort((a, b) => a - b);
  }

  /**
   * Ranges of `pid` whose counts mean nothing yet: the kernel marks pages it
   * migrated as written (soft-dirty) and accessed, so the pages the policy
   * moved would look hot to the tracker and go back and forth. Their counts
   * are left out until the mover is idle and two scans of the process have
   * finished since (a scan under way at that moment may have read some
   * pages before they moved).
   */
  readonly #settling = new Map<number, { ranges: AddrRange[]; scansWhenIdle: number | null }[]>();

  /**
   * Ends the settling of each batch of moved ranges on its own: a range that
   * moves every round must not keep the rest of the process settling.
   */
  #settle(moverIdle: boolean): void {
    for (const [pid, batches] of this.#settling) {
      const scans = this.#scans(pid);
      const left = batches.filter((s) => {
        if (s.scansWhenIdle === null) {
          if (moverIdle) s.scansWhenIdle = scans;
          return true;
        }
        return scans < s.scansWhenIdle + 2;
      });
      if (left.length === 0) this.#settling.delete(pid);
      else this.#settling.set(pid, left);
    }
  }

  /** The ranges of `pid` still settling, merged. */
  #settlingRanges(pid: number): AddrRange[] | undefined {
    const batches = this.#settling.get(pid);
    return batches ? mergeRanges(batches.flatMap((s) => s.ranges)) : undefined;
  }

  /** `counters` without those that touch a settling range, and `cover` without the settling ranges. */
  #withoutSettling(
    counters: TrackerCounter[],
    cover: TrackerCounter[],
  ): TrackerCounter[] {
    if (this.#settling.size === 0) return [...cover, ...counters];
    const settlingOf = new Map<number, AddrRange[] | undefined>();
    const settlingRanges = (pid: number) => {
      if (!settlingOf.has(pid)) settlingOf.set(pid, this.#settlingRanges(pid));
      return settlingOf.get(pid);
    };
    const out: TrackerCounter[] = [];
    for (const c of cover) {
      const settling = settlingRanges(c.pid);
      if (!settling) {
        out.push(c);
        continue;
      }
      let at = c.range.startAddr;
      for (const r of intersectRanges([c.range], settling)) {
        if (at < r.startAddr) out.push({ ...c, range: { startAddr: at, endAddr: r.startAddr } });
        at = r.endAddr;
      }
      if (at < c.range.endAddr) {
        out.push({ ...c, range: { startAddr: at, endAddr: c.range.endAddr } });
      }
    }
    for (const c of counters) {
      const settling = settlingRanges(c.pid);
      if (!settling || intersectRanges([c.range], settling).length === 0) out.push(c);
    }
    return out;
  }

  /** One round: heatmap update, forecast, and (mover idle) placements. */
  async round(): Promise<void> {
    const moverIdle = this.placement.moverIdle();
    this.#settle(moverIdle);
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
        this.#settling.delete(pid);
      }
    }
    // Untouched memory cools through `cover`, only after a finished scan and
    // never in a settling range; the zero counters page trackers report
    // for every region they scanned would cool it in any round.
    const counters = this.#tracker.getCounters().filter((c) => c.accesses || c.reads || c.writes);
    this.#tracker.resetCounters();
    // Watched processes keep their heats through rounds without counters.
    this.heatmap.update(
      this.#withoutSettling(counters, cover),
      this.#deps.clock.wallMs(),
      this.#pids.keys(),
    );
    let heats = this.heatmap.heats();
    if (this.#forecaster) {
      try {
        const forecast = await this.#forecaster.forecast(heats);
        if (forecast) {
          heats = new Map([...forecast].filter(([pid]) => this.#pids.has(pid)));
          this.#deps.stats.heartbeat("policy heat.forecast");
        }
      } catch (e) {
        this.#deps.logger.error(
          `policy heat: forecaster ${this.#config.forecaster?.name}: ${
            e instanceof Error ? e.message : String(e)
          }`,
        );
      }
    }
    const t0 = performance.now();
    let what = "mover busy: no decisions";
    if (moverIdle && this.placement.moverIdle()) {
      const r = this.decide(heats);
      let pages = 0;
      for (const perPid of r.found.values()) for (const p of perPid.values()) pages += p;
      what = `${pages} pages located, ${r.overQuota} range(s) over quota, ${r.settling} settling`;
    }
    this.#deps.logger.debug(
      `policy heat: round: ${counters.length} counters, ${cover.length} ranges cooled; ${what} ` +
        `in ${Math.round(performance.now() - t0)} ms`,
    );
    this.placement.roundDone();
  }

  /** Where the pages of `ranges` of `pid` are: per range, pages per node (-1 swapped). */
  locate(pid: number, ranges: readonly AddrRange[]): NodePages[] {
    const { procfs } = this.#deps;
    const out = ranges.map(() => new Map<number, number>());
    const addrs: number[] = [];
    const owner: number[] = [];
    const both = PM.PRESENT | PM.EXCLUSIVE;
    const pagemap = procfs.openPagemap(pid);
    try {
      ranges.forEach((r, i) => {
        forEachPagemapChunk(pagemap, [r], (words, count, firstAddr) => {
          for (let k = 0; k < count; k++) {
            const hi = words[2 * k + 1]!;
            if (hi & PM.SWAP) add(out[i]!, SWAP_NODE, 1);
            else if ((hi & both) === both) {
              addrs.push(firstAddr + k * PAGE_SIZE_BYTES);
              owner.push(i);
            }
          }
        });
      });
    } catch (e) {
      throw procfs.fileError(pid, "pagemap", e);
    } finally {
      pagemap.close();
    }
    const status = locatePages(this.#deps.syscalls(), pid, Float64Array.from(addrs));
    for (let j = 0; j < status.length; j++) {
      const node = status[j]!;
      if (node >= 0) add(out[owner[j]!]!, node, 1);
    }
    return out;
  }

  /** The placements of one round, from `heats`. */
  decide(heats: Heats): HeatRoundReport {
    const { HeatMax, HeatClasses } = this.#config.Heatmap;
    const sizes = this.#sizePages();
    const found = new Map<number, NodePages>();
    const used: NodePages = new Map();
    const located = new Map<number, { ranges: RangeHeat[]; where: NodePages[] }>();
    for (const pid of [...heats.keys()].sort((a, b) => a - b)) {
      const ranges = [...heats.get(pid)!].filter((r) => r.lengthPages > 0)
        .sort((a, b) => b.heat - a.heat || a.addr - b.addr);
      try {
        const where = this.locate(pid, ranges.map(rangeOf));
        located.set(pid, { ranges, where });
        const perPid: NodePages = new Map();
        for (const w of where) for (const [n, p] of w) add(perPid, n, p);
        found.set(pid, perPid);
        for (const [n, p] of perPid) add(used, n, p);
      } catch (e) {
        if (e instanceof ProcessGoneError) continue;
        this.#deps.logger.error(`policy heat: pid ${pid}: ${e instanceof Error ? e.message : e}`);
      }
    }
    let overQuota = 0;
    let settling = 0;
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
      const held = this.#settlingRanges(pid);
      ranges.forEach((r, i) => {
        // A settling range's heat is from before its move: placing it by
        // that heat again would move it back and forth (swapped out, faulted
        // in by the process, swapped out again, its new counts never seen).
        if (held && intersectRanges([rangeOf(r)], held).length > 0) {
          settling++;
          return;
        }
        const cls = classOf(r.heat, HeatMax, HeatClasses);
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
          const free = size === undefined ? Infinity : size - (used.get(n) ?? 0);
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
        const key = `${dest}/${cls}`;
        let entry = plan.get(key);
        if (!entry) plan.set(key, entry = { node: dest, cls, ranges: [] });
        entry.ranges.push(rangeOf(r));
      });
      for (const { node, cls, ranges: rs } of plan.values()) {
        const target = node === SWAP_NODE ? SWAP_TARGET : nodeTarget(node);
        const merged = mergeRanges(rs);
        const res = this.placement.queue(pid, merged, target, `heat class ${cls}`);
        if (res.skipped === "process-gone") break;
        if (res.pagesQueued > 0 && !this.placement.dryRun) {
          const batches = this.#settling.get(pid) ?? [];
          batches.push({ ranges: merged, scansWhenIdle: null });
          this.#settling.set(pid, batches);
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
        return this.#forecaster ? this.#forecaster.dump(args.slice(1)) : "no forecaster";
      case "heatmap":
        return this.heatmap.dump();
      case "heatgram":
        return this.#heatgram(args[1]);
      case "numa":
        return this.#numa();
      default:
        return help;
    }
  }

  #heatgram(arg: string | undefined): string {
    let classes = this.#config.Heatmap.HeatClasses;
    if (arg !== undefined) {
      if (!/^\d+$/.test(arg) || Number(arg) < 1 || Number(arg) > 1000) {
        return "invalid argument, expected CLASSES from 1 to 1000, syntax: heatgram CLASSES";
      }
      classes = Number(arg);
    }
    const pids = this.heatmap.pids();
    let totPages = 0;
    const lines = ["table: maximum heat in heatmaps", "     pid  maxHeat"];
    for (const pid of pids) {
      let max = 0;
      for (const r of this.heatmap.ranges(pid)) {
        max = Math.max(max, r.heat);
        totPages += r.lengthPages;
      }
      lines.push(`${String(pid).padStart(8)} ${max.toFixed(4).padStart(8)}`);
    }
    lines.push("", "table: memory in heat classes");
    lines.push("     pid class pidmem[%] totmem[%]    mem[G]");
    for (const pid of pids) {
      const per = new Array<number>(classes).fill(0);
      let pidPages = 0;
      for (const r of this.heatmap.ranges(pid)) {
        per[classOf(r.heat, this.#config.Heatmap.HeatMax, classes)]! += r.lengthPages;
        pidPages += r.lengthPages;
      }
      per.forEach((pages, cls) => {
        const pct = (n: number) => (n > 0 ? 100 * pages / n : 0).toFixed(2).padStart(9);
        lines.push(
          `${String(pid).padStart(8)} ${String(cls).padStart(5)} ${pct(pidPages)} ${
            pct(totPages)
          } ${(pages * PAGE_SIZE_BYTES / GB).toFixed(3).padStart(9)}`,
        );
      });
    }
    return lines.join("\n");
  }

  #numa(): string {
    const lines = ["table: memory of each process per node, as the last decision round found it"];
    lines.push("node      pid   mem[M]");
    const last = this.#last;
    const sizes = this.#sizePages();
    for (const [pid, perNode] of [...(last?.found ?? [])].sort((a, b) => a[0] - b[0])) {
      for (const node of [...perNode.keys()].sort((a, b) => a - b)) {
        lines.push(`${nodeName(node)} ${String(pid).padStart(8)} ${mib(perNode.get(node)!)}`);
      }
    }
    lines.push("", "table: node use by the watched processes after that round's placements");
    lines.push("node  numaUsed[M]  numaSize[M]");
    const nodes = new Set([...(last?.used.keys() ?? []), ...sizes.keys()]);
    for (const node of [...nodes].sort((a, b) => a - b)) {
      const size = sizes.get(node);
      lines.push(
        `${nodeName(node)} ${mib(Math.max(0, last?.used.get(node) ?? 0)).padStart(12)} ${
          (size === undefined ? "unlimited" : mib(size)).padStart(12)
        }`,
      );
    }
    return lines.join("\n");
  }

  configJson(): string {
    const c = this.#config;
    return JSON.stringify({
      PidWatcher: { name: c.pidWatcher.name, config: JSON.parse(this.#watcher.configJson()) },
      Tracker: { name: c.tracker.name, config: JSON.parse(this.#tracker.configJson()) },
      Heatmap: c.Heatmap,
      Forecaster: c.forecaster ? { name: c.forecaster.name, config: c.forecaster.config } : null,
      IntervalMs: c.IntervalMs,
      HeatNumas: Object.fromEntries([...c.HeatNumas].map(([cls, l]) => [cls, formatNodeList(l)])),
      NumaSize: Object.fromEntries([...c.NumaSize].map(([n, s]) => [n, s.text])),
      Mover: c.Mover,
      DryRun: c.DryRun,
    });
  }

  mover(): Mover {
    return this.#deps.mover;
  }

  tracker(): Tracker {
    return this.#tracker;
  }

  pidWatcher(): PidWatcher {
    return this.#watcher;
  }

  heats(): PolicyHeats {
    const { HeatMax, HeatClasses } = this.#config.Heatmap;
    return {
      pids: this.watchedPids(),
      heats: this.heatmap.heats(),
      heatMax: HeatMax,
      classes: HeatClasses,
    };
  }
}

/** The `heat` factory; forecasters come from `forecasterKind()` (the registry beside it). */
export function heatPolicyFactory(
  forecasterKind: () => ComponentKind<HeatForecaster>,
): ComponentFactory<HeatConfig, Policy> {
  return {
    description: "memory of each heat class to its nodes (HeatNumas), within NumaSize quotas",
    parse: (raw, what) => parseHeatConfig(raw, what, forecasterKind()),
    create: (config, deps) => new HeatPolicy(config, deps),
  };
}
