/**
 * Test helpers: a fake kernel with one process (pid 500: a 16-page heap and
 * 1024 anonymous pages at BASE), the ComponentDeps over its fixture
 * folders, and a WatchedPid for a fake process.
 *
 * @module
 */
import type { ComponentDeps } from "../lifecycle/deps.ts";
import { Logger } from "../log/logger.ts";
import { Mover } from "../mover/mover.ts";
import type { WatchedPid } from "../pidwatchers/pidwatcher.ts";
import { Stats } from "../stats/stats.ts";
import { FakeKernel } from "../testing/fake_kernel.ts";
import { type FakeSystem, fakeSystem } from "../testing/fake_system.ts";
import { type Clock, FakeClock } from "../time/clock.ts";

export const PID = 500;
export const BASE = 0x10000000;
export const HEAP = BASE - 0x100000;
export const PAGE = 4096;

export interface TrackerFixture extends Disposable {
  sys: FakeSystem;
  deps: ComponentDeps;
  clock: FakeClock;
  stats: Stats;
  log: () => string;
  watched(pid?: number): WatchedPid;
}

/**
 * The ComponentDeps over a fake system: its procfs, sysfs and syscalls, a
 * Stats and a mover on `clock`, and a logger whose text `log()` returns.
 */
export function fakeComponentDeps<C extends Clock>(
  sys: FakeSystem,
  clock: C,
): { deps: ComponentDeps & { clock: C }; stats: Stats; log: () => string } {
  const stats = new Stats(clock);
  let text = "";
  const logger = new Logger((t) => text += t, { debug: false });
  const syscalls = () => sys.syscalls;
  const deps = {
    clock,
    procfs: sys.procfs,
    sysfs: sys.sysfs,
    syscalls,
    logger,
    stats,
    mover: new Mover({ syscalls, clock, stats, logger }),
  };
  return { deps, stats, log: () => text };
}

/** pid 500 with a heap and BASE..BASE+1024 pages, all present on node 0. */
export function trackerFixture(pageFrames = false): TrackerFixture {
  const k = new FakeKernel().addNode(0, 100000, [0]);
  k.pageFrames = pageFrames;
  k.addProcess(PID, "meme", [
    { startAddr: HEAP, pages: 16, kind: "heap" },
    { startAddr: BASE, pages: 1024, kind: "anon" },
  ]);
  k.populate(PID, 0, 0, 16);
  k.populate(PID, 1, 0, 1024);
  const sys = fakeSystem(k);
  const clock = new FakeClock();
  const { deps, stats, log } = fakeComponentDeps(sys, clock);
  return {
    sys,
    deps,
    clock,
    stats,
    log,
    watched: (pid = PID) => ({ pid, pidfd: null, startTicks: k.processes.get(pid)!.startTicks }),
    [Symbol.dispose]: () => sys[Symbol.dispose](),
  };
}
