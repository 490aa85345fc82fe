/**
 * `tracker`: create a tracker, configure it, run it on processes and read
 * its counters, with the flags and messages of the Go memtierd. Flags act
 * in the Go order: -ls, -create, -config-file, -config, -stop, -start,
 * -config-dump, -counters, -heat, -reset, -dump.
 *
 * The tracker acted on is `session.components.tracker`: the one made here,
 * or a policy's once `policy` adopts it. A new config (-config,
 * -config-file) makes a new tracker of the same name with the same
 * processes, running if the old one ran (the Go one reconfigured in place).
 * `pidwatcher -listener tracker` feeds this tracker (`trackerListener`).
 *
 * @module
 */
import { readConfigFile } from "../../common/bounded_read.ts";
import { PID_MAX } from "../../common/limits.ts";
import { ConfigError } from "../../config/decode.ts";
import { PermissionError, ProcessGoneError, UsageError } from "../../errors.ts";
import { componentNames } from "../../lifecycle/components.ts";
import { formatRange } from "../../memory/addr_range.ts";
import type { PidListener, WatchedPid } from "../../pidwatchers/pidwatcher.ts";
import { formatCounter, rangeHeats, sortByAccesses } from "../../trackers/counters.ts";
import { trackerRegistry, trackers } from "../../trackers/mod.ts";
import type { Tracker } from "../../trackers/tracker.ts";
import type { Session } from "../session.ts";
import { boolFlag, type PromptCommand, stringFlag } from "../command.ts";
import { errorText } from "../../common/error_text.ts";

const NO_TRACKER = "no tracker, create one with -create NAME [-config CONFIG]";

/** What this command knows of the session's tracker: its name, processes and state. */
interface TrackerState {
  tracker: Tracker;
  name: string;
  pids: Map<number, WatchedPid>;
  running: boolean;
}

const states = new WeakMap<Session, TrackerState>();

/** The state of the session's current tracker (one adopted from a policy has no name). */
function state(session: Session): TrackerState {
  const t = session.components.tracker;
  if (!t) throw new UsageError(NO_TRACKER);
  let s = states.get(session);
  if (!s || s.tracker !== t) {
    s = { tracker: t, name: "", pids: new Map(), running: false };
    states.set(session, s);
  }
  return s;
}

/**
 * The listener `pidwatcher -listener tracker` sets: passes what the
 * pidwatcher reports to the session's tracker of the moment.
 */
export function trackerListener(session: Session): PidListener {
  state(session);
  return {
    addPids(pids) {
      if (!session.components.tracker) return;
      const s = state(session);
      for (const w of pids) s.pids.set(w.pid, w);
      s.tracker.addPids(pids);
    },
    removePids(pids) {
      if (!session.components.tracker) return;
      const s = state(session);
      for (const w of pids) s.pids.delete(w.pid);
      s.tracker.removePids(pids);
    },
  };
}

/** Makes a tracker `name` from `raw` config; a ConfigError's text becomes `prefix: reason`. */
function build(session: Session, name: string, raw: string | undefined, prefix: string): Tracker {
  const factory = trackerRegistry.get(name)!;
  try {
    return factory.create(factory.parse(raw, `tracker ${name}`), session.componentDeps());
  } catch (e) {
    if (e instanceof ConfigError) throw new UsageError(`${prefix}: ${e.message}`);
    throw e;
  }
}

/** Replaces the session's tracker by a new one from `raw`, with the same pids and run state. */
async function reconfigure(session: Session, raw: string, prefix: string): Promise<void> {
  const s = state(session);
  if (s.name === "") {
    throw new UsageError(
      `${prefix}: the tracker of the policy is configured in the policy's config`,
    );
  }
  const t = build(session, s.name, raw, prefix);
  await s.tracker.stop();
  const pids = [...s.pids.values()];
  if (pids.length > 0) t.addPids(pids);
  session.components.tracker = t;
  states.set(session, { ...s, tracker: t, running: false });
  if (s.running) {
    await t.start();
    states.get(session)!.running = true;
  }
}

function parsePids(text: string): number[] {
  return text.split(",").map((p) => {
    if (!/^\s*\d+\s*$/.test(p) || Number(p) < 1 || Number(p) > PID_MAX) {
      throw new UsageError(`invalid pid: ${JSON.stringify(p)}`);
    }
    return Number(p);
  });
}

export const trackerCommand: PromptCommand = {
  name: "tracker",
  description: "manage tracker: track memory accesses of processes.",
  flags: [
    { name: "ls", type: "bool", help: "list available memory trackers" },
    { name: "create", type: "string", valueName: "NAME", help: "create new tracker NAME" },
    {
      name: "config",
      type: "string",
      valueName: "JSON",
      help: "configure tracker with JSON (or YAML); fields left out take defaults",
    },
    { name: "config-dump", type: "bool", help: "dump current configuration" },
    {
      name: "config-file",
      type: "string",
      valueName: "FILE",
      help: "reconfigure tracker with JSON (or YAML) FILE",
    },
    { name: "start", type: "string", valueName: "PID[,PID...]", help: "start tracking PIDs" },
    { name: "reset", type: "bool", help: "reset page access counters" },
    { name: "stop", type: "bool", help: "stop tracker" },
    { name: "counters", type: "bool", help: "print tracker raw counters" },
    { name: "heat", type: "bool", help: "print address range heats" },
    { name: "dump", type: "bool", help: "dump tracker internals (ARGS after the flags)" },
  ],
  async run({ session, out, rest }, f) {
    if (boolFlag(f, "ls")) {
      out(`${componentNames(trackers).join("\n")}\n`);
      return;
    }
    const create = stringFlag(f, "create");
    if (create !== undefined && create !== "") {
      if (!trackerRegistry.has(create)) {
        const why = trackers.notYetAvailable?.includes(create)
          ? "not available in this version of memtierd"
          : "invalid tracker name";
        throw new UsageError(
          `creating tracker failed: ${why} ${JSON.stringify(create)} (accepted: ${
            componentNames(trackers).join(", ")
          })`,
        );
      }
      const t = build(session, create, undefined, "creating tracker failed");
      // A tracker made here is stopped; a policy's stays with its policy.
      const prev = states.get(session);
      if (prev && prev.name !== "" && prev.tracker === session.components.tracker) {
        await prev.tracker.stop();
      }
      session.components.tracker = t;
      states.set(session, { tracker: t, name: create, pids: new Map(), running: false });
      out("tracker created\n");
    }
    state(session);
    const configFile = stringFlag(f, "config-file");
    if (configFile !== undefined && configFile !== "") {
      const text = await readConfigFile(configFile);
      await reconfigure(session, text, "config failed");
    }
    const config = stringFlag(f, "config");
    if (config !== undefined && config !== "") {
      await reconfigure(session, config, "tracker configuration error");
      out("tracker configured successfully\n");
    }
    if (boolFlag(f, "stop")) {
      await state(session).tracker.stop();
      state(session).running = false;
    }
    const start = stringFlag(f, "start");
    if (start !== undefined && start !== "") {
      const pids = parsePids(start);
      const cur = state(session);
      await cur.tracker.stop();
      cur.running = false;
      cur.tracker.removePids([...cur.pids.values()]);
      cur.pids.clear();
      const watched: WatchedPid[] = [];
      for (const pid of pids) {
        let startTicks: number;
        try {
          startTicks = session.opts.procfs.startTicks(pid);
          // Another user's process, as a user without CAP_SYS_PTRACE: refused
          // here, as a PermissionError (exit 4), not dropped by the first
          // scan with a warning while the command says "started".
          session.opts.procfs.maps(pid);
        } catch (e) {
          if (e instanceof ProcessGoneError) {
            throw new UsageError(`start failed: no process ${pid}`);
          }
          throw e;
        }
        watched.push({ pid, pidfd: null, startTicks });
        cur.pids.set(pid, watched[watched.length - 1]!);
      }
      cur.tracker.addPids(watched);
      try {
        await cur.tracker.start();
      } catch (e) {
        // What memtierd lacks keeps its own exit code (4).
        if (e instanceof PermissionError) throw e;
        throw new UsageError(`start failed: ${errorText(e)}`);
      }
      cur.running = true;
      out("tracker started\n");
    }
    const t = state(session).tracker;
    if (boolFlag(f, "config-dump")) out(`${t.configJson()}\n`);
    if (boolFlag(f, "counters")) {
      const cs = t.getCounters();
      if (cs.length === 0) out("no counter entries\n");
      else out(`${sortByAccesses(cs).map(formatCounter).join("\n")}\n`);
    }
    if (boolFlag(f, "heat")) {
      for (const h of rangeHeats(t.getCounters())) out(`${formatRange(h.range)} ${h.heat}\n`);
    }
    if (boolFlag(f, "reset")) {
      t.resetCounters();
      out("tracker counters reset\n");
    }
    if (boolFlag(f, "dump")) out(`${t.dump(rest)}\n\n`);
  },
};
