/**
 * `stats`: the statistics tables, the last moves of a process, and raw
 * move recording.
 *
 * @module
 */
import { quoted } from "../../common/excerpt.ts";
import { PID_MAX } from "../../common/limits.ts";
import { UsageError } from "../../errors.ts";
import { formatMoveRecord, renderStats } from "../../stats/render.ts";
import type { Stats } from "../../stats/stats.ts";
import { boolFlag, intFlag, type PromptCommand, stringFlag } from "../command.ts";

/** `stats -dump moves start|new|stop`. */
function dumpMoves(stats: Stats, args: readonly string[]): string {
  switch (args.length === 2 && args[0] === "moves" ? args[1] : undefined) {
    case "start":
      stats.startRecording();
      return "recording moves started";
    case "stop":
      stats.stopRecording();
      return "recording moves stopped";
    case "new": {
      const moves = stats.takeRecorded();
      if (!moves) {
        throw new UsageError(
          "Cannot dump new moves: not recording (start with stats -dump moves start)",
        );
      }
      return moves.map(formatMoveRecord).join("\n");
    }
    default:
      throw new UsageError(
        `Invalid -dump arguments ${
          quoted(args.join(" "))
        }: expected moves start, moves new or moves stop`,
      );
  }
}

export const statsCommand: PromptCommand = {
  name: "stats",
  description: "print statistics.",
  flags: [
    {
      name: "t",
      type: "string",
      valueName: "TABLE[,TABLE...]",
      help:
        "tables: events, process_madvise, move_pages, move_pages_errors, memory_scans, mover_dropped_tasks, policy_decisions",
    },
    { name: "f", type: "string", valueName: "FORMAT", help: "txt (default) or csv" },
    { name: "lm", type: "string", valueName: "PID", help: "print the last move of PID" },
    {
      name: "le",
      type: "string",
      valueName: "PID",
      help: "print the last move of PID that had page errors",
    },
    { name: "dump", type: "bool", help: "with `moves start|new|stop`: record raw moves" },
  ],
  run({ session, out, rest }, f) {
    const stats = session.stats;
    const lm = intFlag(f, "lm", 1, PID_MAX, "a process id");
    const le = intFlag(f, "le", 1, PID_MAX, "a process id");
    if (lm !== undefined) {
      const m = stats.lastMove(lm);
      out(`${m ? formatMoveRecord(m) : `no moves of pid ${lm}`}\n`);
      return;
    }
    if (le !== undefined) {
      const m = stats.lastMoveWithError(le);
      out(`${m ? formatMoveRecord(m) : `no moves with errors of pid ${le}`}\n`);
      return;
    }
    if (boolFlag(f, "dump")) {
      out(`${dumpMoves(stats, rest)}\n`);
      return;
    }
    const tables = stringFlag(f, "t");
    const format = stringFlag(f, "f") ?? "txt";
    out(`${renderStats(stats, format, tables === undefined ? undefined : tables.split(","))}\n`);
  },
};
