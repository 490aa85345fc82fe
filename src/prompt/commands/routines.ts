/**
 * `routines`: create, select, configure, start, stop and dump routines,
 * with the Go memtierd's flags and messages; and `freshPromptRunner`, how
 * a routine's `memtier` / `memtier-prompt` runner runs a command: on a new
 * prompt (its own selection of pages) sharing the statistics, the log and
 * the mover, with the routine's policy attached.
 *
 * @module
 */
import { readConfigFile } from "../../common/bounded_read.ts";
import { UsageError } from "../../errors.ts";
import { componentNames } from "../../lifecycle/components.ts";
import type { Mover } from "../../mover/mover.ts";
import type { Policy } from "../../policies/policy.ts";
import { realExec } from "../../routines/exec.ts";
import { routines } from "../../routines/mod.ts";
import type { PromptRunner, RoutineDeps } from "../../routines/routine.ts";
import {
  boolFlag,
  type CommandContext,
  intFlag,
  type PromptCommand,
  stringFlag,
} from "../command.ts";
import { Prompt, type PromptOutput } from "../prompt.ts";
import { adoptPolicy, Session, type SessionOptions } from "../session.ts";
import { COMPONENT_FLAGS, configureSlot, createSlot, slotInstance, startSlot } from "./policy.ts";

/** A word quoted so that the prompt's tokenizer gives it back unchanged (no pipe). */
function quoteWord(word: string): string {
  return `'${word.replace(/[\\']/g, "\\$&")}'`;
}

/**
 * Runs commands as a routine's runners do: each on a fresh prompt over
 * `opts` (sharing `mover`), writing its output to `io`; its error line is
 * given back to the routine, which logs it (once, while it repeats).
 */
export function freshPromptRunner(
  opts: SessionOptions,
  commands: readonly PromptCommand[],
  io: PromptOutput,
  mover: Mover,
): PromptRunner {
  const runLine = async (line: string, policy: Policy | null) => {
    const session = new Session({ ...opts, mover });
    if (policy) {
      // The routine's policy is this prompt's policy, as in the Go memtierd:
      // `policy -dump accessed` (the plugin's track-working-set-size class)
      // dumps it. Without the slot it said "no policy, create one".
      session.components.policy = { name: "", config: undefined, instance: policy, running: true };
      adoptPolicy(session, policy);
    }
    let error = "";
    const prompt = new Prompt(session, { out: io.out, err: (t) => (error += t) }, commands);
    const { code } = await prompt.runLine(line);
    return { code, error: error.replace(/^memtierd: /, "").trimEnd() };
  };
  return {
    runLine,
    runArgs: (args, policy) => runLine(args.map(quoteWord).join(" "), policy),
  };
}

/** What routines created at the prompt are built with. */
function routineDeps(ctx: CommandContext): RoutineDeps {
  const { session, prompt } = ctx;
  const io: PromptOutput = {
    out: (t) => prompt.write(t),
    err: (t) => prompt.error(t.replace(/^memtierd: /, "").trimEnd()),
  };
  return {
    ...session.componentDeps(),
    prompt: freshPromptRunner(
      session.opts,
      [...prompt.commands.values()],
      io,
      session.components.mover,
    ),
    exec: session.opts.exec ?? realExec,
    out: (t) => prompt.write(t),
  };
}

async function runRoutines(ctx: CommandContext, f: Map<string, string | boolean>) {
  const { session, out, rest } = ctx;
  if (boolFlag(f, "ls")) {
    out(`${componentNames(routines).join("\n")}\n`);
    return;
  }
  const deps = routineDeps(ctx);
  const create = stringFlag(f, "create");
  if (create !== undefined && create !== "") {
    session.components.routines.push(await createSlot(routines, create));
    session.components.routineInUse = session.components.routines.length - 1;
    out(`routine ${session.components.routineInUse} created, started using it\n`);
  }
  if (session.components.routines.length === 0) {
    throw new UsageError("no routines, create one with -create NAME");
  }
  const use = intFlag(f, "use", 0, 2 ** 31, "a routine index (0, 1, ...)");
  if (use !== undefined) {
    if (use >= session.components.routines.length) {
      throw new UsageError(
        `invalid routine ${use}, the last one is ${session.components.routines.length - 1}`,
      );
    }
    session.components.routineInUse = use;
  }
  const slot = session.components.routines[session.components.routineInUse]!;
  const configFile = stringFlag(f, "config-file");
  if (configFile !== undefined && configFile !== "") {
    await configureSlot(routines, slot, await readConfigFile(configFile), deps, configFile);
  }
  const config = stringFlag(f, "config");
  if (config !== undefined && config !== "") await configureSlot(routines, slot, config, deps);
  const instance = slotInstance(routines, slot, deps);
  instance?.setPolicy(session.components.policy?.instance ?? null);
  if (boolFlag(f, "start")) await startSlot(routines, slot, deps);
  if (boolFlag(f, "config-dump")) out(`${instance?.configJson() ?? ""}\n`);
  if (boolFlag(f, "stop")) {
    if (slot.running) await instance?.stop();
    slot.running = false;
    out(`routine ${session.components.routineInUse} stopped\n`);
  }
  if (boolFlag(f, "dump")) out(`${instance?.dump(rest) ?? ""}\n\n`);
}

export const routinesCommand: PromptCommand = {
  name: "routines",
  description: "manage routines.",
  flags: [
    ...COMPONENT_FLAGS("routine"),
    {
      name: "use",
      type: "string",
      valueName: "N",
      help: "pass commands to routine at given index (0, 1, ...)",
    },
  ],
  run: runRoutines,
};
