/**
 * Test helpers: ComponentDeps over a /proc folder and a fake kernel, a
 * listener that records what it is told, and a cgroup tree to edit.
 *
 * @module
 */
import type { ComponentDeps } from "../lifecycle/deps.ts";
import { Logger } from "../log/logger.ts";
import { Mover } from "../mover/mover.ts";
import { ProcFs } from "../procfs/proc_fs.ts";
import { Stats } from "../stats/stats.ts";
import { SysFs } from "../sysfs/sys_fs.ts";
import type { FakeKernel } from "../testing/fake_kernel.ts";
import type { Clock } from "../time/clock.ts";
import type { PidListener, WatchedPid } from "./pidwatcher.ts";

/** The fixture host (see tests/fixtures/pidwatch/README.md). */
export const FIXTURE = new URL("../../tests/fixtures/pidwatch", import.meta.url).pathname;

/**
 * A clock whose sleeps end only when the test moves time past them
 * (`await clock.advance(1000)`), so a started loop runs exactly the rounds
 * the test lets it.
 */
export class StepClock implements Clock {
  #now = 0;
  #waiters: { at: number; resolve: () => void }[] = [];

  now(): number {
    return this.#now;
  }

  wallMs(): number {
    return 1_700_000_000_000 + this.#now;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const w = { at: this.#now + Math.max(0, ms), resolve };
      this.#waiters.push(w);
      signal?.addEventListener("abort", () => {
        this.#waiters = this.#waiters.filter((x) => x !== w);
        resolve();
      }, { once: true });
    });
  }

  /** Runs what is due now (and what that starts). */
  settle(): Promise<void> {
    return this.advance(0);
  }

  /** Moves time forward by `ms`, waking each sleeper at its time and letting it run. */
  async advance(ms: number): Promise<void> {
    const end = this.#now + ms;
    await new Promise((r) => setTimeout(r, 0));
    for (;;) {
      const due = this.#waiters.filter((w) => w.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.#waiters = this.#waiters.filter((w) => w !== due);
      this.#now = due.at;
      due.resolve();
      await new Promise((r) => setTimeout(r, 0));
    }
    this.#now = end;
  }
}

/** Deps for a test, with the log lines collected. */
export interface TestDeps {
  deps: ComponentDeps;
  clock: StepClock;
  log: string[];
}

/** Deps reading `procfs` (or the fixture's /proc), the fixture's cgroups, and `kernel`'s calls. */
export function testDeps(
  kernel: FakeKernel,
  procfs: ProcFs = new ProcFs({ root: `${FIXTURE}/proc` }),
  cgroupRoot = FIXTURE,
): TestDeps {
  const clock = new StepClock();
  const log: string[] = [];
  const logger = new Logger((t) => log.push(t.trimEnd()));
  const stats = new Stats(clock);
  return {
    clock,
    log,
    deps: {
      clock,
      procfs,
      sysfs: new SysFs({ root: `${FIXTURE}/sys` }),
      syscalls: () => kernel,
      logger,
      stats,
      mover: new Mover({ syscalls: () => kernel, clock, stats, logger }),
      cgroupRoot,
    },
  };
}

/** A listener that records each call as `add [1 2]` / `remove [3]`, and the objects it got. */
export function recorder(): PidListener & { calls: string[]; last: WatchedPid[] } {
  const calls: string[] = [];
  const r = {
    calls,
    last: [] as WatchedPid[],
    addPids(pids: readonly WatchedPid[]) {
      r.last = [...pids];
      calls.push(`add [${pids.map((p) => p.pid).join(" ")}]`);
    },
    removePids(pids: readonly WatchedPid[]) {
      r.last = [...pids];
      calls.push(`remove [${pids.map((p) => p.pid).join(" ")}]`);
    },
  };
  return r;
}

/** A temporary cgroup tree: `set("app/a", [1, 2])` writes app/a/cgroup.procs. */
export function cgroupTree(): Disposable & {
  root: string;
  set(path: string, pids: number[]): void;
  remove(path: string): void;
} {
  const root = Deno.makeTempDirSync({ prefix: "memtierd-cgroups-" });
  const dir = (path: string) => `${root}/sys/fs/cgroup/${path}`;
  return {
    root,
    set(path, pids) {
      Deno.mkdirSync(dir(path), { recursive: true });
      Deno.writeTextFileSync(`${dir(path)}/cgroup.procs`, pids.map((p) => `${p}\n`).join(""));
    },
    remove(path) {
      Deno.removeSync(dir(path), { recursive: true });
    },
    [Symbol.dispose]() {
      Deno.removeSync(root, { recursive: true });
    },
  };
}

/** A fake kernel process with no memory. */
export function addProcess(kernel: FakeKernel, pid: number, comm = "meme"): void {
  kernel.addProcess(pid, comm, []);
}
