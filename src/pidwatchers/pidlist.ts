/**
 * The `pidlist` pidwatcher: a fixed list of pids, reported once (by the
 * first poll or start) and never removed, as in the Go memtierd. A pid that
 * does not exist when reported is warned about and not reported; `dump`
 * says which reported processes have exited since.
 *
 * @module
 */
import * as v from "valibot";
import { atMostItems, parseWithSchema, positiveInt } from "../config/schema.ts";
import { MAX_LIST_ITEMS, PID_MAX } from "../common/limits.ts";
import type { ComponentDeps, ComponentFactory } from "../lifecycle/deps.ts";
import type { PidListener, PidWatcher, WatchedPid } from "./pidwatcher.ts";
import { formatPids, loggedPids } from "./polling.ts";
import { WatchedPids } from "./watched_pids.ts";

const schema = v.strictObject({
  Pids: v.optional(
    v.pipe(
      v.array(positiveInt(PID_MAX), "must be a list of pids"),
      atMostItems(MAX_LIST_ITEMS, "pids"),
    ),
    [],
  ),
});

/** The `pidlist` pidwatcher's config, defaults filled in. */
export type PidlistConfig = v.InferOutput<typeof schema>;

/** Reports a fixed list of processes once. */
class PidlistPidWatcher implements PidWatcher {
  readonly config: PidlistConfig;
  readonly #deps: ComponentDeps;
  readonly #watched: WatchedPids;
  /** Pids found missing (warned about once, not tried again). */
  readonly #missing = new Set<number>();
  /** Thread ids in the list (warned about once, left out: a thread is no process). */
  readonly #threads = new Set<number>();
  #listener: PidListener | undefined;

  constructor(config: PidlistConfig, deps: ComponentDeps) {
    this.config = config;
    this.#deps = deps;
    this.#watched = new WatchedPids({
      procfs: deps.procfs,
      syscalls: deps.syscalls,
      logger: deps.logger,
      name: "pidwatcher pidlist",
    });
  }

  watchedPids(): readonly WatchedPid[] {
    return this.#watched.list();
  }

  /** It reports once and has no loop. */
  readonly running = false;

  setPidListener(listener: PidListener): void {
    this.#listener = listener;
  }

  poll(): void {
    this.#report();
  }

  start(): void {
    this.#report();
  }

  /** Forgets the reported processes (closing their pidfds); nothing is notified. */
  stop(): Promise<void> {
    this.#watched.clear();
    this.#missing.clear();
    this.#threads.clear();
    return Promise.resolve();
  }

  dump(_args: readonly string[]): string {
    const lines = [
      `pidwatcher pidlist: listener: ${this.#listener ? "set" : "none"}`,
      `config: ${this.configJson()}`,
    ];
    const reported = this.#watched.list();
    lines.push(`reported pids: ${reported.length}`);
    for (const w of reported) {
      const state = this.#watched.isAlive(w) ? "running" : "exited";
      lines.push(
        `  pid ${w.pid}: ${state}, start ${w.startTicks} ticks, pidfd ${w.pidfd ?? "none"}`,
      );
    }
    if (this.#missing.size) lines.push(`not found: ${formatPids([...this.#missing])}`);
    return lines.join("\n");
  }

  /** `pids` without thread ids, which are warned about in one line. */
  #leaveOutThreads(pids: readonly number[]): number[] {
    const threads: number[] = [];
    const processes: number[] = [];
    const kept = pids.filter((pid) => {
      const processId = this.#deps.procfs.processOf(pid);
      if (processId === undefined || processId === pid) return true;
      threads.push(pid);
      processes.push(processId);
      this.#threads.add(pid);
      return false;
    });
    if (threads.length > 0) {
      this.#deps.logger.warn(
        `pidwatcher pidlist: left out thread ids, which are not processes: ${
          loggedPids(threads)
        } (their processes: ${loggedPids(processes)})`,
      );
    }
    return kept;
  }

  configJson(): string {
    return JSON.stringify(this.config);
  }

  #report(): void {
    const listener = this.#listener;
    if (!listener) {
      this.#deps.logger.warn(
        `pidwatcher pidlist: skip reporting pids ${
          loggedPids(this.config.Pids)
        } because nobody is listening`,
      );
      return;
    }
    const reported = new Set(this.#watched.list().map((w) => w.pid));
    const fresh = this.#leaveOutThreads(
      this.config.Pids.filter((pid) =>
        !reported.has(pid) && !this.#missing.has(pid) && !this.#threads.has(pid)
      ),
    );
    const added = this.#watched.add(fresh);
    const missing = fresh.filter((pid) => !added.some((w) => w.pid === pid));
    for (const pid of missing) this.#missing.add(pid);
    if (missing.length > 0) {
      this.#deps.logger.warn(`pidwatcher pidlist: no such processes: ${loggedPids(missing)}`);
    }
    if (added.length > 0) listener.addPids(added);
  }
}

/** Registry entry of the `pidlist` pidwatcher. */
export const pidlistPidWatcherFactory: ComponentFactory<PidlistConfig, PidWatcher> = {
  description: "a fixed list of pids (Pids), reported once, never removed",
  parse: (raw, path) => parseWithSchema(schema, raw, path),
  create: (config, deps) => new PidlistPidWatcher(config, deps),
};
