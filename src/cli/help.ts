/**
 * The text of `memtierd --help` and `--version`, and the accepted flags, with
 * few imports: src/main.ts answers `--help` and `--version` from here before
 * it loads the rest of memtierd (that is most of the start-up's work).
 *
 * @module
 */
import { flagHelp, type FlagSpec } from "../common/flags.ts";
import { versionText } from "../version.ts";

/** The flags of memtierd's command line. */
export const ONE_SHOT_FLAGS: readonly FlagSpec[] = [
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

/**
 * What `memtierd ARGS` prints and exits 0 with, when ARGS is one plain
 * `--help`, `-h` or `--version` (one or two dashes); otherwise undefined,
 * and runCli decides. runCli prints the same text for the same arguments.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert";
 * import { plainAnswer } from "./help.ts";
 * strictEqual(plainAnswer(["-version"], "memtierd")?.startsWith("memtierd version information:"), true);
 * strictEqual(plainAnswer(["--version", "--pid=1"], "memtierd"), undefined);
 * ```
 */
export function plainAnswer(args: readonly string[], program: string): string | undefined {
  if (args.length !== 1) return undefined;
  const flag = /^--?(help|h|version)$/.exec(args[0]!)?.[1];
  if (flag === undefined) return undefined;
  return flag === "version" ? versionText(program) : helpText();
}
