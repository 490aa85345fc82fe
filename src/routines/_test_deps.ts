/**
 * RoutineDeps for tests: a fake clock, recorded exec and prompt calls, and
 * collected standard output and log.
 *
 * @module
 */
import { Logger } from "../log/logger.ts";
import { Mover } from "../mover/mover.ts";
import type { Policy } from "../policies/policy.ts";
import { ProcFs } from "../procfs/proc_fs.ts";
import { Stats } from "../stats/stats.ts";
import { SysFs } from "../sysfs/sys_fs.ts";
import { FakeClock } from "../time/clock.ts";
import type { ExecResult, RoutineDeps } from "./routine.ts";

/**
 * A FakeClock whose sleeps end on a later macrotask, so that a test can
 * watch a loop between its rounds instead of the loop running unbounded
 * in microtasks.
 */
export class SteppedClock extends FakeClock {
  override async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, 0));
    if (signal?.aborted) return;
    this.advance(Math.max(0, ms));
  }
}

export interface TestDeps extends RoutineDeps {
  clock: SteppedClock;
  calls: { runner: string; command: string; policy: Policy | null; atMs: number }[];
  output: string[];
  log: string[];
}

/** `exitCode` is what every exec'd program exits with. */
export function testDeps(exitCode = 0): TestDeps {
  const clock = new SteppedClock();
  const calls: TestDeps["calls"] = [];
  const output: string[] = [];
  const log: string[] = [];
  const noSyscalls = () => {
    throw new Error("no system calls in this test");
  };
  return {
    clock,
    calls,
    output,
    log,
    procfs: new ProcFs({ root: "/nonexistent/proc" }),
    sysfs: new SysFs({ root: "/nonexistent/sys" }),
    syscalls: noSyscalls,
    logger: new Logger((t) => log.push(t)),
    stats: new Stats(clock),
    mover: new Mover({ syscalls: noSyscalls, clock }),
    out: (t) => output.push(t),
    exec(argv): Promise<ExecResult> {
      calls.push({ runner: "exec", command: argv.join(" "), policy: null, atMs: clock.now() });
      output.push(`ran ${argv.join(" ")}\n`);
      return Promise.resolve({ code: exitCode, signal: null });
    },
    prompt: {
      runArgs(args, policy) {
        calls.push({ runner: "memtier", command: args.join(" "), policy, atMs: clock.now() });
        output.push(`memtier ${args.join(" ")}\n`);
        return Promise.resolve({ code: 0, error: "" });
      },
      runLine(line, policy) {
        calls.push({ runner: "memtier-prompt", command: line, policy, atMs: clock.now() });
        output.push(`line ${line}\n`);
        return Promise.resolve({ code: 0, error: "" });
      },
    },
  };
}
