/**
 * What the polling pidwatchers (`cgroups`, `proc`) share: a scan that
 * returns the pids found now, turned into AddPids for new processes and
 * RemovePids for gone ones (pids held by pidfds, see watched_pids.ts), run
 * once by `poll()` or every IntervalMs on a `Loop` by `start()`.
 *
 * `stop()` ends the loop and forgets the reported pids (closing their
 * pidfds) without notifying the listener, as the Go memtierd does not; a
 * later start reports the processes anew. A start called while a stop is
 * still ending waits for it, and a stop called after that wins, so
 * start/stop races never leave two loops (the Go one could).
 *
 * @module
 */
import type { ComponentDeps } from "../lifecycle/deps.ts";
import { Loop } from "../loop/loop.ts";
import type { PidListener, PidWatcher, WatchedPid } from "./pidwatcher.ts";
import { WatchedPids } from "./watched_pids.ts";

/** `[1 2 3]`, as the Go memtierd prints a list of pids. */
export function formatPids(pids: readonly WatchedPid[] | readonly number[]): string {
  return `[${pids.map((p) => (typeof p === "number" ? p : p.pid)).join(" ")}]`;
}

/** Pids a log line lists at most; more are counted, not listed. */
const LOGGED_PIDS = 20;

/**
 * `[1 2 3]` for a log line: at most 20 pids, then how many more, so that
 * a pidwatcher finding 200,000 processes writes one short line.
 */
export function loggedPids(pids: readonly WatchedPid[] | readonly number[]): string {
  if (pids.length <= LOGGED_PIDS) return formatPids(pids);
  const shown = formatPids(pids.slice(0, LOGGED_PIDS)).slice(0, -1);
  return `${shown} ... and ${pids.length - LOGGED_PIDS} more]`;
}

/** Dump lines for reported processes. */
export function dumpWatched(pids: readonly WatchedPid[]): string[] {
  return pids.map((w) => `  pid ${w.pid}: start ${w.startTicks} ticks, pidfd ${w.pidfd ?? "none"}`);
}

/** A pidwatcher that finds pids by a scan. */
export abstract class PollingPidWatcher implements PidWatcher {
  protected readonly deps: ComponentDeps;
  /** The processes reported to the listener. */
  protected readonly watched: WatchedPids;
  readonly #kind: string;
  readonly #intervalMs: number;
  readonly #loop: Loop;
  #listener: PidListener | undefined;
  #wantRunning = false;
  #stopping: Promise<void> | undefined;

  watchedPids(): readonly WatchedPid[] {
    return this.watched.list();
  }

  /** `kind` is the registry name (`cgroups`); `loopName` names heartbeats. */
  constructor(kind: string, loopName: string, intervalMs: number, deps: ComponentDeps) {
    this.deps = deps;
    this.#kind = kind;
    this.#intervalMs = intervalMs;
    this.watched = new WatchedPids({
      procfs: deps.procfs,
      syscalls: deps.syscalls,
      logger: deps.logger,
      name: `pidwatcher ${kind}`,
    });
    this.#loop = new Loop({
      name: loopName,
      clock: deps.clock,
      intervalMs,
      stats: deps.stats,
      logger: deps.logger,
      round: () => this.#round(),
    });
  }

  /** The pids there now. */
  protected abstract findPids(): Iterable<number>;
  abstract configJson(): string;
  /** Lines the dump adds after the reported pids. */
  protected dumpExtra(): string[] {
    return [];
  }

  /** Whether the polling loop runs. */
  get running(): boolean {
    return this.#loop.running;
  }

  setPidListener(listener: PidListener): void {
    this.#listener = listener;
  }

  poll(): void {
    this.#round();
  }

  async start(): Promise<void> {
    this.#wantRunning = true;
    while (this.#stopping) await this.#stopping;
    if (this.#wantRunning) this.#loop.start();
  }

  async stop(): Promise<void> {
    this.#wantRunning = false;
    const stopping = this.#loop.stop().then(() => this.watched.clear());
    this.#stopping = stopping;
    try {
      await stopping;
    } finally {
      if (this.#stopping === stopping) this.#stopping = undefined;
    }
  }

  dump(_args: readonly string[]): string {
    const pids = this.watched.list();
    return [
      `pidwatcher ${this.#kind}: ${
        this.running ? `running, polls every ${this.#intervalMs} ms` : "not running"
      }, listener: ${this.#listener ? "set" : "none"}`,
      `config: ${this.configJson()}`,
      `reported pids: ${pids.length}`,
      ...dumpWatched(pids),
      ...this.dumpExtra(),
    ].join("\n");
  }

  #round(): void {
    const { added, removed } = this.watched.update(this.findPids());
    try {
      const listener = this.#listener;
      const warn = (what: string, pids: WatchedPid[]) =>
        this.deps.logger.warn(
          `pidwatcher ${this.#kind}: ignoring ${what} pids ${
            loggedPids(pids)
          } because nobody is listening`,
        );
      // Removals first: a reused pid is then removed before its number is added again.
      if (removed.length > 0) {
        if (listener) listener.removePids(removed);
        else warn("disappeared", removed);
      }
      if (added.length > 0) {
        if (listener) listener.addPids(added);
        else warn("new", added);
      }
    } finally {
      this.watched.release(removed);
    }
  }
}
