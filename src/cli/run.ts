/**
 * The command line: parses flags, runs the one-shot status or move, and
 * turns every error into one line on stderr and an exit code.
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import { versionText } from "../version.ts";
import { ExitCode, exitCodeFor } from "./exit_codes.ts";
import { flagHelp, type FlagSpec, parseFlags, parseWholeNumber } from "./flags.ts";
import {
  inspectProcess,
  type MoveArgs,
  moveExitCode,
  moveJson,
  type OneShotEnv,
  renderMove,
  renderStatus,
  runMove,
  statusJson,
} from "./oneshot.ts";

/** Highest pid Linux hands out (PID_MAX_LIMIT on 64-bit). */
export const PID_MAX = 4194304;
/** Highest node id accepted (the kernel's MAX_NUMNODES is at most 1024). */
export const NODE_MAX = 1023;
/** Highest --count: 2^32 pages = 16 TiB, more than any machine memtierd runs on. */
export const COUNT_MAX = 2 ** 32;

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
    name: "batch-pages",
    type: "string",
    valueName: "N",
    help: `pages per move_pages call (default 1024)`,
  },
  { name: "version", type: "bool", help: "print the version and exit" },
  { name: "help", type: "bool", help: "print this help and exit" },
  { name: "h", type: "bool", help: "same as --help" },
];

/** The text of `memtierd --help`. */
export function helpText(): string {
  return `memtierd: move the memory of running processes between NUMA nodes

Usage:
  memtierd --pid=PID
      Show where PID's memory is: its movable pages (present pages of its
      anonymous and heap ranges) and its numa_maps totals, on every online node.
  memtierd --pid=PID --move-to=NODE [--count=PAGES] [--move-from=NODE]
      Move up to PAGES of those pages that are not on NODE yet to NODE
      (only pages now on --move-from, if given), then show the status.

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
export interface CliEnv extends OneShotEnv {
  /** The program name for messages. */
  program: string;
  /** Print stack traces of internal errors (MEMTIERD_DEBUG=1). */
  debug: boolean;
}

function optionalNumber(
  values: ReadonlyMap<string, string | boolean>,
  flag: string,
  min: number,
  max: number,
  what: string,
): number | undefined {
  const v = values.get(flag);
  return typeof v === "string" ? parseWholeNumber(`--${flag}`, v, min, max, what) : undefined;
}

function runOneShot(env: CliEnv, values: ReadonlyMap<string, string | boolean>): number {
  const pidText = values.get("pid");
  if (typeof pidText !== "string") {
    throw new UsageError(
      "Missing --pid: say which process, e.g. memtierd --pid=1234 (see memtierd --help)",
    );
  }
  const pid = parseWholeNumber("--pid", pidText, 1, PID_MAX, "a process id");
  const output = values.get("output") ?? "text";
  if (output !== "text" && output !== "json") {
    throw new UsageError(`Invalid --output ${JSON.stringify(output)}: expected text or json`);
  }
  const toNode = optionalNumber(values, "move-to", 0, NODE_MAX, "a node id");
  const fromNode = optionalNumber(values, "move-from", 0, NODE_MAX, "a node id");
  const countPages = optionalNumber(values, "count", 1, COUNT_MAX, "a number of pages");
  const batchPages = optionalNumber(values, "batch-pages", 1, 65536, "a number of pages");
  const json = output === "json";
  if (toNode === undefined) {
    for (const f of ["move-from", "count", "batch-pages"]) {
      if (values.has(f)) {
        throw new UsageError(`Flag --${f} needs --move-to: say where to move pages`);
      }
    }
    const { status } = inspectProcess(env, pid);
    env.out(json ? JSON.stringify(statusJson(status), null, 2) + "\n" : renderStatus(status));
    return ExitCode.OK;
  }
  if (fromNode === toNode) {
    throw new UsageError(
      `Invalid --move-from ${fromNode}: it is the same node as --move-to (pick two different nodes)`,
    );
  }
  const args: MoveArgs = { pid, toNode, fromNode, countPages, batchPages };
  const report = runMove(env, args);
  env.out(json ? JSON.stringify(moveJson(report), null, 2) + "\n" : renderMove(report));
  return moveExitCode(report);
}

/** Runs the command line; returns the exit code. Never throws. */
export function runCli(args: readonly string[], env: CliEnv): number {
  try {
    const { values, rest } = parseFlags(args, ONE_SHOT_FLAGS);
    if (rest.length > 0) {
      throw new UsageError(
        `Unexpected argument ${
          JSON.stringify(rest[0])
        }: memtierd takes only flags (see memtierd --help)`,
      );
    }
    if (values.get("help") || values.get("h")) {
      env.out(helpText());
      return ExitCode.OK;
    }
    if (values.get("version")) {
      env.out(versionText(env.program));
      return ExitCode.OK;
    }
    return runOneShot(env, values);
  } catch (e) {
    const code = exitCodeFor(e);
    const message = e instanceof Error ? e.message : String(e);
    env.err(`${env.program}: ${code === ExitCode.INTERNAL ? "internal error: " : ""}${message}\n`);
    if (env.debug && e instanceof Error && e.stack) env.err(`${e.stack}\n`);
    return code;
  }
}
