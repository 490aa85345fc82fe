/**
 * Command mode: `-c`, `-f` and `-prompt`, run in the Go memtierd's order
 * (-c, then -f, then stdin), on one session whose mover keeps running
 * between lines.
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import { Logger } from "../log/logger.ts";
import { builtinCommands } from "../prompt/commands/mod.ts";
import { interact, type LineSource } from "../prompt/interact.ts";
import { Prompt } from "../prompt/prompt.ts";
import { Session, type ShellRunner } from "../prompt/session.ts";
import { Stats } from "../stats/stats.ts";
import type { Clock } from "../time/clock.ts";
import { ExitCode } from "../common/exit_codes.ts";
import type { OneShotEnv } from "./oneshot.ts";

/** What command mode reads and writes through, beyond the one-shot environment. */
export interface CommandModeEnv extends OneShotEnv {
  clock: Clock;
  /** Lines of standard input (a terminal gets line editing). */
  stdinLines: () => Promise<LineSource>;
  readTextFile: (path: string) => string;
  /** A writer appending to a log file (created if missing). */
  openLogFile: (path: string) => (text: string) => void;
  runShell: ShellRunner;
}

/** The command-mode flags. */
export interface CommandModeArgs {
  prompt: boolean;
  c?: string | undefined;
  f?: string | undefined;
  l?: string | undefined;
  echo: boolean;
  debug: boolean;
}

function logDestination(env: CommandModeEnv, l: string | undefined): (text: string) => void {
  if (l === undefined || l === "" || l === "stderr") return env.err;
  if (l === "-" || l === "stdout") return env.out;
  try {
    return env.openLogFile(l);
  } catch (e) {
    throw new UsageError(
      `Cannot open log file -l ${JSON.stringify(l)}: ${e instanceof Error ? e.message : e}`,
    );
  }
}

/** Runs command mode; resolves to the exit code. */
export async function runCommandMode(env: CommandModeEnv, args: CommandModeArgs): Promise<number> {
  const logger = new Logger(logDestination(env, args.l), { debug: args.debug });
  let script: string | undefined;
  if (args.f !== undefined) {
    try {
      script = env.readTextFile(args.f);
    } catch (e) {
      throw new UsageError(
        `Cannot read commands from -f ${JSON.stringify(args.f)}: ${
          e instanceof Error ? e.message : e
        }`,
      );
    }
  }
  const session = new Session({
    procfs: env.procfs,
    sysfs: env.sysfs,
    syscalls: env.syscalls,
    clock: env.clock,
    logger,
    stats: new Stats(env.clock),
    runShell: env.runShell,
  });
  const prompt = new Prompt(session, { out: env.out, err: env.err }, builtinCommands());
  const runLines = async (text: string): Promise<boolean> => {
    for (const line of text.split("\n")) {
      if (args.echo) prompt.write(`${line}\n`);
      if ((await prompt.runLine(line)).quit) return true;
    }
    return false;
  };
  try {
    let quit = args.c !== undefined && await runLines(args.c);
    if (!quit && script !== undefined) quit = await runLines(script);
    if (!quit && args.prompt) {
      const source = await env.stdinLines();
      try {
        await interact(prompt, source, args.echo);
      } finally {
        source.close();
      }
    }
  } finally {
    await session.close();
  }
  if (session.fatal !== undefined) return ExitCode.FAILURE;
  // A mover task that failed after its command returned (nobody waited
  // for it) still fails the session.
  return prompt.firstErrorCode || (session.opts.stats.droppedTasks()[0]?.exitCode ?? ExitCode.OK);
}
