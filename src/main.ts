/**
 * memtierd's entry point: the only module that reads Deno.args, builds the
 * real environment (live /proc and /sys, libc system calls, the clock, the
 * terminal) and calls Deno.exit.
 *
 * @module
 */
import { type CliEnv, runCli } from "./cli/mod.ts";
import type { DaemonSignals } from "./cli/command_mode.ts";
import { libcSyscalls } from "./ffi/mod.ts";
import { realShell, streamLineSource, terminalLineSource } from "./prompt/mod.ts";
import { realClock } from "./time/clock.ts";
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

/** SIGTERM and SIGINT stop the daemon, SIGHUP reloads its config. */
function daemonSignals(): DaemonSignals {
  const abort = new AbortController();
  const reloads: (() => void)[] = [];
  const stop = () => abort.abort();
  const hup = () => reloads.forEach((reload) => reload());
  Deno.addSignalListener("SIGTERM", stop);
  Deno.addSignalListener("SIGINT", stop);
  Deno.addSignalListener("SIGHUP", hup);
  return {
    stop: abort.signal,
    onReload: (reload) => void reloads.push(reload),
    close() {
      Deno.removeSignalListener("SIGTERM", stop);
      Deno.removeSignalListener("SIGINT", stop);
      Deno.removeSignalListener("SIGHUP", hup);
    },
  };
}

/** Runs memtierd with the process's arguments and exits with its code. */
export async function runMain(): Promise<void> {
  const out = writer(Deno.stdout);
  const env: CliEnv = {
    program: "memtierd",
    procfs: new ProcFs(),
    sysfs: new SysFs(),
    syscalls: libcSyscalls,
    now: () => performance.now(),
    out,
    err: writer(Deno.stderr),
    progress: Deno.stderr.isTerminal(),
    debug: Deno.env.get("MEMTIERD_DEBUG") === "1",
    clock: realClock,
    stdinLines: () =>
      Deno.stdin.isTerminal()
        ? terminalLineSource()
        : Promise.resolve(streamLineSource(Deno.stdin.readable, out)),
    readTextFile: (path) => Deno.readTextFileSync(path),
    openLogFile: (path) => {
      const file = Deno.openSync(path, { append: true, create: true, mode: 0o666 });
      return (text) => {
        const bytes = encoder.encode(text);
        for (let off = 0; off < bytes.length;) off += file.writeSync(bytes.subarray(off));
      };
    },
    runShell: realShell,
    daemonSignals,
  };
  Deno.exit(await runCli(Deno.args, env));
}

if (import.meta.main) await runMain();
