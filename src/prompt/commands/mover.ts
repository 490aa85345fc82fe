/**
 * `mover`: configure the mover, hand it the selected pages, and control it.
 *
 * @module
 */
import { NODE_MAX } from "../../common/limits.ts";
import { ProcessGoneError, UsageError } from "../../errors.ts";
import { formatTask, nodeTarget } from "../../mover/mover.ts";
import { requireTargetNode } from "../../sysfs/node_check.ts";
import { boolFlag, intFlag, type PromptCommand, stringFlag } from "../command.ts";

export const moverCommand: PromptCommand = {
  name: "mover",
  description: "manage mover, move selected pages.",
  flags: [
    {
      name: "config",
      type: "string",
      valueName: "JSON",
      help:
        'reconfigure, e.g. {"IntervalMs":10,"Bandwidth":100} (MB/s); fields left out take defaults',
    },
    { name: "config-dump", type: "bool", help: "print the configuration" },
    {
      name: "pages-to",
      type: "string",
      valueName: "NODE",
      help: "start the mover and move the selected pages to NODE",
    },
    { name: "start", type: "bool", help: "start the mover (paused)" },
    { name: "stop", type: "bool", help: "stop the mover (tasks stay queued)" },
    { name: "pause", type: "bool", help: "pause moving" },
    { name: "continue", type: "bool", help: "continue moving" },
    { name: "tasks", type: "bool", help: "print the tasks" },
    { name: "remove-task", type: "string", valueName: "ID", help: "remove task ID" },
    { name: "wait", type: "bool", help: "wait until the mover is paused or has no tasks" },
  ],
  async run({ session, out }, f) {
    const mover = session.components.mover;
    const config = stringFlag(f, "config");
    const pagesTo = intFlag(f, "pages-to", 0, NODE_MAX, "a node id");
    const removeTask = intFlag(f, "remove-task", 0, 2 ** 31, "a task id");
    if (config !== undefined) mover.setConfig(config);
    if (boolFlag(f, "config-dump")) out(`${mover.configJson()}\n`);
    if (pagesTo !== undefined) {
      const pages = session.pages;
      if (!pages) throw new UsageError("mover error: set pages before moving (pages -pid PID)");
      requireTargetNode(session.opts.sysfs.nodes(), pagesTo);
      mover.start();
      mover.addTask(pages.pid, pages.addrs, nodeTarget(pagesTo));
    }
    if (boolFlag(f, "stop")) await mover.stop();
    if (boolFlag(f, "start")) mover.start();
    if (boolFlag(f, "pause")) mover.pause();
    if (boolFlag(f, "continue")) mover.continue();
    if (boolFlag(f, "tasks")) {
      out(mover.tasks().map((t) => `${String(t.id).padEnd(8)} ${formatTask(t)}\n`).join(""));
    }
    if (removeTask !== undefined && !mover.removeTask(removeTask)) {
      throw new UsageError(`no task ${removeTask} (see mover -tasks)`);
    }
    if (boolFlag(f, "wait")) {
      // Unlike the Go mover, ours is Busy as soon as a task is added, so
      // there is no need to sleep first for it to start.
      const status = await mover.wait("Paused", "AllDone", "NotRunning");
      const { tasks: dropped, notKept } = mover.takeDropped();
      if (dropped.length === 0) {
        out(`mover wait received: ${status}\n`);
        return;
      }
      const n = dropped.length + notKept;
      const more = notKept > 0 ? `, and ${notKept} more` : "";
      out(
        `mover wait received: ${status} (${n} task${n === 1 ? "" : "s"} dropped: ${
          dropped.map((d) => d.reason).join(", ")
        }${more})\n`,
      );
      // The command fails with the first drop's error, so the session's
      // exit code says a task failed (3 when its process went away).
      const first = dropped[0]!;
      if (first.error instanceof ProcessGoneError) {
        throw new ProcessGoneError(first.pid, `task ${first.id} dropped: ${first.reason}`);
      }
      throw first.error;
    }
  },
};
