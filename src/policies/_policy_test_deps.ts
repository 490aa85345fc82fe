/**
 * Test helpers of the age and ratio policies: a tracker whose counters the
 * test scripts, as a ComponentSpec a policy config can hold, and a
 * pidwatcher spec over the real `pidlist`.
 *
 * @module
 */
import type { ComponentSpec } from "../lifecycle/components.ts";
import type { AddrRange } from "../memory/addr_range.ts";
import { pidWatcherRegistry } from "../pidwatchers/mod.ts";
import type { PidWatcher, WatchedPid } from "../pidwatchers/pidwatcher.ts";
import type { Tracker, TrackerCounter } from "../trackers/tracker.ts";
import { BASE, PAGE, PID } from "../trackers/_test_deps.ts";

/** A tracker that reports what the test set in `counters`, and records the pids it is given. */
export class ScriptedTracker implements Tracker {
  counters: TrackerCounter[] = [];
  pids: number[] = [];
  started = false;
  addPids(pids: readonly WatchedPid[]): void {
    this.pids.push(...pids.map((p) => p.pid));
  }
  removePids(pids: readonly WatchedPid[]): void {
    this.pids = this.pids.filter((p) => !pids.some((w) => w.pid === p));
  }
  start(): void {
    this.started = true;
  }
  stop(): Promise<void> {
    this.started = false;
    return Promise.resolve();
  }
  resetCounters(): void {
    this.counters = [];
  }
  getCounters(): TrackerCounter[] {
    return this.counters.map((c) => ({ ...c }));
  }
  dump(): string {
    return "";
  }
  configJson(): string {
    return "{}";
  }
}

/** The spec of a scripted tracker. */
export function scriptedSpec(t: ScriptedTracker): ComponentSpec<Tracker> {
  return {
    name: "scripted",
    config: {},
    factory: { description: "scripted", parse: () => ({}), create: () => t },
  };
}

/** The spec of a `pidlist` pidwatcher of `pids`. */
export function pidlistSpec(pids: number[] = [PID]): ComponentSpec<PidWatcher> {
  const factory = pidWatcherRegistry.get("pidlist")!;
  return { name: "pidlist", factory, config: factory.parse({ Pids: pids }, "pidwatcher pidlist") };
}

/** Page `from` to page `to` (of the fixture's 1024-page range at BASE). */
export function pagesAt(from: number, to: number): AddrRange {
  return { startAddr: BASE + from * PAGE, endAddr: BASE + to * PAGE };
}

/** A counter of `pid` over `range`. */
export function counter(range: AddrRange, accesses: number, writes = 0, pid = PID): TrackerCounter {
  return { pid, range, accesses, reads: 0, writes };
}
