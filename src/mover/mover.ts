/**
 * The mover: moves (or swaps out) queued pages at a limited bandwidth.
 *
 * Rounds start every `IntervalMs`; each moves the pages that `Bandwidth`
 * MB/s allows for the time since the previous round (normally Bandwidth ×
 * IntervalMs, more when the timer fired late, at most twice that), so the
 * rate holds when the kernel takes a while per call or the machine is busy.
 *
 * Several tasks share the bandwidth by turns: a round serves the task at
 * the cursor, and if it finishes with budget left, the next one; the next
 * round starts with the following task (round robin). Every process gets
 * moved a little at a time instead of one waiting for another to finish.
 * An urgent task (`addTask(..., { urgent: true })`, e.g. a policy's
 * promotion of memory that turned hot) is served before every other one,
 * urgent ones in the order they came: a long demotion never holds back a
 * promotion queued after it.
 *
 * States (as in the Go memtierd): NotRunning (before start, after stop),
 * Paused (after start or pause), Busy (working on tasks), AllDone (no tasks
 * left). Adding a task or continuing makes a started mover Busy.
 *
 * The rounds run on a lifecycle `Loop` that is ready only while Busy: a
 * paused or idle mover does not wake up on the clock, and continuing wakes
 * it at once.
 *
 * @module
 */
import * as v from "valibot";
import { parseWithSchema, positiveInt, positiveNumber } from "../config/schema.ts";
import { exitCodeFor } from "../common/exit_codes.ts";
import { ProcessGoneError } from "../errors.ts";
import type { Syscalls } from "../ffi/syscalls.ts";
import { Loop } from "../loop/loop.ts";
import { silentLogger } from "../log/logger.ts";
import type { Logger } from "../log/logger.ts";
import { MB, PAGE_SIZE_BYTES } from "../common/units.ts";
import { pagesToRanges } from "../memory/addr_range.ts";
import { movePagesToNode } from "../memory/move.ts";
import type { Stats } from "../stats/stats.ts";
import { swapOutRanges } from "../swap/swap.ts";
import type { Clock } from "../time/clock.ts";
import { errorText } from "../common/error_text.ts";

/** Where a task's pages go: to a NUMA node, or out to swap. */
export type MoveTarget =
  | { readonly kind: "node"; readonly node: number }
  | { readonly kind: "swap" };

/** The target of a task that swaps its pages out instead of moving them. */
export const SWAP_TARGET: MoveTarget = { kind: "swap" };

/** The target of a task that moves its pages to `node`. */
export function nodeTarget(node: number): MoveTarget {
  return { kind: "node", node };
}

/** The mover's configuration. `Bandwidth` is in MB/s (MB = 2^20 bytes). */
export interface MoverConfig {
  IntervalMs: number;
  Bandwidth: number;
}

export const DEFAULT_MOVER_CONFIG: Readonly<MoverConfig> = { IntervalMs: 10, Bandwidth: 100 };

/** Longest round: an hour. */
export const MAX_INTERVAL_MS = 3_600_000;
/** Highest bandwidth: 1 TB/s, beyond any memory bus, so "no limit" in practice. */
export const MAX_BANDWIDTH_MBPS = 1_000_000;

const moverSchema = v.strictObject({
  IntervalMs: v.optional(positiveInt(MAX_INTERVAL_MS), DEFAULT_MOVER_CONFIG.IntervalMs),
  Bandwidth: v.optional(positiveNumber(MAX_BANDWIDTH_MBPS), DEFAULT_MOVER_CONFIG.Bandwidth),
});

/**
 * Reads a mover configuration (JSON or YAML text, or an object), as every
 * component's config is read; fields left out keep their defaults.
 */
export function parseMoverConfig(input: string | Record<string, unknown>): MoverConfig {
  return parseWithSchema(moverSchema, input, "mover");
}

/**
 * Pages one round may move: whole pages, or below one page a fraction (a
 * slow bandwidth saves its credit over several rounds for one page, rather
 * than moving a page every round above the limit).
 */
export function pagesPerRound(config: MoverConfig): number {
  const pages = config.Bandwidth * MB * config.IntervalMs / 1000 / PAGE_SIZE_BYTES;
  return pages >= 1 ? Math.floor(pages) : pages;
}

export type MoverStatus = "NotRunning" | "Paused" | "Busy" | "AllDone";

/** Pages of one process to move to a node or swap out. */
export interface MoverTask {
  readonly id: number;
  readonly pid: number;
  readonly addrs: Float64Array;
  readonly target: MoveTarget;
  /** Index of the next page to move. */
  offset: number;
  /** Served before the tasks that are not (see the module's header). */
  readonly urgent?: boolean;
}

/** How a task is queued. */
export interface AddTaskOptions {
  /** Serve it before every task that is not urgent. */
  urgent?: boolean;
}

/** A task the mover gave up on, and why. */
export interface DroppedTask {
  readonly id: number;
  readonly pid: number;
  readonly target: MoveTarget;
  readonly pagesLeft: number;
  /** Why, for people: `pid 42 exited`, or the failed call. */
  readonly reason: string;
  /** What went wrong (a ProcessGoneError when the process went away). */
  readonly error: unknown;
}

/**
 * The Go memtierd's text for a task; it writes node -1 for swap.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert";
 * import { formatTask, SWAP_TARGET } from "./mover.ts";
 * const task = { id: 0, pid: 42, addrs: new Float64Array([0x1000, 0x2000]), target: SWAP_TARGET, offset: 1 };
 * strictEqual(formatTask(task), "MoverTask{pid: 42, next: 2000, page: 1 out of 2, dest: [-1]}");
 * ```
 */
export function formatTask(t: MoverTask): string {
  const next = t.offset < t.addrs.length ? t.addrs[t.offset]!.toString(16) : "N/A";
  const dest = t.target.kind === "swap" ? -1 : t.target.node;
  return `MoverTask{pid: ${t.pid}, next: ${next}, page: ${t.offset} out of ${t.addrs.length}, dest: [${dest}]}`;
}

/**
 * Dropped tasks a mover keeps for `takeDropped()` (the first ones since the
 * last call); later ones are only counted. A daemon's mover is never asked
 * (its drops are logged and in the stats), and each drop holds an error
 * with its stack: unbounded, a churn of exiting processes grew memtierd by
 * about 9 KB per drop.
 */
export const MAX_KEPT_DROPPED_TASKS = 64;

/** What `takeDropped()` hands out. */
export interface TakenDrops {
  /** The first dropped tasks since the last call (at most `MAX_KEPT_DROPPED_TASKS`), oldest first. */
  readonly tasks: DroppedTask[];
  /** Tasks dropped after those, counted only. */
  readonly notKept: number;
}

/**
 * Most pages of one move_pages call of the mover: a round's pages go in one
 * call up to this many (the Go memtierd makes one call a round, however
 * many). Each call has a fixed cost in the kernel (lru_cache_disable():
 * the per-CPU page caches drained on every CPU), which batches of 1024 paid
 * 128 times for a 512 MiB process at an unlimited bandwidth. Bounds the mover's own
 * buffers to 24 bytes a page of this: 1.5 MiB.
 */
export const MAX_MOVER_BATCH_PAGES = 65536;

/** What a mover needs. */
export interface MoverOptions {
  syscalls: () => Syscalls;
  clock: Clock;
  stats?: Stats;
  logger?: Logger;
}

/** Moves queued pages at a limited bandwidth. */
export class Mover {
  #opts: MoverOptions;
  #log: Logger;
  #config: MoverConfig = { ...DEFAULT_MOVER_CONFIG };
  #tasks: MoverTask[] = [];
  #cursor = 0;
  #nextId = 0;
  #status: MoverStatus = "NotRunning";
  #loop: Loop;
  /** Pages the bandwidth allows now, and when it was last topped up. */
  #credit = 0;
  #refilledMs = 0;
  #waiters: { statuses: MoverStatus[]; resolve: (s: MoverStatus) => void }[] = [];
  /** Dropped tasks not yet handed out by `takeDropped()` (the first few), and how many more. */
  #dropped: DroppedTask[] = [];
  #droppedNotKept = 0;

  constructor(options: MoverOptions) {
    this.#opts = options;
    this.#log = options.logger ?? silentLogger();
    this.#loop = new Loop({
      name: "Mover",
      clock: options.clock,
      intervalMs: () => this.#config.IntervalMs,
      ready: () => this.#status === "Busy",
      round: (_signal, { resumed }) => this.#creditRound(resumed),
      stats: options.stats,
      logger: this.#log,
    });
  }

  get status(): MoverStatus {
    return this.#status;
  }

  get config(): Readonly<MoverConfig> {
    return this.#config;
  }

  /** Replaces the configuration; fields left out take their defaults. */
  setConfig(input: string | Record<string, unknown>): void {
    this.#config = parseMoverConfig(input);
  }

  configJson(): string {
    return JSON.stringify(this.#config);
  }

  /** Tasks not finished yet, in queue order. */
  tasks(): readonly MoverTask[] {
    return this.#tasks;
  }

  #setStatus(s: MoverStatus): void {
    this.#status = s;
    this.#waiters = this.#waiters.filter((w) => {
      if (!w.statuses.includes(s)) return true;
      w.resolve(s);
      return false;
    });
  }

  /** Resolves with the first of `statuses` the mover is in (at once if it is in one now). */
  wait(...statuses: MoverStatus[]): Promise<MoverStatus> {
    if (statuses.includes(this.#status)) return Promise.resolve(this.#status);
    return new Promise((resolve) => this.#waiters.push({ statuses, resolve }));
  }

  /** Starts the mover's loop, paused; does nothing if it runs already. */
  start(): void {
    if (this.#loop.running) return;
    this.#setStatus("Paused");
    this.#loop.start();
  }

  /** Stops the loop; tasks stay queued for a later start. */
  async stop(): Promise<void> {
    if (!this.#loop.running) return;
    this.#setStatus("NotRunning");
    await this.#loop.stop();
  }

  pause(): void {
    if (this.#status === "Busy" || this.#status === "AllDone") this.#setStatus("Paused");
  }

  continue(): void {
    if (!this.#loop.running) return;
    if (this.#status === "Paused" || this.#status === "AllDone") {
      this.#setStatus(this.#tasks.length > 0 ? "Busy" : "AllDone");
    }
    this.#loop.wake();
  }

  /** Queues pages of `pid` to move to `target`; returns the task id. */
  addTask(
    pid: number,
    addrs: Float64Array,
    target: MoveTarget,
    options: AddTaskOptions = {},
  ): number {
    const task: MoverTask = {
      id: this.#nextId++,
      pid,
      addrs,
      target,
      offset: 0,
      ...(options.urgent ? { urgent: true } : {}),
    };
    this.#tasks.push(task);
    this.continue();
    return task.id;
  }

  /**
   * Tasks dropped since the last call (a process that exited, a move that
   * failed), oldest first, the first `MAX_KEPT_DROPPED_TASKS` of them and
   * the number of the others; each is handed out once. Every drop is also
   * logged as a warning and recorded in the stats.
   */
  takeDropped(): TakenDrops {
    const taken = { tasks: this.#dropped, notKept: this.#droppedNotKept };
    this.#dropped = [];
    this.#droppedNotKept = 0;
    return taken;
  }

  /** Removes a task; returns whether it was there. */
  removeTask(id: number): boolean {
    const i = this.#tasks.findIndex((t) => t.id === id);
    if (i < 0) return false;
    this.#tasks.splice(i, 1);
    if (this.#cursor > i) this.#cursor--;
    if (this.#tasks.length === 0 && this.#status === "Busy") this.#setStatus("AllDone");
    return true;
  }

  /**
   * One round of the loop: tops up the credit and spends it. The first
   * round after a start, pause or idle spell (`resumed`) gets one round's
   * worth; later ones the credit of the time that really passed, so late
   * timers (a busy machine) do not lower the rate, capped at two rounds'
   * worth (or one page, when a round is worth less) so that a stall is not
   * followed by a burst.
   */
  #creditRound(resumed: boolean): void {
    const now = this.#opts.clock.now();
    const perRound = pagesPerRound(this.#config);
    const perMs = perRound / this.#config.IntervalMs;
    this.#credit = resumed
      ? perRound
      : Math.min(this.#credit + (now - this.#refilledMs) * perMs, Math.max(2 * perRound, 1));
    this.#refilledMs = now;
    this.#credit -= this.#round(Math.floor(this.#credit));
    if (this.#tasks.length === 0) this.#setStatus("AllDone");
  }

  /**
   * One round: spends up to `budget` pages on the urgent tasks, oldest
   * first, then on the others by turns; returns pages handled.
   */
  #round(budget: number): number {
    let spent = 0;
    for (let i = this.#tasks.findIndex((t) => t.urgent); i >= 0 && budget > 0;) {
      const n = this.#serve(i, budget);
      budget -= n;
      spent += n;
      i = this.#tasks.findIndex((t) => t.urgent);
    }
    const turns = this.#tasks.length;
    for (let turn = 0; turn < turns && budget > 0 && this.#tasks.length > 0; turn++) {
      if (this.#cursor >= this.#tasks.length) this.#cursor = 0;
      const before = this.#tasks.length;
      const n = this.#serve(this.#cursor, budget);
      budget -= n;
      spent += n;
      if (this.#tasks.length === before) this.#cursor++;
    }
    return spent;
  }

  /** Moves up to `budget` pages of the task at `i`; removes it when done or dropped. */
  #serve(i: number, budget: number): number {
    const task = this.#tasks[i]!;
    const n = Math.min(budget, task.addrs.length - task.offset);
    const chunk = task.addrs.subarray(task.offset, task.offset + n);
    let drop = false;
    try {
      this.#moveChunk(task, chunk);
    } catch (e) {
      drop = true;
      this.#drop(task, e);
    }
    task.offset += n;
    if (drop || task.offset >= task.addrs.length) {
      this.#tasks.splice(i, 1);
      if (this.#cursor > i) this.#cursor--;
    }
    return n;
  }

  #drop(task: MoverTask, error: unknown): void {
    const reason = error instanceof ProcessGoneError
      ? `pid ${task.pid} exited`
      : `pid ${task.pid}: ${errorText(error)}`;
    const pagesLeft = task.addrs.length - task.offset;
    const dropped = { id: task.id, pid: task.pid, target: task.target, pagesLeft, reason, error };
    if (this.#dropped.length < MAX_KEPT_DROPPED_TASKS) this.#dropped.push(dropped);
    else this.#droppedNotKept++;
    this.#log.warn(
      `mover: dropped task ${task.id} of pid ${task.pid} with ${pagesLeft} of ${task.addrs.length} pages left: ${reason}`,
    );
    this.#opts.stats?.recordDroppedTask({
      taskId: task.id,
      pid: task.pid,
      dest: task.target.kind === "swap" ? -1 : task.target.node,
      pagesLeft,
      reason,
      exitCode: exitCodeFor(error),
    });
  }

  #moveChunk(task: MoverTask, chunk: Float64Array): void {
    const sys = this.#opts.syscalls();
    const stats = this.#opts.stats;
    if (task.target.kind === "swap") {
      swapOutRanges(sys, task.pid, pagesToRanges(chunk), stats);
      return;
    }
    const out = movePagesToNode(sys, task.pid, chunk, task.target.node, {
      batchPages: Math.min(chunk.length, MAX_MOVER_BATCH_PAGES),
      ...(stats ? { onBatch: (b: Parameters<Stats["recordMove"]>[0]) => stats.recordMove(b) } : {}),
    });
    if (out.processGone) throw new ProcessGoneError(task.pid);
  }
}
