/**
 * memtierd's entry point: the only module that reads Deno.args, builds the
 * real environment (live /proc and /sys, libc system calls, the clock, the
 * terminal) and calls Deno.exit.
 *
 * @module
 */
import { type CliEnv, runCli } from "./cli/mod.ts";
import { libcSyscalls } from "./ffi/mod.ts";
import { ProcFs } from "./procfs/mod.ts";
import { SysFs } from "./sysfs/mod.ts";

const encoder = new TextEncoder();

function writer(stream: typeof Deno.stdout | typeof Deno.stderr): (text: string) => void {
  return (text) => {
    const bytes = encoder.encode(text);
    try {
      for (let off = 0; off < bytes.length;) off += stream.writeSync(bytes.subarray(off));
    } catch (e) {
      // A closed pipe (memtierd ... | head) is not an error of ours.
      if (!(e instanceof Deno.errors.BrokenPipe)) throw e;
    }
  };
}

/** Runs memtierd with the process's arguments and exits with its code. */
export function runMain(): void {
  const env: CliEnv = {
    program: "memtierd",
    procfs: new ProcFs(),
    sysfs: new SysFs(),
    syscalls: libcSyscalls,
    now: () => performance.now(),
    out: writer(Deno.stdout),
    err: writer(Deno.stderr),
    progress: Deno.stderr.isTerminal(),
    debug: Deno.env.get("MEMTIERD_DEBUG") === "1",
  };
  Deno.exit(runCli(Deno.args, env));
}

if (import.meta.main) runMain();
