/**
 * `tracker` (minimal): create a tracker, configure it, start it on pids,
 * print its counters, stop it, with the Go memtierd's messages. The full
 * command (-ls, -config-file, -config-dump, -heat, -dump raw) comes
 * with the trackers issue's prompt part and replaces this file.
 *
 * @module
 */
import { ConfigError } from "../../config/decode.ts";
import { UsageError } from "../../errors.ts";
import { configReason, findFactory } from "../../lifecycle/components.ts";
import { formatRange } from "../../memory/addr_range.ts";
import { trackers } from "../../trackers/mod.ts";
import type { WatchedPid } from "../../pidwatchers/pidwatcher.ts";
import type { TrackerCounter } from "../../trackers/tracker.ts";
import { boolFlag, intListFlag, type PromptCommand, stringFlag } from "../command.ts";
import { sessionDeps } from "./policy.ts";

/** Go's counter line: `a=%d r=%d w=%d AddrRanges{pid=P ranges=S-E (B B)}`. */
export function formatCounter(c: TrackerCounter): string {
  return `a=${c.accesses} r=${c.reads} w=${c.writes} AddrRanges{pid=${c.pid} ranges=${
    formatRange(c.range)
  }}`;
}

/** Counters sorted by accesses, then by pid and address (a stable listing). */
export function sortCounters(cs: readonly TrackerCounter[]): TrackerCounter[] {
  return [...cs].sort((a, b) =>
    a.accesses - b.accesses || a.pid - b.pid || a.range.startAddr - b.range.startAddr
  );
}

/** The pids `-start` gave each session's tracker, removed by the next `-start` (as Go clears them). */
const startedPids = new WeakMap<object, WatchedPid[]>();

const NO_TRACKER = "no tracker, create one with -create NAME [-config CONFIG]";

export const trackerCommand: PromptCommand = {
  name: "tracker",
  description: "manage tracker: track memory accesses of processes.",
  flags: [
    { name: "create", type: "string", valueName: "NAME", help: "create new tracker NAME" },
    {
      name: "config",
      type: "string",
      valueName: "JSON",
      help: "configure the tracker with JSON (or YAML); fields left out take defaults",
    },
    { name: "stop", type: "bool", help: "stop the tracker" },
    {
      name: "start",
      type: "string",
      valueName: "PID[,PID...]",
      help: "start tracking the listed pids",
    },
    { name: "counters", type: "bool", help: "print the tracker's counters" },
    { name: "reset", type: "bool", help: "reset the tracker's counters" },
    { name: "dump", type: "bool", help: "dump tracker internals" },
  ],
  async run({ session, out, rest }, f) {
    const create = stringFlag(f, "create");
    const config = stringFlag(f, "config");
    const c = session.components;
    if (create !== undefined) {
      let factory;
      try {
        factory = findFactory(trackers, create);
      } catch (e) {
        throw new UsageError(e instanceof Error ? e.message : String(e));
      }
      let parsed: unknown;
      try {
        parsed = factory.parse(config, `tracker ${create}`);
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        throw new ConfigError(`config failed: ${configReason(e, `tracker ${create}`)}`, e.keyPath);
      }
      await c.tracker?.stop();
      c.tracker = factory.create(parsed, sessionDeps(session));
    } else if (config !== undefined) {
      throw new UsageError("-config needs -create NAME in this version of the tracker command");
    }
    const tracker = c.tracker;
    if (!tracker) throw new UsageError(NO_TRACKER);
    if (boolFlag(f, "stop")) await tracker.stop();
    const pids = intListFlag(f, "start", 1, 4194304, "process ids");
    if (pids !== undefined) {
      await tracker.stop();
      tracker.removePids(startedPids.get(tracker) ?? []);
      const procfs = session.opts.procfs;
      const watched = pids.map((pid) => {
        if (procfs.isGone(pid)) throw procfs.goneError(pid);
        return { pid, pidfd: null, startTicks: procfs.startTicks(pid) };
      });
      startedPids.set(tracker, watched);
      tracker.addPids(watched);
      await tracker.start();
      out("tracker started\n");
    }
    if (boolFlag(f, "counters")) {
      const cs = sortCounters(tracker.getCounters());
      out(
        cs.length === 0 ? "no counter entries\n" : cs.map((x) => `${formatCounter(x)}\n`).join(""),
      );
    }
    if (boolFlag(f, "reset")) tracker.resetCounters();
    if (boolFlag(f, "dump")) out(`${tracker.dump(rest)}\n`);
  },
};
