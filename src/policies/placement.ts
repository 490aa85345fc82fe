/**
 * What every policy does once it has decided: turn "these ranges of pid P
 * go to node N (or to swap)" into a mover task, or, in a dry run, into a
 * log line and nothing else.
 *
 * A range the policy picked may be stale by the time it is queued: the
 * process may have unmapped it, moved it, or exited. So the pages are read
 * again here: only present pages mapped by this process alone go in the
 * task (as in the Go memtierd), minus those already on the target node; a
 * process that exited is a result (`skipped: "process-gone"`), never an
 * error that stops the policy.
 *
 * Every decision, queued or dry, is recorded in the stats
 * (`stats -t policy_decisions`, and the metrics endpoint).
 *
 * Config entries every policy takes (spread `placementEntries` into its
 * schema): `Mover` {IntervalMs, Bandwidth}, where an omitted mover or
 * field takes the mover's defaults (the Go memtierd set a missing one to
 * 0 and then dropped every task), and `DryRun` (default false).
 *
 * @module
 */
import { MB, PAGE_SIZE_BYTES } from "../common/units.ts";
import * as v from "valibot";
import { bool, parseWithSchema, positiveInt, positiveNumber } from "../config/schema.ts";
import { ProcessGoneError } from "../errors.ts";
import type { ComponentDeps } from "../lifecycle/deps.ts";
import type { AddrRange } from "../memory/addr_range.ts";
import { forEachExclusivePage } from "../memory/census.ts";
import { nodeAvailBytes } from "./avoid_oom_pressure.ts";
import {
  DEFAULT_MOVER_CONFIG,
  MAX_BANDWIDTH_MBPS,
  MAX_INTERVAL_MS,
  type MoverConfig,
  type MoveTarget,
  nodeTarget,
} from "../mover/mover.ts";

const moverSchema = v.strictObject({
  IntervalMs: v.optional(positiveInt(MAX_INTERVAL_MS), DEFAULT_MOVER_CONFIG.IntervalMs),
  Bandwidth: v.optional(positiveNumber(MAX_BANDWIDTH_MBPS), DEFAULT_MOVER_CONFIG.Bandwidth),
});

/** Config entries every policy shares; spread them into its `v.strictObject`. */
export const placementEntries = {
  Mover: v.optional(moverSchema, {}),
  DryRun: v.optional(bool(), false),
};

/** The shared entries as parsed. */
export interface PlacementConfig {
  Mover: MoverConfig;
  DryRun: boolean;
}

/** Fewest pages a task is worth by default (the Go policies queued only above 100). */
export const DEFAULT_MIN_TASK_PAGES = 100;

/** What one `queue()` did. */
export interface PlacementResult {
  pid: number;
  target: MoveTarget;
  /** Pages queued on the mover (in a dry run: that would have been queued). */
  pagesQueued: number;
  /** Present, exclusive pages already on the target node (0 for swap). */
  pagesAlreadyThere: number;
  /** Why nothing was queued, if so. */
  skipped?: "process-gone" | "no-pages" | "below-minimum";
  /** The mover task that holds the pages (none in a dry run). */
  taskId?: number;
}

/** A node `queueWithRoom()` may fill, and how many pages it has room for. */
export interface NodeRoom {
  node: number;
  roomPages: number;
}

/** What one `queueWithRoom()` did. */
export interface SpreadResult {
  pid: number;
  /** One entry per node that took pages, in the nodes' order (no taskId in a dry run). */
  queued: { node: number; pages: number; taskId?: number }[];
  /** Present, exclusive pages already on one of the nodes. */
  pagesAlreadyThere: number;
  /** Pages to move that no node had room for: not queued. */
  pagesWithoutRoom: number;
  /** Why nothing was queued, if so. */
  skipped?: "process-gone" | "no-pages" | "below-minimum" | "no-room";
}

/** How `queue()` picks and queues pages. */
export interface QueueOptions {
  /** A policy's own budget per page: only pages on a node it takes go in the task. */
  keep?: (node: number) => boolean;
  /** The mover serves the task before every task that is not urgent (promotions). */
  urgent?: boolean;
}

/** What a placement needs. */
export interface PlacementOptions {
  deps: ComponentDeps;
  /** The policy's name, for log lines and stats. */
  policy: string;
  config: PlacementConfig;
  /** Fewest pages worth a task. Default `DEFAULT_MIN_TASK_PAGES`. */
  minPages?: number;
}

/** The target as the Go memtierd writes it: the node, or -1 for swap. */
export function targetNode(target: MoveTarget): number {
  return target.kind === "swap" ? -1 : target.node;
}

function describe(target: MoveTarget): string {
  return target.kind === "swap" ? "swap" : `node ${target.node}`;
}

/**
 * Reads the shared entries alone, e.g. for a policy that checks them
 * before its own (the schema is `placementEntries` in a strict object).
 */
export function parsePlacementConfig(raw: unknown, what: string): PlacementConfig {
  return parseWithSchema(v.object(placementEntries), raw, what);
}

/**
 * Share of a node's MemTotal that `nodeRoomPages` leaves free where
 * /proc/zoneinfo cannot be read. At default settings a node's high
 * watermark is below 0.5 % of it (min_free_kbytes shared by node size,
 * plus watermark_scale_factor's 0.1 % twice), but not always: the
 * policy-age VM's 756 MB node 2 had a high watermark of 27 MB.
 */
export const ROOM_RESERVE_SHARE = 0.01;

/**
 * The pages each online node can take now. Its free pages above what the
 * kernel keeps (per zone of /proc/zoneinfo: the high watermark and the
 * largest lowmem reserve; an allocation that would go below them is
 * refused once reclaim finds nothing), plus what it can reclaim
 * (SReclaimable and 80 % of Inactive(file), as avoid-oom counts it).
 * Without zoneinfo: the node's available memory less `ROOM_RESERVE_SHARE`
 * of its MemTotal. Never negative.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert";
 * import { nodeRoomPages } from "./placement.ts";
 * import { FakeKernel } from "../testing/fake_kernel.ts";
 * import { fakeSystem } from "../testing/fake_system.ts";
 * const sys = fakeSystem(new FakeKernel().addNode(0, 10000).addNode(1, 50));
 * const room = nodeRoomPages({ sysfs: sys.sysfs, procfs: sys.procfs });
 * strictEqual(room.get(0), 9900);
 * strictEqual(room.get(1), 49);
 * ```
 */
export function nodeRoomPages(deps: Pick<ComponentDeps, "sysfs" | "procfs">): Map<number, number> {
  const zones = deps.procfs.zoneinfo();
  const room = new Map<number, number>();
  for (const id of deps.sysfs.onlineNodes()) {
    const meminfo = deps.sysfs.nodeMeminfo(id);
    const avail = nodeAvailBytes(meminfo);
    let bytes: number;
    if (zones === null) {
      bytes = avail - Math.ceil((meminfo.get("MemTotal") ?? 0) * ROOM_RESERVE_SHARE);
    } else {
      const above = zones.filter((z) => z.node === id).reduce(
        (sum, z) => sum + Math.max(0, z.freePages - z.highPages - z.reservePages),
        0,
      );
      bytes = above * PAGE_SIZE_BYTES + avail - (meminfo.get("MemFree") ?? 0);
    }
    room.set(id, Math.max(0, Math.floor(bytes / PAGE_SIZE_BYTES)));
  }
  return room;
}

/** Queues a policy's decisions on the shared mover, or logs them in a dry run. */
export class Placement {
  readonly #o: PlacementOptions;
  readonly #minPages: number;

  constructor(options: PlacementOptions) {
    this.#o = options;
    this.#minPages = options.minPages ?? DEFAULT_MIN_TASK_PAGES;
  }

  get dryRun(): boolean {
    return this.#o.config.DryRun;
  }

  /** Applies the policy's `Mover` config to the shared mover (call in start()). */
  applyMoverConfig(): void {
    this.#o.deps.mover.setConfig({ ...this.#o.config.Mover });
  }

  /** True when the mover has no task left (the Go policies move only then). */
  moverIdle(): boolean {
    return this.#o.deps.mover.tasks().length === 0;
  }

  /**
   * Queues, as one mover task, the present and exclusive pages of `ranges`
   * of `pid` that are not already on `target` (and, for a node, that
   * `options.keep(node)` takes: a policy's own budget per page). `reason`
   * says why, for the log (`idle for 30 s`).
   */
  queue(
    pid: number,
    ranges: readonly AddrRange[],
    target: MoveTarget,
    reason: string,
    options: QueueOptions = {},
  ): PlacementResult {
    const result: PlacementResult = { pid, target, pagesQueued: 0, pagesAlreadyThere: 0 };
    const onto = targetNode(target);
    const found = this.#collect(pid, ranges, target.kind === "node", (node) => {
      if (node === onto) result.pagesAlreadyThere++;
      return node !== onto && (options.keep === undefined || options.keep(node));
    });
    if (typeof found === "string") return { ...result, skipped: found };
    result.pagesQueued = found.length;
    const taskId = this.#submit(pid, found, target, reason, options.urgent === true);
    return taskId === undefined ? result : { ...result, taskId };
  }

  /**
   * Queues the present and exclusive pages of `ranges` of `pid` that are on
   * none of `nodes` (and that `options.keep(node)` takes) onto `nodes`, in
   * their order, each node taking as many as its `roomPages`: one mover
   * task per node that takes pages. Pages no node has room for are left
   * where they are (`pagesWithoutRoom`): the kernel would refuse them one
   * by one, and a later round finds room freed by then. The minimum of a
   * task applies to the pages to move, before the room splits them.
   */
  queueWithRoom(
    pid: number,
    ranges: readonly AddrRange[],
    nodes: readonly NodeRoom[],
    reason: string,
    options: QueueOptions = {},
  ): SpreadResult {
    const result: SpreadResult = { pid, queued: [], pagesAlreadyThere: 0, pagesWithoutRoom: 0 };
    const listed = new Set(nodes.map((n) => n.node));
    const found = this.#collect(pid, ranges, true, (node) => {
      if (listed.has(node)) result.pagesAlreadyThere++;
      return !listed.has(node) && (options.keep === undefined || options.keep(node));
    });
    if (typeof found === "string") return { ...result, skipped: found };
    let at = 0;
    for (const { node, roomPages } of nodes) {
      const n = Math.min(Math.max(0, Math.floor(roomPages)), found.length - at);
      if (n === 0) continue;
      const addrs = found.slice(at, at + n);
      at += n;
      const taskId = this.#submit(pid, addrs, nodeTarget(node), reason, options.urgent === true);
      result.queued.push(taskId === undefined ? { node, pages: n } : { node, pages: n, taskId });
    }
    result.pagesWithoutRoom = found.length - at;
    if (result.pagesWithoutRoom > 0) {
      const where = nodes.map((n) => n.node).join(",");
      this.#o.deps.logger.debug(
        `policy ${this.#o.policy}: ${result.pagesWithoutRoom} pages of pid ${pid} stay: ` +
          `no room for them on nodes ${where}`,
      );
    }
    return result.queued.length === 0 ? { ...result, skipped: "no-room" } : result;
  }

  /**
   * The present, exclusive pages of `ranges` that `take(node)` takes (with
   * `locate`; else all of them), or why there are none worth a task.
   */
  #collect(
    pid: number,
    ranges: readonly AddrRange[],
    locate: boolean,
    take: (node: number) => boolean,
  ): Float64Array | "process-gone" | "no-pages" | "below-minimum" {
    if (ranges.length === 0) return "no-pages";
    const { deps } = this.#o;
    const chunks: Float64Array[] = [];
    let count = 0;
    try {
      const src = { procfs: deps.procfs, syscalls: deps.syscalls, pid };
      forEachExclusivePage(src, ranges, locate, (addrs, nodes) => {
        const out = new Float64Array(addrs.length);
        let n = 0;
        for (let i = 0; i < addrs.length; i++) {
          if (nodes !== null) {
            const node = nodes[i]!;
            if (node < 0 || !take(node)) continue;
          }
          out[n++] = addrs[i]!;
        }
        chunks.push(out.subarray(0, n));
        count += n;
      });
    } catch (e) {
      if (e instanceof ProcessGoneError) return "process-gone";
      throw e;
    }
    const addrs = new Float64Array(count);
    let at = 0;
    for (const c of chunks) {
      addrs.set(c, at);
      at += c.length;
    }
    if (addrs.length === 0) return "no-pages";
    if (addrs.length < this.#minPages) return "below-minimum";
    return addrs;
  }

  /** One mover task (or, in a dry run, its log line), recorded as a decision. */
  #submit(
    pid: number,
    addrs: Float64Array,
    target: MoveTarget,
    reason: string,
    urgent: boolean,
  ): number | undefined {
    const { deps } = this.#o;
    const mib = (addrs.length * PAGE_SIZE_BYTES / MB).toFixed(1);
    const what = `${addrs.length} pages (${mib} MiB) of pid ${pid} to ${
      describe(target)
    }: ${reason}`;
    let taskId: number | undefined;
    if (this.dryRun) {
      deps.logger.info(`policy ${this.#o.policy} dry run: would move ${what}`);
    } else {
      taskId = deps.mover.addTask(pid, addrs, target, { urgent });
      deps.logger.debug(`policy ${this.#o.policy}: queued ${what}`);
    }
    deps.stats.recordPolicyDecision({
      policy: this.#o.policy,
      pid,
      dest: targetNode(target),
      pages: addrs.length,
      dryRun: this.dryRun,
    });
    return taskId;
  }

  /** Records one finished policy round. */
  roundDone(): void {
    this.#o.deps.stats.recordPolicyRound(this.#o.policy);
  }
}
