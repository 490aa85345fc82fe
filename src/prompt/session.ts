/**
 * The state a prompt's commands share: the selected address ranges and
 * pages, the components (mover, and the policy, tracker, pidwatcher and
 * routines the daemon's commands create), statistics, stopwatches, and the
 * readers, system calls and clock they act through.
 *
 * @module
 */
import type { Syscalls } from "../ffi/syscalls.ts";
import type { ComponentDeps } from "../lifecycle/deps.ts";
import type { Logger } from "../log/logger.ts";
import type { AddrRange } from "../memory/addr_range.ts";
import type { PageList } from "../memory/page_list.ts";
import { Mover } from "../mover/mover.ts";
import type { HeatRecorder } from "../pictures/heat_recorder.ts";
import type { NodePagesRecorder } from "../pictures/recorder.ts";
import type { PidListener, PidWatcher, WatchedPid } from "../pidwatchers/pidwatcher.ts";
import type { Policy } from "../policies/policy.ts";
import type { ProcFs } from "../procfs/proc_fs.ts";
import type { Stats } from "../stats/stats.ts";
import type { SysFs } from "../sysfs/sys_fs.ts";
import type { Clock } from "../time/clock.ts";
import type { ExecResult, Routine } from "../routines/routine.ts";
import type { Tracker } from "../trackers/tracker.ts";
import { errorText } from "../common/error_text.ts";

/** The result of a shell command run for a pipe. */
export interface ShellResult {
  /** Standard output and error, in that order. */
  output: string;
  code: number;
}

/** Runs `sh -c command` with `input` on its standard input. */
export type ShellRunner = (command: string, input: string) => Promise<ShellResult>;

/** What a session acts through. */
export interface SessionOptions {
  procfs: ProcFs;
  sysfs: SysFs;
  syscalls: () => Syscalls;
  clock: Clock;
  logger: Logger;
  stats: Stats;
  runShell: ShellRunner;
  /** The mover to share (the daemon's), instead of a new one. */
  mover?: Mover;
  /** How routines run programs (default: for real). */
  exec?: (argv: readonly string[]) => Promise<ExecResult>;
}

/** Address ranges of one process. */
export interface SelectedRanges {
  pid: number;
  ranges: AddrRange[];
}

/**
 * A component the prompt holds: created by name, configured (maybe later,
 * as the Go prompt allows `-create` then `-config`), and maybe running.
 */
export interface ComponentSlot<T> {
  /** The registry name (empty for one adopted from the policy). */
  readonly name: string;
  /** The parsed config, or undefined while none was given and the defaults do not do. */
  config: unknown;
  instance: T | null;
  /** Started by the prompt (`-start`), or by the daemon for its config's components. */
  running: boolean;
  /** The policy's own, adopted as the Go prompt does: its config is the policy's. */
  readonly adopted?: boolean;
}

/** The tracker's slot: a tracker is made at `-create` (with the defaults). */
export interface TrackerSlot extends ComponentSlot<Tracker> {
  instance: Tracker;
  /** The processes given to it, given again to the tracker a new config makes. */
  readonly pids: Map<number, WatchedPid>;
}

/** The pidwatcher's slot, with the listener its watchers report to. */
export interface PidWatcherSlot extends ComponentSlot<PidWatcher> {
  listener?: PidListener;
}

/**
 * The components a session runs, by name: one slot each, filled by the
 * prompt commands that create them (`policy -create` may also put its own
 * mover, tracker and pidwatcher here, as the Go memtierd's prompt adopts
 * them). `close()` stops them all.
 */
export interface SessionComponents {
  /** The mover `mover` and `swap -mover` queue on: the prompt's, or the policy's once adopted. */
  mover: Mover;
  /** The policy of `policy -create` or -config. */
  policy: ComponentSlot<Policy> | undefined;
  /** The tracker and pidwatcher commands act on (adopted from the policy, or created). */
  tracker: TrackerSlot | undefined;
  pidWatcher: PidWatcherSlot | undefined;
  /** Routines of `routines -create` or -config, in creation order, and the one commands go to. */
  routines: ComponentSlot<Routine>[];
  routineInUse: number;
}

/** The shared state of a prompt. */
export class Session {
  readonly opts: SessionOptions;
  readonly components: SessionComponents;
  aranges: SelectedRanges | undefined;
  pages: PageList | undefined;
  /** Stopwatch name -> start, in Unix seconds. */
  readonly stopwatches = new Map<string, number>();
  /**
   * What `picture -record` and `picture -heat -record` record, beside the
   * components: stopped by `picture -stop`, and first by close().
   */
  readonly recorders: { nodePages?: NodePagesRecorder; heat?: HeatRecorder } = {};
  /** Set by `log -f`: the message of a fatal error; memtierd exits. */
  fatal: string | undefined;

  constructor(opts: SessionOptions) {
    this.opts = opts;
    this.components = {
      mover: opts.mover ?? new Mover({
        syscalls: opts.syscalls,
        clock: opts.clock,
        stats: opts.stats,
        logger: opts.logger,
      }),
      policy: undefined,
      tracker: undefined,
      pidWatcher: undefined,
      routines: [],
      routineInUse: 0,
    };
  }

  /** What a component gets when the prompt creates it (the prompt's mover, as adopted). */
  componentDeps(): ComponentDeps {
    const o = this.opts;
    return {
      clock: o.clock,
      procfs: o.procfs,
      sysfs: o.sysfs,
      syscalls: o.syscalls,
      logger: o.logger,
      stats: o.stats,
      mover: this.components.mover,
    };
  }

  get logger(): Logger {
    return this.opts.logger;
  }

  get stats(): Stats {
    return this.opts.stats;
  }

  /**
   * Stops the recorders, then every component, those that feed others
   * first: routines, the policy, the pidwatcher, the tracker, then the
   * mover. One that fails to stop is logged and the rest are still stopped.
   */
  async close(): Promise<void> {
    await this.recorders.nodePages?.stop();
    await this.recorders.heat?.stop();
    const { routines, policy, pidWatcher, tracker, mover } = this.components;
    const running = <T>(slot: ComponentSlot<T> | undefined): T | null =>
      slot?.running ? slot.instance : null;
    const stops: [string, { stop(): Promise<void> } | null][] = [
      ...routines.map((r, i): [string, Routine | null] => [`routine ${i}`, running(r)]),
      ["policy", running(policy)],
      ["pidwatcher", pidWatcher?.instance ?? null],
      ["tracker", tracker?.instance ?? null],
      ["mover", mover],
    ];
    for (const [name, c] of stops) {
      try {
        await c?.stop();
      } catch (e) {
        this.logger.error(`Cannot stop ${name}: ${errorText(e)}`);
      }
    }
  }
}

/** The prompt takes the policy's mover, tracker and pidwatcher, where it has them. */
export function adoptPolicy(session: Session, policy: Policy): void {
  const c = session.components;
  const mover = policy.mover();
  if (mover) c.mover = mover;
  const adopted = { name: "", config: undefined, running: false, adopted: true };
  const tracker = policy.tracker();
  if (tracker) c.tracker = { ...adopted, instance: tracker, pids: new Map() };
  const watcher = policy.pidWatcher();
  // `pidwatcher -dump`, -poll, -start and -stop act on it too.
  if (watcher) c.pidWatcher = { ...adopted, instance: watcher };
  else if (c.pidWatcher?.adopted) c.pidWatcher = undefined;
}

/** Runs a shell command for real. */
export const realShell: ShellRunner = async (command, input) => {
  const child = new Deno.Command("sh", {
    args: ["-c", command],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  try {
    await writer.write(new TextEncoder().encode(input));
    await writer.close();
  } catch {
    // The command did not read all of its input (`| head -1`): not an error.
  }
  const out = await child.output();
  const dec = new TextDecoder();
  return { output: dec.decode(out.stdout) + dec.decode(out.stderr), code: out.code };
};
