/**
 * The processes a pidwatcher has reported, each held by a pidfd and known
 * by its start time, so that a pid number reused by another process is
 * never taken for the old one: `update()` reports the old process gone and
 * the new one added.
 *
 * A pidfd is opened when a pid is first reported and closed after its
 * removal has been reported, or by `clear()` when the watcher stops.
 *
 * @module
 */
import { Errno } from "../ffi/errno.ts";
import { SyscallError } from "../ffi/syscall_error.ts";
import type { Syscalls } from "../ffi/syscalls.ts";
import type { Logger } from "../log/logger.ts";
import type { ProcFs } from "../procfs/proc_fs.ts";
import type { WatchedPid } from "./pidwatcher.ts";
import { errorText } from "../common/error_text.ts";

/** What changed since the last update. */
export interface PidChanges {
  added: WatchedPid[];
  removed: WatchedPid[];
}

/** What a `WatchedPids` reads and calls. */
export interface WatchedPidsOptions {
  procfs: ProcFs;
  syscalls: () => Syscalls;
  logger: Logger;
  /** Name in log lines, e.g. `pidwatcher cgroups`. */
  name: string;
}

const byPid = (a: WatchedPid, b: WatchedPid) => a.pid - b.pid;

/** The reported processes of one pidwatcher. */
export class WatchedPids {
  #opts: WatchedPidsOptions;
  #byPid = new Map<number, WatchedPid>();
  #warnedNoPidfd = false;

  constructor(options: WatchedPidsOptions) {
    this.#opts = options;
  }

  /** The reported processes, by pid. */
  list(): WatchedPid[] {
    return [...this.#byPid.values()].sort(byPid);
  }

  get size(): number {
    return this.#byPid.size;
  }

  /** Whether `w` is still the process it was when reported (not exited, pid not reused). */
  isAlive(w: WatchedPid): boolean {
    if (w.pidfd !== null && this.#exited(w.pidfd)) return false;
    try {
      return this.#opts.procfs.startTicks(w.pid) === w.startTicks;
    } catch {
      return false;
    }
  }

  /**
   * Makes the reported set the processes now at `found`: a reported process
   * whose pid is not found, has exited or now belongs to another process is
   * removed; a found pid not reported yet (or reused) is added, unless it
   * exits before it can be held. Call `release(removed)` once the removal
   * has been reported.
   */
  update(found: Iterable<number>): PidChanges {
    const now = new Set(found);
    const removed: WatchedPid[] = [];
    for (const w of this.#byPid.values()) {
      if (!now.has(w.pid) || !this.isAlive(w)) {
        removed.push(w);
        this.#byPid.delete(w.pid);
      }
    }
    const added = this.add(now);
    return { added, removed: removed.sort(byPid) };
  }

  /** Adds the pids not reported yet; returns those that could be held. */
  add(pids: Iterable<number>): WatchedPid[] {
    const added: WatchedPid[] = [];
    for (const pid of pids) {
      if (this.#byPid.has(pid)) continue;
      const w = this.#hold(pid);
      if (!w) continue;
      this.#byPid.set(pid, w);
      added.push(w);
    }
    return added.sort(byPid);
  }

  /** Closes the pidfds of processes whose removal has been reported. */
  release(pids: readonly WatchedPid[]): void {
    for (const w of pids) if (w.pidfd !== null) this.#close(w.pidfd);
  }

  /** Forgets every process and closes their pidfds (no removal is reported). */
  clear(): void {
    const all = [...this.#byPid.values()];
    this.#byPid.clear();
    this.release(all);
  }

  /** A pidfd and the start time of `pid`, or undefined if it is gone. */
  #hold(pid: number): WatchedPid | undefined {
    let pidfd: number | null = null;
    try {
      pidfd = this.#opts.syscalls().pidfdOpen(pid);
    } catch (e) {
      if (e instanceof SyscallError && e.errno === Errno.ESRCH) return undefined;
      if (!this.#warnedNoPidfd) {
        this.#warnedNoPidfd = true;
        const why = errorText(e);
        this.#opts.logger.warn(
          `${this.#opts.name}: ${why}; telling reused pids apart by start time only`,
        );
      }
    }
    let startTicks: number;
    try {
      startTicks = this.#opts.procfs.startTicks(pid);
    } catch {
      if (pidfd !== null) this.#close(pidfd);
      return undefined;
    }
    // Alive after the stat was read: the stat was this process's.
    if (pidfd !== null && this.#exited(pidfd)) {
      this.#close(pidfd);
      return undefined;
    }
    return { pid, pidfd, startTicks };
  }

  #exited(pidfd: number): boolean {
    const sys = this.#opts.syscalls();
    try {
      return sys.pidfdExited?.(pidfd) ?? false;
    } catch {
      return false;
    }
  }

  #close(pidfd: number): void {
    try {
      this.#opts.syscalls().close(pidfd);
    } catch (e) {
      this.#opts.logger.warn(
        `${this.#opts.name}: ${errorText(e)} (pidfd ${pidfd})`,
      );
    }
  }
}
