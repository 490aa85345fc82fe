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
import {
  DEFAULT_MOVER_CONFIG,
  MAX_BANDWIDTH_MBPS,
  MAX_INTERVAL_MS,
  type MoverConfig,
  type MoveTarget,
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
    const { keep } = options;
    const result: PlacementResult = { pid, target, pagesQueued: 0, pagesAlreadyThere: 0 };
    if (ranges.length === 0) return { ...result, skipped: "no-pages" };
    const { deps } = this.#o;
    const onto = targetNode(target);
    const chunks: Float64Array[] = [];
    let count = 0;
    try {
      const src = { procfs: deps.procfs, syscalls: deps.syscalls, pid };
      forEachExclusivePage(src, ranges, target.kind === "node", (addrs, nodes) => {
        const out = new Float64Array(addrs.length);
        let n = 0;
        for (let i = 0; i < addrs.length; i++) {
          if (nodes !== null) {
            const node = nodes[i]!;
            if (node === onto) result.pagesAlreadyThere++;
            if (node < 0 || node === onto || (keep && !keep(node))) continue;
          }
          out[n++] = addrs[i]!;
        }
        chunks.push(out.subarray(0, n));
        count += n;
      });
    } catch (e) {
      if (e instanceof ProcessGoneError) return { ...result, skipped: "process-gone" };
      throw e;
    }
    const addrs = new Float64Array(count);
    let at = 0;
    for (const c of chunks) {
      addrs.set(c, at);
      at += c.length;
    }
    if (addrs.length === 0) return { ...result, skipped: "no-pages" };
    if (addrs.length < this.#minPages) return { ...result, skipped: "below-minimum" };
    result.pagesQueued = addrs.length;
    const mib = (addrs.length * PAGE_SIZE_BYTES / MB).toFixed(1);
    const what = `${addrs.length} pages (${mib} MiB) of pid ${pid} to ${
      describe(target)
    }: ${reason}`;
    if (this.dryRun) {
      deps.logger.info(`policy ${this.#o.policy} dry run: would move ${what}`);
    } else {
      result.taskId = deps.mover.addTask(pid, addrs, target, { urgent: options.urgent === true });
      deps.logger.debug(`policy ${this.#o.policy}: queued ${what}`);
    }
    deps.stats.recordPolicyDecision({
      policy: this.#o.policy,
      pid,
      dest: targetNode(target),
      pages: addrs.length,
      dryRun: this.dryRun,
    });
    return result;
  }

  /** Records one finished policy round. */
  roundDone(): void {
    this.#o.deps.stats.recordPolicyRound(this.#o.policy);
  }
}
