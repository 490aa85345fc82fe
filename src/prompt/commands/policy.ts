/**
 * `policy`: create, configure, start, stop and dump the policy, with the Go
 * memtierd's flags and messages. After `-create`/`-config` the prompt
 * adopts the policy's mover, tracker and pidwatcher, as the Go one does;
 * where the policy has none (stub), the prompt keeps its own (the Go one
 * sets them to nil, and `mover` then crashes).
 *
 * Also the helpers `routines` shares: a ComponentSlot created by name,
 * configured from `-config` / `-config-file`, and (re)built on demand.
 *
 * @module
 */
import { withComponentsLoaded } from "../../lifecycle/lazy.ts";
import { readConfigFile } from "../../common/bounded_read.ts";
import { ConfigError, inConfigFile } from "../../config/config_error.ts";
import { UsageError } from "../../errors.ts";
import { type ComponentKind, componentNames, findFactory } from "../../lifecycle/components.ts";
import { policies } from "../../policies/mod.ts";
import { boolFlag, type CommandContext, type PromptCommand, stringFlag } from "../command.ts";
import { adoptPolicy, type ComponentSlot } from "../session.ts";
import { errorText } from "../../common/error_text.ts";

/** A new slot for `-create NAME`; its config is the defaults, if they do. */
export async function createSlot<T, D>(
  kind: ComponentKind<T, D>,
  name: string,
): Promise<ComponentSlot<T>> {
  let factory;
  try {
    factory = findFactory(kind, name);
  } catch (e) {
    throw new UsageError(errorText(e));
  }
  let config: unknown;
  try {
    config = await withComponentsLoaded(() => factory.parse(undefined, `${kind.kind} ${name}`));
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
  }
  return { name, config, instance: null, running: false };
}

/**
 * Parses a config for the slot's component (`file`: where `raw` came from,
 * for line numbers) and builds a new instance from it; a running instance
 * is replaced by the new one, started.
 */
export async function configureSlot<T extends { start(): unknown; stop(): Promise<void> }, D>(
  kind: ComponentKind<T, D>,
  slot: ComponentSlot<T>,
  raw: string,
  deps: D,
  file?: string,
): Promise<void> {
  const factory = findFactory(kind, slot.name);
  const what = `${kind.kind} ${slot.name}`;
  let config: unknown;
  try {
    config = await withComponentsLoaded(() => factory.parse(raw, what));
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    // The command names the component; the error says where and why.
    const where = file === undefined
      ? { reason: e.reason, keyPath: e.keyPath }
      : inConfigFile(e, file, raw);
    throw new ConfigError({ ...where, action: "config failed" });
  }
  const wasRunning = slot.running;
  if (wasRunning) {
    await slot.instance?.stop();
    slot.running = false;
  }
  slot.config = config;
  slot.instance = factory.create(config, deps);
  if (wasRunning) {
    await slot.instance.start();
    slot.running = true;
  }
}

/** The slot's instance, built from its config when there is none yet. */
export function slotInstance<T, D>(
  kind: ComponentKind<T, D>,
  slot: ComponentSlot<T>,
  deps: D,
): T | null {
  if (slot.instance === null && slot.config !== undefined) {
    slot.instance = findFactory(kind, slot.name).create(slot.config, deps);
  }
  return slot.instance;
}

/** Starts the slot's component, as `-start` does. */
export async function startSlot<T extends { start(): unknown }, D>(
  kind: ComponentKind<T, D>,
  slot: ComponentSlot<T>,
  deps: D,
): Promise<void> {
  const instance = slotInstance(kind, slot, deps);
  if (!instance) throw new UsageError("start failed: cannot start without configuration");
  if (slot.running) throw new UsageError("start failed: already started");
  try {
    await instance.start();
  } catch (e) {
    throw new UsageError(`start failed: ${errorText(e)}`);
  }
  slot.running = true;
}

const COMPONENT_FLAGS = (kind: string) =>
  [
    { name: "ls", type: "bool", help: `list available ${kind} types` },
    { name: "create", type: "string", valueName: "NAME", help: `create new ${kind} NAME` },
    {
      name: "config",
      type: "string",
      valueName: "JSON",
      help: `reconfigure the ${kind} with a JSON (or YAML) string`,
    },
    { name: "config-dump", type: "bool", help: "dump current config" },
    {
      name: "config-file",
      type: "string",
      valueName: "FILE",
      help: `reconfigure the ${kind} with a JSON or YAML FILE`,
    },
    { name: "dump", type: "bool", help: `dump ${kind} state (ARGS after the flags)` },
    { name: "start", type: "bool", help: `start ${kind}` },
    { name: "stop", type: "bool", help: `stop ${kind}` },
  ] as const;

export { COMPONENT_FLAGS };

async function runPolicy({ session, out, rest }: CommandContext, f: Map<string, string | boolean>) {
  if (boolFlag(f, "ls")) {
    out(`${componentNames(policies).join("\n")}\n`);
    return;
  }
  const deps = session.componentDeps();
  const create = stringFlag(f, "create");
  if (create !== undefined && create !== "") {
    const slot = await createSlot(policies, create);
    if (session.components.policy?.running) await session.components.policy.instance?.stop();
    session.components.policy = slot;
    out("policy created\n");
  }
  const slot = session.components.policy;
  if (!slot) throw new UsageError("no policy, create one with -create NAME");
  const configFile = stringFlag(f, "config-file");
  if (configFile !== undefined && configFile !== "") {
    await configureSlot(policies, slot, await readConfigFile(configFile), deps, configFile);
  }
  const config = stringFlag(f, "config");
  if (config !== undefined && config !== "") await configureSlot(policies, slot, config, deps);
  const instance = slotInstance(policies, slot, deps);
  if (instance) adoptPolicy(session, instance);
  if (boolFlag(f, "start")) await startSlot(policies, slot, deps);
  if (boolFlag(f, "config-dump")) {
    out(`${instance?.configJson() ?? ""}\n`);
  }
  if (boolFlag(f, "stop")) {
    if (slot.running) await instance?.stop();
    slot.running = false;
    out("policy stopped\n");
  }
  if (boolFlag(f, "dump")) out(`${instance?.dump(rest) ?? ""}\n\n`);
}

export const policyCommand: PromptCommand = {
  name: "policy",
  description: "manage policy, start/stop memory tiering.",
  flags: COMPONENT_FLAGS("policy"),
  run: runPolicy,
};
