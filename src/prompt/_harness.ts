/**
 * A prompt over a fake system, for tests: collected output, a fake clock,
 * a fake shell, and a kernel with one process of 1024 pages on node 0.
 *
 * @module
 */
import { Logger } from "../log/logger.ts";
import { Stats } from "../stats/stats.ts";
import { FakeKernel } from "../testing/fake_kernel.ts";
import { type FakeSystem, fakeSystem } from "../testing/fake_system.ts";
import { FakeClock } from "../time/clock.ts";
import { builtinCommands } from "./commands/mod.ts";
import { Prompt } from "./prompt.ts";
import { Session } from "./session.ts";

export const BASE = 0x10000000;
export const PID = 500;

/** Four nodes (2 and 3 without CPUs) and pid 500 with 1024 anon pages on node 0. */
export function fourNodeKernel(pages = 1024): FakeKernel {
  const k = new FakeKernel().addNode(0, 100000, [0]).addNode(1, 100000, [1]).addNode(2, 50000)
    .addNode(3, 50000);
  k.addProcess(PID, "meme", [
    { startAddr: BASE - 0x100000, pages: 16, kind: "heap" },
    { startAddr: BASE, pages, kind: "anon" },
  ]);
  k.populate(PID, 0, 0, 16);
  k.populate(PID, 1, 0, pages);
  return k;
}

export interface Harness extends Disposable {
  sys: FakeSystem;
  kernel: FakeKernel;
  prompt: Prompt;
  session: Session;
  clock: FakeClock;
  /** Runs lines and returns what they printed (output + errors) since the last call. */
  run(...lines: string[]): Promise<string>;
  out(): string;
  err(): string;
  log(): string;
  shellCalls: { command: string; input: string }[];
}

/**
 * With `syncFiles` false the fixture folders are written once and not kept
 * in step with the kernel (fast, for fuzzing, where only robustness counts).
 */
export function harness(kernel = fourNodeKernel(), syncFiles = true): Harness {
  const sys = fakeSystem(kernel);
  const clock = new FakeClock();
  let out = "";
  let err = "";
  let log = "";
  let seen = 0;
  const shellCalls: { command: string; input: string }[] = [];
  const session = new Session({
    procfs: sys.procfs,
    sysfs: sys.sysfs,
    syscalls: () => (syncFiles ? sys.syscalls : kernel),
    clock,
    logger: new Logger((t) => (log += t), { debug: true }),
    stats: new Stats(clock),
    runShell: (command, input) => {
      shellCalls.push({ command, input });
      return Promise.resolve({
        output: `shell(${command.trim()}) got ${input.length} bytes\n`,
        code: 0,
      });
    },
  });
  const prompt = new Prompt(session, {
    out: (t) => (out += t),
    err: (t) => {
      err += t;
      out += t;
    },
  }, builtinCommands());
  return {
    sys,
    kernel,
    prompt,
    session,
    clock,
    shellCalls,
    async run(...lines) {
      for (const l of lines) await prompt.runLine(l);
      const text = out.slice(seen);
      seen = out.length;
      return text;
    },
    out: () => out,
    err: () => err,
    log: () => log,
    [Symbol.dispose]() {
      sys[Symbol.dispose]();
    },
  };
}
