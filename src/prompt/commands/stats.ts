/**
 * `stats`: the statistics tables, the last moves of a process, and raw
 * move recording.
 *
 * @module
 */
import { PID_MAX } from "../../common/limits.ts";
import { boolFlag, intFlag, type PromptCommand, stringFlag } from "../command.ts";

export const statsCommand: PromptCommand = {
  name: "stats",
  description: "print statistics.",
  flags: [
    {
      name: "t",
      type: "string",
      valueName: "TABLE[,TABLE...]",
      help: "tables: events, process_madvise, move_pages, move_pages_errors, memory_scans",
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
      out(`${stats.lastMove(lm) ?? `no moves of pid ${lm}`}\n`);
      return;
    }
    if (le !== undefined) {
      out(`${stats.lastMoveWithError(le) ?? `no moves with errors of pid ${le}`}\n`);
      return;
    }
    if (boolFlag(f, "dump")) {
      out(`${stats.dump(rest)}\n`);
      return;
    }
    const tables = stringFlag(f, "t");
    const format = stringFlag(f, "f") ?? "txt";
    out(`${stats.summarize(format, tables === undefined ? undefined : tables.split(","))}\n`);
  },
};
