/**
 * The PidWatcher interface: finds the processes a policy acts on and tells
 * its listener which appeared and which went away since the last report
 * (only changes are sent, as in the Go memtierd).
 *
 * Each reported process travels as a `WatchedPid`: its pid together with a
 * pidfd opened when it was first seen (null where pidfd_open is not
 * available or the process was already gone). Listeners compare pidfds, not
 * numbers, so a pid number reused by another process is a new process.
 *
 * @module
 */

/** A process as a pidwatcher reports it. */
export interface WatchedPid {
  readonly pid: number;
  /** A pidfd held from the moment the pid was first seen, or null. */
  readonly pidfd: number | null;
  /** Start time (clock ticks since boot, /proc/PID/stat field 22): tells a reused pid apart. */
  readonly startTicks: number;
}

/** Receives what a pidwatcher found. */
export interface PidListener {
  addPids(pids: readonly WatchedPid[]): void;
  removePids(pids: readonly WatchedPid[]): void;
}

/** A source of processes. */
export interface PidWatcher {
  /** Where AddPids/RemovePids go (a policy's tracker, or the prompt's log). */
  setPidListener(listener: PidListener): void;
  /** One scan now: reports new and gone pids to the listener. */
  poll(): void | Promise<void>;
  /** Starts polling (at the watcher's interval); reports at once. */
  start(): void | Promise<void>;
  /** Whether it polls in the background (started, not stopped). */
  readonly running: boolean;
  /** Stops polling; resolves when the loop has ended. */
  stop(): Promise<void>;
  /** Text for `pidwatcher -dump ARGS`. */
  dump(args: readonly string[]): string;
  /** The effective config as JSON (defaults filled in), for `-config-dump`. */
  configJson(): string;
  /** The processes reported and not removed since, by pid (read by metrics). */
  watchedPids?(): readonly WatchedPid[];
}
