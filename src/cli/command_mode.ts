/**
 * Command mode: `-config`, `-c`, `-f` and `-prompt`, run in the Go
 * memtierd's order (the config's policy and routines started, then -c,
 * then -f, then stdin), on one session whose mover keeps running between
 * lines. With -config and without -prompt, memtierd stays up as a daemon
 * until the stop signal (SIGTERM, SIGINT), and reloads the config on
 * SIGHUP; main.ts turns signals into `DaemonSignals`. The stop signal also
 * ends -c, -f and the prompt, after which every component the session
 * holds is stopped (kdamonds off, their contexts removed).
 *
 * The prompt's commands and the metrics endpoint are imported only when
 * used (-c, -f, -prompt, a routine running a command; -metrics): a daemon
 * whose config needs neither does not compile them (issue 18: memory per
 * daemon; the policies, trackers, pidwatchers and routines load the same
 * way, see lifecycle/lazy.ts).
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import { FileWriteError } from "../common/safe_write.ts";
import { ReadStoppedError } from "../common/bounded_read.ts";
import { Logger } from "../log/logger.ts";
import { Daemon } from "../daemon/daemon.ts";
import type { Policy } from "../policies/policy.ts";
import { realExec } from "../routines/exec.ts";
import type { ExecResult, PromptRunner, Routine } from "../routines/routine.ts";
import type { PromptCommand } from "../prompt/command.ts";
import { interact, type LineSource } from "../prompt/interact.ts";
import { Prompt, type PromptOutput } from "../prompt/prompt.ts";
import {
  adoptPolicy,
  type ComponentSlot,
  Session,
  type SessionOptions,
  type ShellRunner,
} from "../prompt/session.ts";
import { Stats } from "../stats/stats.ts";
import type { MetricsAddress, MetricsServer } from "../metrics/server.ts";
import type { Mover } from "../mover/mover.ts";
import type { Clock } from "../time/clock.ts";
import { ExitCode } from "../common/exit_codes.ts";
import type { OneShotEnv } from "./oneshot.ts";
import { errorText } from "../common/error_text.ts";

/** What command mode reads and writes through, beyond the one-shot environment. */
export interface CommandModeEnv extends OneShotEnv {
  clock: Clock;
  /** Lines of standard input (a terminal gets line editing). */
  stdinLines: () => Promise<LineSource>;
  /**
   * Reads a -config or -f file (main.ts: at most MAX_INPUT_FILE_BYTES);
   * gives up with ReadStoppedError when `signal` aborts.
   */
  readTextFile: (path: string, signal?: AbortSignal) => string | Promise<string>;
  /**
   * A writer appending to a log file (created if missing); throws
   * `FileWriteError` when it cannot be written at all.
   */
  openLogFile: (path: string) => (text: string) => void;
  runShell: ShellRunner;
  /** Installs the stop and reload signal handlers (main.ts: SIGTERM, SIGINT, SIGHUP). */
  daemonSignals?: () => DaemonSignals;
  /** How routines run programs (default: for real). */
  exec?: (argv: readonly string[]) => Promise<ExecResult>;
}

/** What stops and reloads the daemon. */
export interface DaemonSignals {
  /** Aborts on SIGTERM or SIGINT, and on SIGHUP when nothing reloads. */
  stop: AbortSignal;
  /** Calls `reload` on each SIGHUP. */
  onReload(reload: () => void): void;
  /** Removes the handlers. */
  close(): void;
}

/** The command-mode flags. */
export interface CommandModeArgs {
  prompt: boolean;
  c?: string | undefined;
  f?: string | undefined;
  config?: string | undefined;
  l?: string | undefined;
  echo: boolean;
  debug: boolean;
  /** Where to serve /metrics, if anywhere. */
  metrics?: MetricsAddress | undefined;
}

function logDestination(env: CommandModeEnv, l: string | undefined): (text: string) => void {
  if (l === undefined || l === "" || l === "stderr") return env.err;
  if (l === "-" || l === "stdout") return env.out;
  try {
    return env.openLogFile(l);
  } catch (e) {
    // One that cannot be written (a full disk, /dev/full, a folder that
    // does not exist) is a failure, exit 1.
    if (e instanceof FileWriteError) throw e;
    throw new UsageError(
      `Cannot open log file -l ${JSON.stringify(l)}: ${errorText(e)}`,
    );
  }
}

/** Runs command mode; resolves to the exit code. */
export async function runCommandMode(env: CommandModeEnv, args: CommandModeArgs): Promise<number> {
  const logger = new Logger(logDestination(env, args.l), { debug: args.debug });
  // The stop signal ends -c, -f and the prompt too, so that what they
  // started (a damon tracker's kdamonds above all) is stopped and put back;
  // it also ends a read of -f or -config that blocks (a FIFO).
  const signals = env.daemonSignals?.();
  try {
    return await runWithSignals(env, args, logger, signals);
  } catch (e) {
    if (e instanceof ReadStoppedError) return ExitCode.OK;
    throw e;
  } finally {
    signals?.close();
  }
}

async function runWithSignals(
  env: CommandModeEnv,
  args: CommandModeArgs,
  logger: Logger,
  signals: DaemonSignals | undefined,
): Promise<number> {
  let script: string | undefined;
  if (args.f !== undefined) {
    try {
      script = await env.readTextFile(args.f, signals?.stop);
    } catch (e) {
      if (e instanceof ReadStoppedError) throw e;
      throw new UsageError(
        `Cannot read commands from -f ${JSON.stringify(args.f)}: ${errorText(e)}`,
      );
    }
  }
  const session = new Session({
    procfs: env.procfs,
    sysfs: env.sysfs,
    syscalls: env.syscalls,
    clock: env.clock,
    logger,
    stats: new Stats(env.clock, { alive: (pid) => env.procfs.exists(pid) }),
    runShell: env.runShell,
  });
  const commands = promptCommands();
  let prompt: Prompt | undefined;
  const thePrompt = async () =>
    prompt ??= new Prompt(session, { out: env.out, err: env.err }, await commands());
  const runLines = async (text: string): Promise<boolean> => {
    const prompt = await thePrompt();
    for (const line of text.split("\n")) {
      if (args.echo) prompt.write(`${line}\n`);
      if ((await prompt.runLine(line)).quit) return true;
    }
    return false;
  };
  let daemon: Daemon | undefined;
  let metrics: MetricsServer | undefined;
  try {
    if (args.metrics) {
      const [{ sessionMetricsSource }, { renderExposition }, { collectMetrics }, { serveMetrics }] =
        await Promise.all([
          import("../metrics/session_source.ts"),
          import("../metrics/exposition.ts"),
          import("../metrics/collect.ts"),
          import("../metrics/server.ts"),
        ]);
      const source = sessionMetricsSource(session, env.procfs);
      metrics = serveMetrics(args.metrics, () => renderExposition(collectMetrics(source)), {
        warn: (message) => logger.warn(message),
      });
      logger.info(`metrics: serving ${metrics.url}`);
    }
    if (args.config !== undefined) {
      daemon = startDaemon(env, args.config, session, commands, signals?.stop);
      const d = daemon;
      // Before the start: a SIGHUP held since the launcher's start reloads
      // once the daemon runs, instead of stopping it as a hangup.
      signals?.onReload(() => void d.reload());
      await daemon.start();
    }
    const stopped = signals ? aborted(signals.stop) : new Promise<void>(() => {});
    const untilStopped = (run: Promise<boolean>) => Promise.race([run, stopped.then(() => true)]);
    let quit = args.c !== undefined && await untilStopped(runLines(args.c));
    if (!quit && script !== undefined) quit = await untilStopped(runLines(script));
    if (!quit && args.prompt) {
      const source = await env.stdinLines();
      try {
        await Promise.race([interact(await thePrompt(), source, args.echo), stopped]);
      } finally {
        source.close();
      }
    } else if (!quit && daemon && signals) {
      logger.debug("running the policy and routines");
      await stopped;
    }
  } finally {
    await metrics?.close();
    await daemon?.stop();
    await session.close();
  }
  if (session.fatal !== undefined) return ExitCode.FAILURE;
  // A mover task that failed after its command returned (nobody waited
  // for it) still fails the session.
  return (prompt?.firstErrorCode ?? 0) ||
    (session.opts.stats.firstDropExitCode() ?? ExitCode.OK);
}

/** The prompt's commands, imported on the first call. */
function promptCommands(): () => Promise<readonly PromptCommand[]> {
  let commands: Promise<readonly PromptCommand[]> | undefined;
  return () => commands ??= import("../prompt/commands/mod.ts").then((m) => m.builtinCommands());
}

/**
 * The routines' prompt runner (`freshPromptRunner`), imported with the
 * commands when a routine first runs one.
 */
function lazyPromptRunner(
  opts: SessionOptions,
  commands: () => Promise<readonly PromptCommand[]>,
  io: PromptOutput,
  mover: Mover,
): PromptRunner {
  let runner: Promise<PromptRunner> | undefined;
  const load = () =>
    runner ??= Promise.all([import("../prompt/commands/routines.ts"), commands()]).then(
      ([{ freshPromptRunner }, list]) => freshPromptRunner(opts, list, io, mover),
    );
  return {
    runLine: async (line, policy) => (await load()).runLine(line, policy),
    runArgs: async (args, policy) => (await load()).runArgs(args, policy),
  };
}

function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener("abort", () => resolve(), { once: true });
  });
}

/**
 * A daemon for the -config file whose components share the session's
 * statistics, log and mover, and whose policy and routines the prompt
 * adopts (and swaps on reload, keeping routines created at the prompt).
 */
function startDaemon(
  env: CommandModeEnv,
  file: string,
  session: Session,
  commands: () => Promise<readonly PromptCommand[]>,
  stop: AbortSignal | undefined,
): Daemon {
  let fromConfig = new Set<ComponentSlot<Routine>>();
  return new Daemon({
    file,
    readTextFile: env.readTextFile,
    ...(stop ? { stop } : {}),
    deps: {
      ...session.componentDeps(),
      prompt: lazyPromptRunner(
        session.opts,
        commands,
        { out: env.out, err: env.err },
        session.components.mover,
      ),
      exec: env.exec ?? realExec,
      out: env.out,
    },
    onStarted(tree) {
      const policy: ComponentSlot<Policy> | undefined = tree.policy
        ? { ...tree.policy, running: true }
        : undefined;
      session.components.policy = policy;
      if (tree.policy) adoptPolicy(session, tree.policy.instance);
      const slots = tree.routines.map((r) => ({ ...r, running: true }));
      session.components.routines = [
        ...slots,
        ...session.components.routines.filter((r) => !fromConfig.has(r)),
      ];
      session.components.routineInUse = 0;
      fromConfig = new Set(slots);
    },
  });
}
