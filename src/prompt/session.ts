/**
 * The state a prompt's commands share: the selected address ranges and
 * pages, the mover, statistics, stopwatches, and the readers, system calls
 * and clock they act through.
 *
 * @module
 */
import type { Syscalls } from "../ffi/syscalls.ts";
import type { Logger } from "../log/logger.ts";
import type { AddrRange } from "../memory/addr_range.ts";
import type { PageList } from "../memory/page_list.ts";
import { Mover } from "../mover/mover.ts";
import type { PidListener, PidWatcher } from "../pidwatchers/pidwatcher.ts";
import type { ProcFs } from "../procfs/proc_fs.ts";
import type { Stats } from "../stats/stats.ts";
import type { SysFs } from "../sysfs/sys_fs.ts";
import type { Clock } from "../time/clock.ts";

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
}

/** Address ranges of one process. */
export interface SelectedRanges {
  pid: number;
  ranges: AddrRange[];
}

/** The shared state of a prompt. */
export class Session {
  readonly opts: SessionOptions;
  readonly mover: Mover;
  aranges: SelectedRanges | undefined;
  pages: PageList | undefined;
  /** Stopwatch name -> start, in Unix seconds. */
  readonly stopwatches = new Map<string, number>();
  /** `pidwatcher -create NAME`; `watcher` is made once it has a valid config. */
  pidwatcher: { name: string; watcher?: PidWatcher; listener?: PidListener } | undefined;
  /** Set by `log -f`: the message of a fatal error; memtierd exits. */
  fatal: string | undefined;

  constructor(opts: SessionOptions) {
    this.opts = opts;
    this.mover = new Mover({
      syscalls: opts.syscalls,
      clock: opts.clock,
      stats: opts.stats,
      logger: opts.logger,
    });
  }

  get logger(): Logger {
    return this.opts.logger;
  }

  get stats(): Stats {
    return this.opts.stats;
  }

  /** Stops what runs in the background (the mover). */
  async close(): Promise<void> {
    await this.pidwatcher?.watcher?.stop();
    await this.mover.stop();
  }
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
