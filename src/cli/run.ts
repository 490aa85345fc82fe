/**
 * The command line: parses flags, runs the one-shot status or move, and
 * turns every error into one line on stderr and an exit code.
 *
 * @module
 */
import { quoted, shownValue } from "../common/excerpt.ts";
import { UsageError } from "../errors.ts";
import { versionText } from "../version.ts";
import { COUNT_MAX, NODE_MAX, PID_MAX } from "../common/limits.ts";
import { jsonText } from "./format.ts";
import { ExitCode, exitCodeFor } from "../common/exit_codes.ts";
import {
  boolFlag,
  flagHelp,
  type FlagSpec,
  intFlag,
  parseFlags,
  parseWholeNumber,
  stringFlag,
} from "../common/flags.ts";
import { type CommandModeEnv, runCommandMode } from "./command_mode.ts";
import { readTierTopology } from "../tiers/tier_topology.ts";
import { renderTiers, tiersJson } from "../tiers/render.ts";
import { parseMetricsAddress } from "../metrics/server.ts";
import { checkConfigFile } from "./check.ts";
import {
  inspectProcess,
  type MoveArgs,
  moveExitCode,
  moveJson,
  renderMove,
  renderStatus,
  runMove,
  statusJson,
} from "./oneshot.ts";
import { errorText } from "../common/error_text.ts";

const ONE_SHOT_FLAGS: readonly FlagSpec[] = [
  { name: "pid", type: "string", valueName: "PID", help: "the process to show or move" },
  { name: "move-to", type: "string", valueName: "NODE", help: "move pages to this node" },
  {
    name: "move-from",
    type: "string",
    valueName: "NODE",
    help: "move only pages that are now on this node",
  },
  {
    name: "count",
    type: "string",
    valueName: "PAGES",
    help: "move at most this many pages (default: all)",
  },
  {
    name: "output",
    type: "string",
    valueName: "FORMAT",
    help: "text (default) or json, for status and move results",
  },
  {
    name: "exact",
    type: "bool",
    help: "status page by page (pagemap + move_pages) instead of from numa_maps",
  },
  {
    name: "batch-pages",
    type: "string",
    valueName: "N",
    help: `pages per move_pages call (default 1024)`,
  },
  {
    name: "config",
    type: "string",
    valueName: "FILE",
    help: "daemon: run the policy and routines of the YAML FILE (before -c, -f, -prompt)",
  },
  {
    name: "check",
    type: "bool",
    help: "with -config FILE: check FILE whole, print FILE: ok or its error, start nothing",
  },
  {
    name: "tiers",
    type: "bool",
    help: "print the memory tiers fastest first: nodes, CPUs, memory, latency, bandwidth",
  },
  { name: "prompt", type: "bool", help: "command mode: read commands from stdin" },
  { name: "c", type: "string", valueName: "COMMANDS", help: "command mode: run COMMANDS (lines)" },
  { name: "f", type: "string", valueName: "FILE", help: "command mode: run the commands in FILE" },
  {
    name: "l",
    type: "string",
    valueName: "FILE",
    help: "command mode: log to FILE, stdout or stderr (default)",
  },
  { name: "echo", type: "bool", help: "command mode: print each command before running it" },
  {
    name: "metrics",
    type: "string",
    valueName: "ADDR",
    help: "command mode: serve Prometheus /metrics on ADDR (PORT: 127.0.0.1 only, HOST:PORT)",
  },
  { name: "debug", type: "bool", help: "command mode: log debug messages" },
  { name: "version", type: "bool", help: "print the version and exit" },
  { name: "help", type: "bool", help: "print this help and exit" },
  { name: "h", type: "bool", help: "same as --help" },
];

/** The text of `memtierd --help`. */
export function helpText(): string {
  return `memtierd: move the memory of running processes between NUMA nodes

Usage:
  memtierd --pid=PID [--exact]
      Show where PID's memory is: its movable pages (present pages of its
      anonymous and heap ranges, in 4 KiB pages) and its numa_maps totals, on
      every online node. The kernel's counts from /proc/PID/numa_maps by
      default; --exact finds every page with pagemap and move_pages (slower).
  memtierd --pid=PID --move-to=NODE [--count=PAGES] [--move-from=NODE]
      Move up to PAGES of those pages that are not on NODE yet to NODE
      (only pages now on --move-from, if given), then show the status.
  memtierd -tiers [--output=json]
      Show the memory tiers, fastest first (the kernel's, from
      /sys/devices/virtual/memory_tiering, or guessed from node distances
      without them): each node's CPUs, free/total memory and, where the
      kernel knows them (HMAT), read/write latency and bandwidth.
  memtierd -config FILE -check
      Read and check all of FILE as the daemon would, create and start
      nothing; print "FILE: ok" (exit 0) or the one-line error (exit 2).
  memtierd -prompt | -c COMMANDS | -f FILE [-echo] [-l FILE] [-debug] [-metrics ADDR]
      Command mode: run prompt commands (pages, mover, swap, stats, ...) from
      COMMANDS, then FILE, then standard input; type help at the prompt.
      Exits with the code of the first command that failed.
  memtierd -config FILE [-prompt | -c COMMANDS | -f FILE] [-l FILE] [-debug] [-metrics ADDR]
      Daemon: run the policy and routines FILE configures (see README.md,
      "Daemon mode"), then the commands. Without -prompt it stays up until
      SIGTERM or SIGINT (exit 0); SIGHUP reads FILE again.

Flags (also as -flag, -flag VALUE, --flag VALUE):
${flagHelp(ONE_SHOT_FLAGS)}

MB means 2^20 bytes. Run as root: reading another process's page map and
moving its pages needs CAP_SYS_ADMIN, CAP_SYS_PTRACE and CAP_SYS_NICE.

Exit codes: 0 done, 1 failure, 2 bad usage, 3 no such process (or it exited),
4 not permitted, 5 bad node, 6 kernel lacks NUMA or move_pages,
7 kernel thread, 8 move incomplete (some pages could not move), 70 internal error.
`;
}

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

function runOneShot(env: CliEnv, values: ReadonlyMap<string, string | boolean>): number {
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

function runTiers(env: CliEnv, values: ReadonlyMap<string, string | boolean>): number {
  const other = [...values.keys()].find((f) => f !== "tiers" && f !== "output");
  if (other) {
    throw new UsageError(`Flag --${other} does not go with -tiers (it takes only --output)`);
  }
  const output = values.get("output") ?? "text";
  if (output !== "text" && output !== "json") {
    throw new UsageError(`Invalid --output ${shownValue(output)}: expected text or json`);
  }
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
    if (boolFlag(values, "tiers")) return runTiers(env, values);
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
      return await runCommandMode(env, {
        prompt: boolFlag(values, "prompt"),
        c: stringFlag(values, "c"),
        f: stringFlag(values, "f"),
        config: stringFlag(values, "config"),
        l: stringFlag(values, "l"),
        echo: boolFlag(values, "echo"),
        debug: boolFlag(values, "debug"),
        metrics: metricsText === undefined ? undefined : parseMetricsAddress(metricsText),
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
    return runOneShot(env, values);
  } catch (e) {
    const code = exitCodeFor(e);
    const message = errorText(e);
    env.err(`${env.program}: ${code === ExitCode.INTERNAL ? "internal error: " : ""}${message}\n`);
    if (env.debug && e instanceof Error && e.stack) env.err(`${e.stack}\n`);
    return code;
  }
}
