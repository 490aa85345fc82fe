/**
 * memtierd's entry point: the only module that reads Deno.args, builds the
 * real environment (live /proc and /sys, libc system calls, the clock, the
 * terminal) and calls Deno.exit.
 *
 * `--help` and `--version` are answered from the few modules imported here;
 * the rest of memtierd is imported only when the command line needs it: in
 * the single-file build that skips running the top level of most of the
 * program for them.
 *
 * @module
 */
import type { CliEnv } from "./cli/mod.ts";
import { plainAnswer } from "./cli/help.ts";
import { OutputError } from "./errors.ts";
import type { DaemonSignals } from "./cli/command_mode.ts";
import { releaseStartSignals } from "./ffi/signal_mask.ts";
import { errorText } from "./common/error_text.ts";
import { exitCodeFor } from "./common/exit_codes.ts";
import { VERSION } from "./version.ts";

const encoder = new TextEncoder();

/**
 * Whether descriptor 1 was closed when memtierd started (`>&-`). The runtime
 * then puts /dev/null there, opened read-write, so writes would vanish and
 * memtierd would exit 0 as if it had printed; a shell's `>/dev/null` opens
 * it write-only. (`1<>/dev/null` looks the same and is taken as closed.)
 */
function stdoutWasClosed(fdinfo: string, target: string): boolean {
  const flags = /^flags:\s*([0-7]+)$/m.exec(fdinfo);
  return target === "/dev/null" && flags !== null && (parseInt(flags[1]!, 8) & 3) === 2;
}

/** The errno in a Deno I/O error ("No space left on device (os error 28)"), if any. */
function osErrno(e: unknown): number | undefined {
  const m = e instanceof Error ? /\(os error (\d+)\)/.exec(e.message) : null;
  return m ? Number(m[1]) : undefined;
}

/**
 * A writer of standard output that turns a failed write into `OutputError`
 * (exit 1 with one line on stderr): a full device, a closed descriptor, a
 * reader that went away (`| head`: a report cut short is not success).
 */
function stdoutWriter(): (text: string) => void {
  let checked = false;
  return (text) => {
    if (!checked) {
      checked = true;
      let closed = false;
      try {
        closed = stdoutWasClosed(
          Deno.readTextFileSync("/proc/self/fdinfo/1"),
          Deno.readLinkSync("/proc/self/fd/1"),
        );
      } catch {
        // No /proc: nothing to tell.
      }
      if (closed) throw new OutputError(9, "it is closed", "EBADF");
    }
    const bytes = encoder.encode(text);
    try {
      for (let off = 0; off < bytes.length;) off += Deno.stdout.writeSync(bytes.subarray(off));
    } catch (e) {
      if (e instanceof Deno.errors.BrokenPipe) throw new OutputError(32, "broken pipe", "EPIPE");
      const errno = osErrno(e);
      if (errno === 28) throw new OutputError(28, "no space left on device", "ENOSPC");
      if (errno === 9 || e instanceof Deno.errors.BadResource) {
        throw new OutputError(9, "it is closed", "EBADF");
      }
      throw new OutputError(errno ?? 5, errorText(e), "EIO");
    }
  };
}

/** A writer of standard error; if that fails too there is nowhere left to say so. */
function stderrWriter(): (text: string) => void {
  return (text) => {
    const bytes = encoder.encode(text);
    try {
      for (let off = 0; off < bytes.length;) off += Deno.stderr.writeSync(bytes.subarray(off));
    } catch {
      // Nothing to do: the exit code still tells.
    }
  };
}

/**
 * SIGTERM and SIGINT stop command mode, SIGHUP reloads the daemon's config;
 * without a config (-prompt, -c, -f) SIGHUP stops it too, as a hangup.
 * Signals the launcher held during the start come in once the handlers
 * are in place.
 */
function daemonSignals(): DaemonSignals {
  const abort = new AbortController();
  const reloads: (() => void)[] = [];
  const stop = () => abort.abort();
  const hup = () => reloads.length > 0 ? reloads.forEach((reload) => reload()) : stop();
  Deno.addSignalListener("SIGTERM", stop);
  Deno.addSignalListener("SIGINT", stop);
  Deno.addSignalListener("SIGHUP", hup);
  releaseStartSignals();
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

/**
 * Prints a plain `--help` or `--version` answer as runCli would: a failed
 * write is one line on stderr and its exit code.
 */
function printAnswer(text: string, out: (text: string) => void, err: (text: string) => void) {
  releaseStartSignals();
  try {
    out(text);
    return 0;
  } catch (e) {
    err(`memtierd: ${errorText(e)}\n`);
    return exitCodeFor(e);
  }
}

/** The real environment; its modules are imported only now. */
async function realEnv(
  out: (text: string) => void,
  stderr: (text: string) => void,
): Promise<CliEnv> {
  const [
    { readTextFileBounded },
    { MAX_INPUT_FILE_BYTES },
    { libcSyscalls },
    { realShell, streamLineSource, terminalLineSource },
    { realClock },
    { openLogFile },
    { ProcFs },
    { SysFs },
  ] = await Promise.all([
    import("./common/bounded_read.ts"),
    import("./common/limits.ts"),
    import("./ffi/mod.ts"),
    import("./prompt/mod.ts"),
    import("./time/clock.ts"),
    import("./log/log_file.ts"),
    import("./procfs/mod.ts"),
    import("./sysfs/mod.ts"),
  ]);
  return {
    program: "memtierd",
    procfs: new ProcFs(),
    sysfs: new SysFs(),
    syscalls: libcSyscalls,
    now: () => performance.now(),
    out,
    err: stderr,
    progress: Deno.stderr.isTerminal(),
    debug: Deno.env.get("MEMTIERD_DEBUG") === "1",
    clock: realClock,
    stdinLines: () =>
      Deno.stdin.isTerminal()
        ? terminalLineSource()
        : Promise.resolve(streamLineSource(Deno.stdin.readable, out)),
    readTextFile: (path, signal) => readTextFileBounded(path, MAX_INPUT_FILE_BYTES, signal),
    openLogFile: (path) =>
      openLogFile(path, `INFO: memtierd ${VERSION} started (pid ${Deno.pid})\n`, stderr),
    runShell: realShell,
    daemonSignals,
    defaultSignals: releaseStartSignals,
  };
}

/** Runs memtierd with the process's arguments and exits with its code. */
export async function runMain(): Promise<void> {
  const out = stdoutWriter();
  const stderr = stderrWriter();
  const answer = plainAnswer(Deno.args, "memtierd");
  if (answer !== undefined) Deno.exit(printAnswer(answer, out, stderr));
  const [{ runCli }, env] = await Promise.all([import("./cli/run.ts"), realEnv(out, stderr)]);
  Deno.exit(await runCli(Deno.args, env));
}

if (import.meta.main) await runMain();
