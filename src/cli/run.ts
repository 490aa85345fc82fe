/**
 * The command line: parses flags, runs the one-shot status or move, and
 * turns every error into one line on stderr and an exit code.
 *
 * Each mode's modules (one-shot, -tiers, -check, command mode) are
 * imported when the command line picks that mode: the others are neither
 * compiled nor run (issue 18: memory per daemon).
 *
 * @module
 */
import { quoted, shownValue } from "../common/excerpt.ts";
import { UsageError } from "../errors.ts";
import { versionText } from "../version.ts";
import { helpText, ONE_SHOT_FLAGS } from "./help.ts";
import { COUNT_MAX, NODE_MAX, PID_MAX } from "../common/limits.ts";
import { jsonText } from "./format.ts";
import { ExitCode, exitCodeFor } from "../common/exit_codes.ts";
import { boolFlag, intFlag, parseFlags, parseWholeNumber, stringFlag } from "../common/flags.ts";
import type { CommandModeEnv } from "./command_mode.ts";
import type { MoveArgs } from "./oneshot.ts";
import { errorText } from "../common/error_text.ts";

/** Where the command line reads and writes. */
export interface CliEnv extends CommandModeEnv {
  /** The program name for messages. */
  program: string;
  /** Print stack traces of internal errors (MEMTIERD_DEBUG=1). */
  debug: boolean;
  /**
   * Lets SIGTERM, SIGINT and SIGHUP act by default from now on (main.ts:
   * the single-file launcher holds them while it starts); outside command
   * mode, which installs handlers instead.
   */
  defaultSignals?: () => void;
}

async function runOneShot(
  env: CliEnv,
  values: ReadonlyMap<string, string | boolean>,
): Promise<number> {
  const pidText = String(values.get("pid"));
  const pid = parseWholeNumber("--pid", pidText, 1, PID_MAX, "a process id");
  const output = values.get("output") ?? "text";
  if (output !== "text" && output !== "json") {
    throw new UsageError(`Invalid --output ${shownValue(output)}: expected text or json`);
  }
  const toNode = intFlag(values, "move-to", 0, NODE_MAX, "a node id", "--");
  const fromNode = intFlag(values, "move-from", 0, NODE_MAX, "a node id", "--");
  const countPages = intFlag(values, "count", 1, COUNT_MAX, "a number of pages", "--");
  const batchPages = intFlag(values, "batch-pages", 1, 65536, "a number of pages", "--");
  const json = output === "json";
  const exact = boolFlag(values, "exact");
  const {
    inspectProcess,
    moveExitCode,
    moveJson,
    renderMove,
    renderStatus,
    runMove,
    statusJson,
  } = await import("./oneshot.ts");
  if (toNode === undefined) {
    for (const f of ["move-from", "count", "batch-pages"]) {
      if (values.has(f)) {
        throw new UsageError(`Flag --${f} needs --move-to: say where to move pages`);
      }
    }
    const status = inspectProcess(env, pid, exact);
    env.out(json ? jsonText(statusJson(status)) : renderStatus(status));
    return ExitCode.OK;
  }
  if (fromNode === toNode) {
    throw new UsageError(
      `Invalid --move-from ${fromNode}: it is the same node as --move-to (pick two different nodes)`,
    );
  }
  const args: MoveArgs = { pid, toNode, fromNode, countPages, batchPages, exact };
  const report = runMove(env, args);
  env.out(json ? jsonText(moveJson(report)) : renderMove(report));
  return moveExitCode(report);
}

async function runTiers(
  env: CliEnv,
  values: ReadonlyMap<string, string | boolean>,
): Promise<number> {
  const other = [...values.keys()].find((f) => f !== "tiers" && f !== "output");
  if (other) {
    throw new UsageError(`Flag --${other} does not go with -tiers (it takes only --output)`);
  }
  const output = values.get("output") ?? "text";
  if (output !== "text" && output !== "json") {
    throw new UsageError(`Invalid --output ${shownValue(output)}: expected text or json`);
  }
  const [{ readTierTopology }, { renderTiers, tiersJson }] = await Promise.all([
    import("../tiers/tier_topology.ts"),
    import("../tiers/render.ts"),
  ]);
  env.sysfs.requireNuma();
  const topology = readTierTopology(env.sysfs);
  env.out(output === "json" ? jsonText(tiersJson(topology)) : renderTiers(topology));
  return ExitCode.OK;
}

async function runCheck(
  env: CliEnv,
  values: ReadonlyMap<string, string | boolean>,
): Promise<number> {
  const other = [...values.keys()].find((f) => f !== "check" && f !== "config");
  if (other) {
    throw new UsageError(`Flag -${other} does not go with -check (it takes only -config FILE)`);
  }
  const file = stringFlag(values, "config");
  if (file === undefined) {
    throw new UsageError("Flag -check needs -config FILE: say which config file to check");
  }
  const { checkConfigFile } = await import("./check.ts");
  env.out(await checkConfigFile(file, env.readTextFile));
  return ExitCode.OK;
}

const COMMAND_MODE_FLAGS = ["prompt", "c", "f", "l", "echo", "debug", "metrics"];
const ONE_SHOT_ONLY = ["move-to", "move-from", "count", "output", "batch-pages", "exact"];

/** Runs the command line; resolves to the exit code. Never rejects. */
export async function runCli(args: readonly string[], env: CliEnv): Promise<number> {
  try {
    const { values, rest } = parseFlags(args, ONE_SHOT_FLAGS);
    if (rest.length > 0) {
      throw new UsageError(
        `Unexpected argument ${quoted(rest[0]!)}: memtierd takes only flags (see memtierd --help)`,
      );
    }
    // -check reads a config file and exits: not command mode.
    const commandMode = !boolFlag(values, "check") &&
      ["prompt", "c", "f", "config"].some((f) => values.has(f) && values.get(f) !== false);
    if (!commandMode) env.defaultSignals?.();
    if (values.get("help") || values.get("h")) {
      env.out(helpText());
      return ExitCode.OK;
    }
    if (values.get("version")) {
      env.out(versionText(env.program));
      return ExitCode.OK;
    }
    if (boolFlag(values, "tiers")) return await runTiers(env, values);
    if (boolFlag(values, "check")) return await runCheck(env, values);
    if (commandMode) {
      const oneShot = ["pid", ...ONE_SHOT_ONLY].find((f) => values.has(f));
      if (oneShot) {
        throw new UsageError(
          `Flag --${oneShot} is for the one-shot mode, -prompt, -c and -f for command mode: ` +
            "use one mode at a time",
        );
      }
      const metricsText = stringFlag(values, "metrics");
      const metrics = metricsText === undefined
        ? undefined
        : (await import("../metrics/server.ts")).parseMetricsAddress(metricsText);
      const { runCommandMode } = await import("./command_mode.ts");
      return await runCommandMode(env, {
        prompt: boolFlag(values, "prompt"),
        c: stringFlag(values, "c"),
        f: stringFlag(values, "f"),
        config: stringFlag(values, "config"),
        l: stringFlag(values, "l"),
        echo: boolFlag(values, "echo"),
        debug: boolFlag(values, "debug"),
        metrics,
      });
    }
    if (!values.has("pid")) {
      const stray = COMMAND_MODE_FLAGS.find((f) => values.has(f));
      throw new UsageError(
        ONE_SHOT_ONLY.some((f) => values.has(f))
          ? "Missing --pid: say which process, e.g. memtierd --pid=1234 (see memtierd --help)"
          : stray
          ? `Flag -${stray} needs command mode: add -prompt, -c COMMANDS or -f FILE`
          : "Nothing to do: give --pid=PID to show or move a process's memory, -tiers to " +
            "show the memory tiers, or -prompt, -c or -f for command mode (see memtierd --help)",
      );
    }
    // One-shot mode logs nothing: these would be silently without effect.
    const commandOnly = COMMAND_MODE_FLAGS.find((f) => values.has(f));
    if (commandOnly) {
      throw new UsageError(
        `Flag -${commandOnly} is for command mode (-prompt, -c, -f): the one-shot mode ` +
          "(--pid) prints its report and logs nothing",
      );
    }
    return await runOneShot(env, values);
  } catch (e) {
    const code = exitCodeFor(e);
    const message = errorText(e);
    env.err(`${env.program}: ${code === ExitCode.INTERNAL ? "internal error: " : ""}${message}\n`);
    if (env.debug && e instanceof Error && e.stack) env.err(`${e.stack}\n`);
    return code;
  }
}
