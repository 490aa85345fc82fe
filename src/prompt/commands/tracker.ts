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
import { withComponentsLoaded } from "../../lifecycle/lazy.ts";
import { quoted } from "../../common/excerpt.ts";
import { readConfigFile } from "../../common/bounded_read.ts";
import { PID_MAX } from "../../common/limits.ts";
import { ConfigError } from "../../config/config_error.ts";
import { PermissionError, ProcessGoneError, ThreadIdError, UsageError } from "../../errors.ts";
import { componentNames } from "../../lifecycle/components.ts";
import { formatRange } from "../../memory/addr_range.ts";
import type { PidListener, WatchedPid } from "../../pidwatchers/pidwatcher.ts";
import { formatCounter, rangeHeats, sortByAccesses } from "../../trackers/counters.ts";
import { trackerRegistry, trackers } from "../../trackers/mod.ts";
import type { Session, TrackerSlot } from "../session.ts";
import { boolFlag, type PromptCommand, stringFlag } from "../command.ts";
import { errorText } from "../../common/error_text.ts";

const NO_TRACKER = "no tracker, create one with -create NAME [-config CONFIG]";

/** The session's tracker (one adopted from a policy has no name). */
function slot(session: Session): TrackerSlot {
  const s = session.components.tracker;
  if (!s) throw new UsageError(NO_TRACKER);
  return s;
}

/**
 * The listener `pidwatcher -listener tracker` sets: passes what the
 * pidwatcher reports to the session's tracker of the moment.
 */
export function trackerListener(session: Session): PidListener {
  slot(session);
  return {
    addPids(pids) {
      const s = session.components.tracker;
      if (!s) return;
      for (const w of pids) s.pids.set(w.pid, w);
      s.instance.addPids(pids);
    },
    removePids(pids) {
      const s = session.components.tracker;
      if (!s) return;
      for (const w of pids) s.pids.delete(w.pid);
      s.instance.removePids(pids);
    },
  };
}

/**
 * A stopped tracker `name` made from `raw` config, in a new slot; a
 * ConfigError's text becomes `prefix: reason`.
 */
async function build(
  session: Session,
  name: string,
  raw: string | undefined,
  prefix: string,
): Promise<TrackerSlot> {
  const factory = trackerRegistry.get(name)!;
  try {
    const config = await withComponentsLoaded(() => factory.parse(raw, `tracker ${name}`));
    const instance = factory.create(config, session.componentDeps());
    return { name, config, instance, running: false, pids: new Map() };
  } catch (e) {
    if (e instanceof ConfigError) throw new UsageError(`${prefix}: ${e.message}`);
    throw e;
  }
}

/** Replaces the session's tracker by a new one from `raw`, with the same pids and run state. */
async function reconfigure(session: Session, raw: string, prefix: string): Promise<void> {
  const s = slot(session);
  if (s.adopted) {
    throw new UsageError(
      `${prefix}: the tracker of the policy is configured in the policy's config`,
    );
  }
  const next = await build(session, s.name, raw, prefix);
  await s.instance.stop();
  const pids = [...s.pids.values()];
  for (const w of pids) next.pids.set(w.pid, w);
  if (pids.length > 0) next.instance.addPids(pids);
  session.components.tracker = next;
  if (s.running) {
    await next.instance.start();
    next.running = true;
  }
}

function parsePids(text: string): number[] {
  return text.split(",").map((p) => {
    if (!/^\s*\d+\s*$/.test(p) || Number(p) < 1 || Number(p) > PID_MAX) {
      throw new UsageError(`invalid pid: ${quoted(p)}`);
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
          `creating tracker failed: ${why} ${quoted(create)} (accepted: ${
            componentNames(trackers).join(", ")
          })`,
        );
      }
      const next = await build(session, create, undefined, "creating tracker failed");
      // A tracker made here is stopped; a policy's stays with its policy.
      const prev = session.components.tracker;
      if (prev && !prev.adopted) await prev.instance.stop();
      session.components.tracker = next;
      out("tracker created\n");
    }
    slot(session);
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
      const cur = slot(session);
      await cur.instance.stop();
      cur.running = false;
    }
    const start = stringFlag(f, "start");
    if (start !== undefined && start !== "") {
      const pids = parsePids(start);
      const cur = slot(session);
      await cur.instance.stop();
      cur.running = false;
      cur.instance.removePids([...cur.pids.values()]);
      cur.pids.clear();
      const watched: WatchedPid[] = [];
      for (const pid of pids) {
        let startTicks: number;
        try {
          startTicks = session.opts.procfs.startTicks(pid);
          const processId = session.opts.procfs.processOf(pid);
          if (processId !== undefined && processId !== pid) {
            throw new ThreadIdError(pid, processId);
          }
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
      cur.instance.addPids(watched);
      try {
        await cur.instance.start();
      } catch (e) {
        // What memtierd lacks keeps its own exit code (4).
        if (e instanceof PermissionError) throw e;
        throw new UsageError(`start failed: ${errorText(e)}`);
      }
      cur.running = true;
      out("tracker started\n");
    }
    const t = slot(session).instance;
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
