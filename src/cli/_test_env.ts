/**
 * A `CliEnv` over a fake system for tests, with captured output.
 *
 * @module
 */
import type { Syscalls } from "../ffi/syscalls.ts";
import type { FakeSystem } from "../testing/fake_system.ts";
import type { CliEnv } from "./run.ts";

/** A CliEnv whose output is collected in `out` and `err`. */
export function testEnv(
  sys: FakeSystem,
  syscalls: Syscalls = sys.kernel,
): CliEnv & { stdout: () => string; stderr: () => string } {
  let out = "";
  let err = "";
  let t = 0;
  return {
    program: "memtierd",
    procfs: sys.procfs,
    sysfs: sys.sysfs,
    syscalls: () => syscalls,
    now: () => (t += 5),
    out: (s) => (out += s),
    err: (s) => (err += s),
    progress: false,
    debug: false,
    stdout: () => out,
    stderr: () => err,
  };
}
