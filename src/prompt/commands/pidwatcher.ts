/**
 * `pidwatcher`: create a pidwatcher, configure it, give it a listener and
 * run it, with the flags and messages of the Go memtierd. Flags act in the
 * Go order: -ls, -create, -config, -config-file, -config-dump, -listener,
 * -stop, -start, -poll, -dump.
 *
 * A pidwatcher is made once it has a valid config: `-create proc` makes it
 * at once with the defaults, `-create filter` (which needs a Source) waits
 * for `-config`. A new config makes a new watcher with the same listener
 * (restarted if the old one ran), which reports its processes anew.
 *
 * @module
 */
import { withComponentsLoaded } from "../../lifecycle/lazy.ts";
import { quoted } from "../../common/excerpt.ts";
import { readConfigFile } from "../../common/bounded_read.ts";
import { UsageError } from "../../errors.ts";
import { pidWatcherRegistry } from "../../pidwatchers/mod.ts";
import type { PidListener, PidWatcher } from "../../pidwatchers/pidwatcher.ts";
import { formatPids } from "../../pidwatchers/polling.ts";
import type { Prompt } from "../prompt.ts";
import type { Session } from "../session.ts";
import { boolFlag, type PromptCommand, stringFlag } from "../command.ts";
import { trackerListener } from "./tracker.ts";
import { errorText } from "../../common/error_text.ts";

const NO_PIDWATCHER = "no pidwatcher, create one with -create NAME [-config CONFIG]";
const ADOPTED =
  "this is the policy's pidwatcher: change it in the policy's config, or -create one of the prompt's own";

/** The listener `-listener log` sets: prints what the pidwatcher reports. */
function logListener(prompt: Prompt): PidListener {
  return {
    addPids: (pids) => prompt.write(`pidwatcher: AddPids(${formatPids(pids)})\n`),
    removePids: (pids) => prompt.write(`pidwatcher: RemovePids(${formatPids(pids)})\n`),
  };
}

function names(): string {
  return [...pidWatcherRegistry.keys()].sort().join(", ");
}

/** Makes the session's pidwatcher anew from `raw` config (text or undefined for defaults). */
async function configure(session: Session, raw: string | undefined): Promise<void> {
  const slot = session.components.pidWatcher!;
  if (slot.adopted) throw new UsageError(ADOPTED);
  const factory = pidWatcherRegistry.get(slot.name)!;
  const config = await withComponentsLoaded(() => factory.parse(raw, slot.name));
  const watcher = factory.create(config, session.componentDeps());
  const old = slot.instance;
  const wasRunning = old?.running === true;
  await old?.stop();
  slot.config = config;
  slot.instance = watcher;
  slot.running = false;
  if (slot.listener) watcher.setPidListener(slot.listener);
  if (wasRunning) {
    await watcher.start();
    slot.running = true;
  }
}

async function configured(session: Session): Promise<PidWatcher> {
  const slot = session.components.pidWatcher!;
  if (slot.instance) return slot.instance;
  const factory = pidWatcherRegistry.get(slot.name)!;
  try {
    await withComponentsLoaded(() => factory.parse(undefined, slot.name));
  } catch (e) {
    throw new UsageError(
      `pidwatcher ${slot.name} is not configured (${errorText(e)}): give it -config JSON`,
    );
  }
  throw new UsageError(`pidwatcher ${slot.name} is not configured: give it -config JSON`);
}

export const pidwatcherCommand: PromptCommand = {
  name: "pidwatcher",
  description: "manage pidwatcher: find processes, report new and gone ones.",
  flags: [
    { name: "ls", type: "bool", help: "list available pidwatchers" },
    { name: "create", type: "string", valueName: "NAME", help: "create new pidwatcher NAME" },
    {
      name: "config",
      type: "string",
      valueName: "JSON",
      help: "configure the pidwatcher with JSON (or YAML); fields left out take defaults",
    },
    {
      name: "config-file",
      type: "string",
      valueName: "FILE",
      help: "configure the pidwatcher from a JSON or YAML FILE",
    },
    { name: "config-dump", type: "bool", help: "dump current pidwatcher configuration" },
    {
      name: "listener",
      type: "string",
      valueName: "tracker|log",
      help: "use a listener: 'tracker' or 'log' (print AddPids/RemovePids)",
    },
    { name: "stop", type: "bool", help: "stop the pidwatcher" },
    { name: "start", type: "bool", help: "start the pidwatcher" },
    { name: "poll", type: "bool", help: "poll the pidwatcher once" },
    { name: "dump", type: "bool", help: "dump pidwatcher internals" },
  ],
  async run({ session, prompt, out, rest }, f) {
    if (boolFlag(f, "ls")) {
      out(`${[...pidWatcherRegistry.keys()].sort().join("\n")}\n`);
      return;
    }
    const create = stringFlag(f, "create");
    const config = stringFlag(f, "config");
    const configFile = stringFlag(f, "config-file");
    const listener = stringFlag(f, "listener");
    if (listener !== undefined && listener !== "log" && listener !== "tracker") {
      throw new UsageError(
        `invalid -listener ${quoted(listener)}: expected tracker or log`,
      );
    }
    if (listener === "tracker" && !session.components.tracker) {
      throw new UsageError("-listener tracker: no tracker, create one with tracker -create NAME");
    }
    if (create !== undefined && create !== "") {
      if (!pidWatcherRegistry.has(create)) {
        throw new UsageError(
          `creating pidwatcher failed: invalid pidwatcher name ${
            quoted(create)
          } (accepted: ${names()})`,
        );
      }
      await session.components.pidWatcher?.instance?.stop();
      session.components.pidWatcher = {
        name: create,
        config: undefined,
        instance: null,
        running: false,
      };
      if (config === undefined && configFile === undefined) {
        try {
          await configure(session, undefined);
        } catch {
          // Needs a config (filter's Source): made by -config.
        }
      }
      out("pidwatcher created\n");
    }
    const slot = session.components.pidWatcher;
    if (!slot) throw new UsageError(NO_PIDWATCHER);
    if (config !== undefined) {
      await configure(session, config);
      out("pidwatcher configured successfully\n");
    }
    if (configFile !== undefined) {
      const text = await readConfigFile(configFile);
      await configure(session, text);
      out(`pidwatcher configured successfully from ${JSON.stringify(configFile)}\n`);
    }
    if (boolFlag(f, "config-dump")) out(`${(await configured(session)).configJson()}\n`);
    if (listener !== undefined) {
      // The policy's pidwatcher feeds the policy's tracker; another listener would cut it off.
      if (slot.adopted) throw new UsageError(ADOPTED);
      const l = listener === "log" ? logListener(prompt) : trackerListener(session);
      slot.listener = l;
      slot.instance?.setPidListener(l);
    }
    if (boolFlag(f, "stop")) {
      await (await configured(session)).stop();
      slot.running = false;
    }
    if (boolFlag(f, "start")) {
      await (await configured(session)).start();
      slot.running = true;
    }
    if (boolFlag(f, "poll")) await (await configured(session)).poll();
    if (boolFlag(f, "dump")) out(`${(await configured(session)).dump(rest)}\n\n`);
  },
};
