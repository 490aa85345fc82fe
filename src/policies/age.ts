/**
 * The `age` policy: memory whose tracker counts have not changed for a
 * while goes to swap (`SwapOutMs`) or to a slow node (`IdleDurationMs`,
 * `IdleNumas`), and memory whose counts changed in every round for a while
 * goes to a fast node (`ActiveDurationMs`, `ActiveNumas`).
 *
 * Every `IntervalMs` (default 5000; the first round at start) the
 * tracker's cumulative counters update the range ages (range_ages.ts);
 * then, in this order: active ranges go to the nodes of ActiveNumas the
 * process may use (its Mems_allowed_list), idle ranges to swap, idle ranges
 * to the nodes of IdleNumas. The present, exclusive pages not yet on any
 * node of the list (the Go one moved pages from the list's other nodes to
 * its first too), if more than 100, fill the nodes in the list's order,
 * each as far as its room goes, one task per node; what no node has room
 * for stays (placement.ts: the Go one always took the first node, and a
 * full one refused every page). A process that exited is forgotten, never
 * an error.
 *
 * Promotions and demotions wait each for their own kind: active memory is
 * queued while no promotion of this policy is left on the mover, as an
 * urgent task that the mover serves first; idle memory (swap or node) while
 * no demotion of this policy is left. The Go memtierd queued anything only
 * while the mover had no task at all, idle memory first: in the tiering
 * comparison (docs/tiering-vs-kernel.md) the demotion of the cold memory
 * then held the mover for 20 s while the hot set stayed on the slow tier.
 * A round takes the counts of a process only when its tracker finished a
 * scan of it since the round before (when the tracker records its scans in
 * the stats, as softdirty, idlepage and damon do).
 *
 * With `DemoteToMakeRoom` (not in the Go memtierd), active memory goes up
 * the most accessed first, and when the nodes of ActiveNumas have no room
 * for it, the memory on them accessed least (a quarter as much per page or
 * less) goes to IdleNumas to make the room, idle or not (room_exchange.ts):
 * a working set larger than the fast nodes, whose cold part is touched now
 * and then, is never idle for IdleDurationMs. The demotions and the
 * promotions they make room for are queued together, as urgent tasks, in
 * batches of 16 MiB going up, each batch's demotions first, and the next
 * ones wait for all of them. Ranking needs counts
 * per page: page trackers with `MaxCountPerRegion: 0`, or damon.
 *
 * Config (keys in any case): PidWatcher and Tracker `{name, config}`
 * (required), Mover {IntervalMs, Bandwidth} (default 10 ms, 100 MB/s),
 * DryRun (default false), IntervalMs (default 5000), SwapOutMs,
 * IdleDurationMs, ActiveDurationMs (default 0: off), IdleNumas,
 * ActiveNumas (default none; node numbers or tier words such as "slower"
 * and "local", resolved per process: src/tiers/node_spec.ts),
 * DemoteToMakeRoom (default false). The deprecated Cgroups and Pids are
 * refused with the pidwatcher that replaces them.
 *
 * `dump accessed [TIMESPEC,TIMESPEC[,...] [PID[,PID]]]` prints how much
 * memory was last accessed in each time window, as the Go one does;
 * `dump config` the config.
 *
 * @module
 */
import { quoted } from "../common/excerpt.ts";
import * as v from "valibot";
import { bool, componentRef, intInRange, parseWithSchema } from "../config/schema.ts";
import { ProcessGoneError, UsageError } from "../errors.ts";
import type { ComponentDeps, ComponentFactory } from "../lifecycle/deps.ts";
import { type AddrRange, intersectRanges, mergeRanges } from "../memory/addr_range.ts";
import { pageCensus } from "../memory/census.ts";
import { SWAP_TARGET } from "../mover/mover.ts";
import type { Tracker } from "../trackers/tracker.ts";
import type { Policy } from "./policy.ts";
import {
  asNodeSpec,
  formatNodeSpec,
  isEmptySetting,
  type NodeSetting,
  nodeSettingField,
  resolveNodes,
} from "../tiers/node_spec.ts";
import {
  MAX_POLICY_DURATION_MS,
  parseTracking,
  type TrackingConfig,
  trackingConfigJson,
  trackingEntries,
  usableNodes,
} from "./config.ts";
import { type NodeRoom, nodeRoomPages, type SpreadResult } from "./placement.ts";
import { exchangeBatches, inOrderByPid, planExchange, type RankedRange } from "./room_exchange.ts";
import { agePages, type HeldRanges, type RangeAge, RangeAges, rangesByPid } from "./range_ages.ts";
import { type PolicyParts, type PolicyRuntime, trackerOf, trackingRuntime } from "./runtime.ts";

const durationMs = () => v.optional(intInRange(0, MAX_POLICY_DURATION_MS), 0);

/** Exchanges (DemoteToMakeRoom) after which where a range's pages are is read again. */
export const CENSUS_REFRESH_EXCHANGES = 5;

const schema = v.strictObject({
  ...trackingEntries(),
  Tracker: componentRef(),
  SwapOutMs: durationMs(),
  IdleDurationMs: durationMs(),
  IdleNumas: v.optional(nodeSettingField(), []),
  ActiveDurationMs: durationMs(),
  ActiveNumas: v.optional(nodeSettingField(), []),
  DemoteToMakeRoom: v.optional(bool(), false),
});

/** The `age` policy's config, nested components parsed. */
export interface AgeConfig extends TrackingConfig {
  SwapOutMs: number;
  IdleDurationMs: number;
  IdleNumas: NodeSetting;
  ActiveDurationMs: number;
  ActiveNumas: NodeSetting;
  DemoteToMakeRoom: boolean;
}

/** Parses an `age` config (text or map); throws ConfigError with the key path. */
export function parseAgeConfig(raw: unknown, what: string): AgeConfig {
  const c = parseWithSchema(schema, raw, what);
  return {
    ...parseTracking("age", c, what),
    SwapOutMs: c.SwapOutMs,
    IdleDurationMs: c.IdleDurationMs,
    IdleNumas: c.IdleNumas,
    ActiveDurationMs: c.ActiveDurationMs,
    ActiveNumas: c.ActiveNumas,
    DemoteToMakeRoom: c.DemoteToMakeRoom,
  };
}

const DUMP_HELP = `dump accessed TIMESPEC,TIMESPEC[,TIMESPEC]... [PID[,PID]]
        Examples:
            dump accessed 0,0.5s,1s,2s,4s,10s,1m
dump config`;

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/**
 * A TIMESPEC of `dump accessed` in ms: a number with ns, us, ms, s, m or h;
 * a bare number is seconds.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert";
 * import { parseTimeSpecMs } from "./age.ts";
 * strictEqual(parseTimeSpecMs("0.5s"), 500);
 * strictEqual(parseTimeSpecMs("2"), 2000);
 * ```
 */
export function parseTimeSpecMs(spec: string): number {
  const m = /^\s*(\d+(?:\.\d*)?|\.\d+)\s*(ns|us|ms|s|m|h)?\s*$/.exec(spec);
  if (!m) {
    throw new UsageError(
      `Invalid TIMESPEC ${quoted(spec)}: expected a number with ns, us, ms, s, m or h ` +
        `(bare: seconds), e.g. 0.5s`,
    );
  }
  return Number(m[1]) * UNIT_MS[m[2] ?? "s"]!;
}

/** Go's `%W.Pf` for a float (NaN as Go prints it). */
function fixed(x: number, width: number, decimals: number): string {
  return (Number.isNaN(x) ? "NaN" : x.toFixed(decimals)).padStart(width);
}

/** The `age` policy's logic. */
export class AgeLogic {
  readonly #config: AgeConfig;
  readonly #parts: PolicyParts;
  readonly #deps: ComponentDeps;
  readonly #tracker: Tracker;
  readonly #ages = new RangeAges();
  /** Pids already warned about for having none of a node list allowed. */
  #warned = new Set<string>();
  /** Scans of each pid the tracker had finished at the last round (its stats). */
  readonly #scanCounts = new Map<number, number>();
  /** Mover tasks of this policy's promotions and of its demotions not yet done. */
  readonly #promoting = new Set<number>();
  readonly #demoting = new Set<number>();
  /**
   * This policy's moves whose ranges are held (range_ages.ts): their tasks,
   * and once none is left on the mover, the process's finished scans then
   * (null while not yet) and the rounds since.
   */
  #moves: { held: HeldRanges; tasks: number[]; doneAtScan: number | null; rounds: number }[] = [];
  /** DemoteToMakeRoom: where each range's pages were, and in which exchange that was read. */
  #census = new WeakMap<RangeAge, { byNode: ReadonlyMap<number, number>; round: number }>();
  #censusRound = 0;
  /** Ranges memtierd moved since their pages were last located, by pid. */
  readonly #movedSince = new Map<number, AddrRange[]>();

  constructor(config: AgeConfig, parts: PolicyParts) {
    this.#config = config;
    this.#parts = parts;
    this.#deps = parts.deps;
    this.#tracker = trackerOf(parts);
  }

  /** What the config leaves switched off although it looks meant to be on (Go said nothing). */
  configWarnings(): string[] {
    const c = this.#config;
    const out: string[] = [];
    if (c.IdleDurationMs > 0 && isEmptySetting(c.IdleNumas)) {
      out.push("IdleDurationMs is set but IdleNumas is empty: idle memory is not moved");
    }
    if (c.ActiveDurationMs > 0 && isEmptySetting(c.ActiveNumas)) {
      out.push("ActiveDurationMs is set but ActiveNumas is empty: active memory is not moved");
    }
    const idle = c.IdleDurationMs > 0 && !isEmptySetting(c.IdleNumas);
    const active = c.ActiveDurationMs > 0 && !isEmptySetting(c.ActiveNumas);
    if (c.DemoteToMakeRoom && (!active || isEmptySetting(c.IdleNumas))) {
      out.push(
        "DemoteToMakeRoom is set but needs ActiveDurationMs with ActiveNumas and IdleNumas: it is off",
      );
    }
    if (c.SwapOutMs === 0 && !idle && !active) {
      out.push(
        "nothing to do: set SwapOutMs, IdleDurationMs with IdleNumas, or ActiveDurationMs with ActiveNumas",
      );
    }
    return out;
  }

  prepare(): void {
    for (const w of this.configWarnings()) this.#deps.logger.warn(`policy age: ${w}`);
  }

  round(): void {
    const c = this.#config;
    const nowMs = this.#deps.clock.now();
    const before = new Map(this.#scanCounts);
    const { unscanned, scanned } = this.#scansSinceLastRound();
    this.#settleMoves(before);
    this.#ages.take(this.#tracker.getCounters(), nowMs, c.IntervalMs, unscanned, scanned);
    if (c.ActiveDurationMs > 0 && !isEmptySetting(c.ActiveNumas)) {
      const active = this.#ages.active(c.ActiveDurationMs, c.IntervalMs);
      if (c.DemoteToMakeRoom && !isEmptySetting(c.IdleNumas)) this.#exchange(active, scanned);
      else {
        this.#place(
          active,
          c.ActiveNumas,
          `accessed in every round for ${c.ActiveDurationMs} ms`,
          this.#promoting,
        );
      }
    }
    if (c.SwapOutMs > 0) {
      this.#place(
        this.#ages.idle(nowMs, c.SwapOutMs),
        null,
        `not accessed for ${c.SwapOutMs} ms`,
        this.#demoting,
      );
    }
    if (c.IdleDurationMs > 0 && !isEmptySetting(c.IdleNumas)) {
      this.#place(
        this.#ages.idle(nowMs, c.IdleDurationMs),
        c.IdleNumas,
        `not accessed for ${c.IdleDurationMs} ms`,
        this.#demoting,
      );
    }
  }

  /**
   * Releases the ranges of moves whose pages' soft-dirty bits the tracker
   * has cleared since: those of a scan after the one under way when the
   * move was found done (`before`: the scans counted at the last round), or
   * two rounds later for a tracker that records no scans.
   */
  #settleMoves(before: ReadonlyMap<number, number>): void {
    const left = new Set(this.#deps.mover.tasks().map((t) => t.id));
    this.#moves = this.#moves.filter((m) => {
      const pid = m.held.pid;
      if (m.doneAtScan === null) {
        if (m.tasks.some((id) => left.has(id))) return true;
        m.doneAtScan = this.#scanCounts.get(pid) ?? 0;
        return true;
      }
      m.rounds++;
      const settled = this.#scanCounts.has(pid)
        ? (before.get(pid) ?? 0) > m.doneAtScan
        : m.rounds >= 2;
      if (settled) this.#ages.release(m.held);
      return !settled;
    });
  }

  /**
   * Pids the tracker finished no scan of since the last round (`unscanned`:
   * their counts may be half of a scan under way, a scan of a large process
   * under load taking longer than a round, which would make memory the scan
   * has not reached yet look untouched in this round), and those it
   * finished one or more of (`scanned`: news, changed or not; how many). A tracker that
   * records no scans in the stats leaves every pid counted, as news only
   * where a count changed.
   */
  #scansSinceLastRound(): { unscanned: Set<number>; scanned: Map<number, number> } {
    const unscanned = new Set<number>();
    const scanned = new Map<number, number>();
    for (const [pid, s] of this.#deps.stats.scans()) {
      const before = this.#scanCounts.get(pid);
      if (before === s.count) unscanned.add(pid);
      else scanned.set(pid, before === undefined || s.count < before ? s.count : s.count - before);
      this.#scanCounts.set(pid, s.count);
    }
    for (const pid of this.#scanCounts.keys()) {
      if (!this.#deps.stats.scans().has(pid)) this.#scanCounts.delete(pid);
    }
    return { unscanned, scanned };
  }

  /**
   * Queues each process's ranges to swap (`setting` null) or onto the nodes
   * of `setting` it may use, unless a task in `pending` (this kind's tasks,
   * which gets the new ones) is still on the mover; promotions are urgent.
   * The nodes take the pages in their order, each as many as it has room
   * for (placement.ts), the room read once a round and used up by each
   * process's tasks in turn.
   */
  #place(
    ages: RangeAge[],
    setting: NodeSetting | null,
    reason: string,
    pending: Set<number>,
  ): void {
    const left = new Set(this.#deps.mover.tasks().map((t) => t.id));
    for (const id of pending) if (!left.has(id)) pending.delete(id);
    if (ages.length === 0 || pending.size > 0) return;
    const urgent = pending === this.#promoting;
    const room = setting === null ? null : nodeRoomPages(this.#deps);
    for (const [pid, ranges] of rangesByPid(ages)) {
      if (setting === null || room === null) {
        const r = this.#parts.placement.queue(pid, ranges, SWAP_TARGET, reason, { urgent });
        if (r.skipped === "process-gone") this.#ages.dropPid(pid);
        if (r.taskId !== undefined) pending.add(r.taskId);
        this.#hold(pid, ranges, r.taskId === undefined ? [] : [r.taskId]);
        continue;
      }
      let nodes: number[];
      let usable: number[];
      try {
        nodes = resolveNodes(asNodeSpec(setting), pid, this.#deps);
        usable = usableNodes(this.#deps, pid, nodes);
      } catch (e) {
        if (!(e instanceof ProcessGoneError)) throw e;
        this.#ages.dropPid(pid);
        continue;
      }
      if (usable.length === 0) {
        this.#warnNotAllowed(pid, setting);
        continue;
      }
      // Pages on another node of the list are where the config wants them.
      const listed = new Set(nodes);
      const r = this.#parts.placement.queueWithRoom(
        pid,
        ranges,
        usable.map((node) => ({ node, roomPages: room.get(node) ?? 0 })),
        reason,
        { urgent, keep: (n) => !listed.has(n) },
      );
      this.#queued(r, ranges, room, pending);
    }
  }

  /**
   * `DemoteToMakeRoom`: reads where the pages of every tracked range are,
   * plans which go up and which go down to make their room
   * (room_exchange.ts), and queues the plan, the demotions first, all
   * urgent and all counted as this policy's promotions (`pending`). Only in
   * rounds after a finished scan (`scanned`) of a tracker that records its
   * scans: the ranks change with scans, and reading where every page is
   * costs more than a scan of a large process.
   */
  #exchange(active: readonly RangeAge[], scanned: ReadonlyMap<number, number>): void {
    const c = this.#config;
    const pending = this.#promoting;
    const left = new Set(this.#deps.mover.tasks().map((t) => t.id));
    for (const id of pending) if (!left.has(id)) pending.delete(id);
    if (active.length === 0 || pending.size > 0) return;
    if (scanned.size === 0 && this.#deps.stats.scans().size > 0) return;
    this.#censusRound++;
    const isActive = new Set(active);
    const room = nodeRoomPages(this.#deps);
    const ranked: RankedRange[] = [];
    const nodesOf = new Map<number, { fast: number[]; listed: Set<number>; slow: number[] }>();
    const fastRoom = new Map<number, number>();
    const slowRoom = new Map<number, number>();
    for (const pid of this.#ages.pids()) {
      const ages = this.#ages.ofPid(pid);
      let fast: number[];
      let slow: number[];
      let listed: Set<number>;
      let census: ReadonlyMap<number, number>[];
      try {
        const activeNodes = resolveNodes(asNodeSpec(c.ActiveNumas), pid, this.#deps);
        listed = new Set(activeNodes);
        fast = usableNodes(this.#deps, pid, activeNodes);
        slow = usableNodes(
          this.#deps,
          pid,
          resolveNodes(asNodeSpec(c.IdleNumas), pid, this.#deps),
        ).filter((n) => !listed.has(n));
        if (fast.length === 0 || slow.length === 0) {
          this.#warnNotAllowed(pid, fast.length === 0 ? c.ActiveNumas : c.IdleNumas);
          continue;
        }
        census = this.#whereArePages(pid, ages);
      } catch (e) {
        if (!(e instanceof ProcessGoneError)) throw e;
        this.#ages.dropPid(pid);
        this.#movedSince.delete(pid);
        continue;
      }
      nodesOf.set(pid, { fast, listed, slow });
      for (const n of fast) fastRoom.set(n, room.get(n) ?? 0);
      for (const n of slow) slowRoom.set(n, room.get(n) ?? 0);
      ages.forEach((a, i) => {
        const fastPages = new Map<number, number>();
        let otherPages = 0;
        for (const [node, pages] of census[i]!) {
          if (listed.has(node)) fastPages.set(node, pages);
          else otherPages += pages;
        }
        ranked.push({
          pid,
          range: a.range,
          ratePerPage: a.ratePerPage,
          active: isActive.has(a),
          fastPages,
          otherPages,
        });
      });
    }
    let slowTotal = 0;
    for (const n of slowRoom.values()) slowTotal += n;
    const plan = planExchange(ranked, fastRoom, slowTotal);
    const full = [...fastRoom.keys()].join(",");
    for (const batch of exchangeBatches(plan.steps)) {
      for (const [pid, ranges] of rangesByPid(batch.demote)) {
        const { slow, listed } = nodesOf.get(pid)!;
        const r = this.#parts.placement.queueWithRoom(
          pid,
          ranges,
          slow.map((node): NodeRoom => ({ node, roomPages: slowRoom.get(node) ?? 0 })),
          `accessed least on full nodes ${full}: room for memory accessed more`,
          { urgent: true, keep: (n) => listed.has(n) },
        );
        this.#queued(r, ranges, slowRoom, pending);
      }
      for (const d of batch.demote) {
        for (const [node, pages] of d.fastPages) {
          fastRoom.set(node, (fastRoom.get(node) ?? 0) + pages);
        }
      }
      for (const [pid, ranges] of inOrderByPid(batch.promote)) {
        const { fast, listed } = nodesOf.get(pid)!;
        const r = this.#parts.placement.queueWithRoom(
          pid,
          ranges,
          fast.map((node): NodeRoom => ({ node, roomPages: fastRoom.get(node) ?? 0 })),
          `accessed in every round for ${c.ActiveDurationMs} ms, the most accessed first`,
          { urgent: true, keep: (n) => !listed.has(n) },
        );
        this.#queued(r, ranges, fastRoom, pending);
      }
    }
  }

  /**
   * The present, exclusive pages of each of `ages` (of `pid`) per node, as
   * `pageCensus` counts them with their nodes (a `move_pages` query of every
   * page: of a 1 GiB process, more CPU than a scan of it), read again only
   * for ranges that memtierd moved since (`#hold`), that are new, or whose
   * count is `CENSUS_REFRESH_EXCHANGES` exchanges old (the kernel and the
   * process place pages too).
   */
  #whereArePages(pid: number, ages: readonly RangeAge[]): ReadonlyMap<number, number>[] {
    const moved = mergeRanges(this.#movedSince.get(pid) ?? []);
    this.#movedSince.delete(pid);
    const stale = ages.filter((a) => {
      const known = this.#census.get(a);
      return known === undefined ||
        this.#censusRound - known.round >= CENSUS_REFRESH_EXCHANGES ||
        (moved.length > 0 && intersectRanges([a.range], moved).length > 0);
    });
    const src = { procfs: this.#deps.procfs, syscalls: this.#deps.syscalls, pid };
    pageCensus(src, stale.map((a) => a.range), true).forEach((c, i) => {
      // Staggered: ranges counted in the same exchange are not all refreshed together again.
      const round = this.#censusRound - (i % CENSUS_REFRESH_EXCHANGES);
      this.#census.set(stale[i]!, { byNode: c.byNode, round });
    });
    return ages.map((a) => this.#census.get(a)!.byNode);
  }

  /** Takes what a `queueWithRoom` of `ranges` queued from `room`, into `pending`, and holds them. */
  #queued(
    r: SpreadResult,
    ranges: readonly AddrRange[],
    room: Map<number, number>,
    pending: Set<number>,
  ): void {
    if (r.skipped === "process-gone") {
      this.#ages.dropPid(r.pid);
      return;
    }
    const tasks: number[] = [];
    for (const t of r.queued) {
      room.set(t.node, (room.get(t.node) ?? 0) - t.pages);
      if (t.taskId !== undefined) tasks.push(t.taskId);
    }
    for (const id of tasks) pending.add(id);
    this.#hold(r.pid, ranges, tasks);
  }

  /** Holds the ranges of a move while `tasks` (none: nothing to hold) move their pages. */
  #hold(pid: number, ranges: readonly AddrRange[], tasks: number[]): void {
    if (tasks.length === 0) return;
    if (this.#config.DemoteToMakeRoom) {
      const moved = this.#movedSince.get(pid);
      if (moved) moved.push(...ranges);
      else this.#movedSince.set(pid, [...ranges]);
    }
    this.#moves.push({ held: this.#ages.hold(pid, ranges), tasks, doneAtScan: null, rounds: 0 });
  }

  #warnNotAllowed(pid: number, setting: NodeSetting): void {
    const nodes = String(formatNodeSpec(asNodeSpec(setting)));
    const key = `${pid}:${nodes}`;
    if (this.#warned.has(key)) return;
    this.#warned.add(key);
    this.#deps.logger.warn(
      `policy age: pid ${pid} may not use any of nodes ${nodes} ` +
        `(its Mems_allowed_list): its memory stays where it is`,
    );
  }

  dump(args: readonly string[]): string {
    if (args.length === 0) return DUMP_HELP;
    if (args[0] === "config") return this.configJson();
    if (args[0] !== "accessed") {
      throw new UsageError(`unknown dump ${quoted(args[0]!)}\nUsage: ${DUMP_HELP}`);
    }
    return this.#dumpAccessed(args.slice(1));
  }

  #dumpAccessed(args: readonly string[]): string {
    const c = this.#config;
    const lines: string[] = [];
    let durations: number[];
    let pids: number[] = [];
    if (args.length === 0) {
      lines.push(
        `using limits from configuration: active ${c.ActiveDurationMs} ms, idle ${c.IdleDurationMs} ms, swapout ${c.SwapOutMs} ms`,
      );
      durations = [0, c.ActiveDurationMs, c.IdleDurationMs, c.SwapOutMs, 0];
    } else {
      durations = args[0]!.trim().split(",").map(parseTimeSpecMs);
      if (args.length >= 2) {
        pids = args[1]!.trim().split(",").map((s) => {
          if (!/^\d+$/.test(s)) throw new UsageError(`invalid pid: ${quoted(s)}`);
          return Number(s);
        });
      }
    }
    if (durations.length < 2) {
      throw new UsageError("too few TIMESPECs for printing amount of memory between TIMESPECs");
    }
    if (pids.length === 0) {
      pids = this.#ages.pids();
      if (pids.length > 1) pids.unshift(0); // 0: all
    }
    pids.sort((a, b) => a - b);
    const now = this.#deps.clock.now();
    const minLastSeen = now - 2 * c.IntervalMs;
    // A zero duration is no bound.
    const bounds = durations.map((d) => d === 0 ? null : now - d);
    lines.push("table: time since last access");
    lines.push("     pid lastaccs>=[s] lastaccs<[s]    pages   mem[G] pidmem[%]");
    for (const pid of pids) {
      const ages = pid === 0 ? this.#ages.all() : this.#ages.ofPid(pid);
      for (let i = 1; i < durations.length; i++) {
        const from = bounds[i]!;
        const to = bounds[i - 1]!;
        let pidPages = 0;
        let pages = 0;
        for (const a of ages) {
          const n = agePages(a);
          pidPages += n;
          if (a.lastSeenMs < minLastSeen) continue;
          if ((from === null || a.lastChangedMs >= from) && (to === null || a.lastChangedMs < to)) {
            pages += n;
          }
        }
        lines.push(
          [
            (pid === 0 ? "all" : String(pid)).padStart(8),
            fixed(durations[i - 1]! / 1000, 13, 3),
            fixed(durations[i]! / 1000, 12, 3),
            String(pages).padStart(8),
            fixed(pages * 4096 / 2 ** 30, 8, 3),
            fixed(100 * pages / pidPages, 9, 2),
          ].join(" "),
        );
      }
    }
    return lines.join("\n");
  }

  configJson(): string {
    const c = this.#config;
    return JSON.stringify({
      ...trackingConfigJson(c, this.#parts),
      SwapOutMs: c.SwapOutMs,
      IdleDurationMs: c.IdleDurationMs,
      IdleNumas: formatNodeSpec(asNodeSpec(c.IdleNumas)),
      ActiveDurationMs: c.ActiveDurationMs,
      ActiveNumas: formatNodeSpec(asNodeSpec(c.ActiveNumas)),
      DemoteToMakeRoom: c.DemoteToMakeRoom,
    });
  }
}

/** An `age` policy on its runtime. */
export function createAgePolicy(config: AgeConfig, deps: ComponentDeps): PolicyRuntime<AgeLogic> {
  return trackingRuntime("age", config, deps, (parts) => new AgeLogic(config, parts));
}

export const agePolicyFactory: ComponentFactory<AgeConfig, Policy> = {
  description: "idle memory to swap or a slow node, active memory to a fast node",
  parse: parseAgeConfig,
  create: (config, deps) => createAgePolicy(config, deps),
};
