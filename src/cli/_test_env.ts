/**
 * A `CliEnv` over a fake system for tests, with captured output.
 *
 * @module
 */
import type { Syscalls } from "../ffi/syscalls.ts";
import { listLineSource } from "../prompt/interact.ts";
import type { FakeSystem } from "../testing/fake_system.ts";
import { FakeClock } from "../time/clock.ts";
import type { CliEnv } from "./run.ts";

export { listLineSource };

/** A CliEnv whose output is collected, with a fake clock and stdin lines from `stdin`. */
export function testEnv(
  sys: FakeSystem,
  syscalls: Syscalls = sys.kernel,
  stdin: readonly string[] = [],
): CliEnv & { stdout: () => string; stderr: () => string; clock: FakeClock } {
  let out = "";
  let err = "";
  const clock = new FakeClock();
  const write = (s: string) => (out += s);
  return {
    program: "memtierd",
    procfs: sys.procfs,
    sysfs: sys.sysfs,
    syscalls: () => syscalls,
    now: () => clock.now(),
    out: write,
    err: (s) => (err += s),
    progress: false,
    debug: false,
    clock,
    stdinLines: () => Promise.resolve(listLineSource(stdin, write)),
    readTextFile: (path) => Deno.readTextFileSync(path),
    openLogFile: (path) => (text) => Deno.writeTextFileSync(path, text, { append: true }),
    runShell: (command, input) =>
      Promise.resolve({
        output: `sh -c ${JSON.stringify(command)} <<< ${input.length} bytes\n`,
        code: 0,
      }),
    stdout: () => out,
    stderr: () => err,
  };
}
