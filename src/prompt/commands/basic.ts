/**
 * The prompt's small commands: q, nop, help, log, time.
 *
 * @module
 */
import { UsageError } from "../../errors.ts";
import { boolFlag, floatFlag, type PromptCommand, stringFlag } from "../command.ts";

/** Longest `time -sleep`: 10 days (timers cannot wait much beyond 24 days). */
const MAX_SLEEP_S = 864_000;

export const quitCommand: PromptCommand = {
  name: "q",
  description: "quit interactive prompt.",
  flags: [],
  run() {},
};

export const nopCommand: PromptCommand = {
  name: "nop",
  description: "no operation.",
  flags: [],
  run() {},
};

export const helpCommand: PromptCommand = {
  name: "help",
  description: "print help.",
  flags: [],
  run({ prompt, out }) {
    let text = "Available commands:\n";
    for (const name of [...prompt.commands.keys()].sort()) {
      text += `        ${name.padEnd(12)} ${prompt.commands.get(name)!.description}\n`;
    }
    text += "Syntax:\n" +
      "        <command> -h show help on command options.\n" +
      "        [command] | <shell-command>\n" +
      "                     pipe command output to shell-command.\n";
    out(text);
  },
};

export const logCommand: PromptCommand = {
  name: "log",
  description: "log a message or all output.",
  flags: [
    { name: "i", type: "string", valueName: "MSG", help: "log an info message" },
    { name: "d", type: "string", valueName: "MSG", help: "log a debug message" },
    { name: "e", type: "string", valueName: "MSG", help: "log an error message" },
    { name: "f", type: "string", valueName: "MSG", help: "log a fatal error message and exit" },
    { name: "copy", type: "bool", help: "copy all prompt output to the log" },
    { name: "capture", type: "bool", help: "redirect all prompt output to the log" },
    {
      name: "prefix",
      type: "string",
      valueName: "PREFIX",
      help: "prefix for prompt output written to the log",
    },
  ],
  run({ session, prompt }, f) {
    const log = session.logger;
    const info = stringFlag(f, "i");
    const debug = stringFlag(f, "d");
    const error = stringFlag(f, "e");
    const fatal = stringFlag(f, "f");
    if (info) log.info(info);
    if (debug) log.debug(debug);
    if (error) log.error(error);
    if (boolFlag(f, "copy")) prompt.mirror = "copy";
    if (boolFlag(f, "capture")) prompt.mirror = "capture";
    const prefix = stringFlag(f, "prefix");
    if (prefix !== undefined) {
      if (prompt.mirror === "off") {
        throw new UsageError("cannot set prefix, output is not copied or captured into log");
      }
      prompt.mirrorPrefix = prefix;
    }
    if (fatal) {
      log.error(`fatal: ${fatal}`);
      session.fatal = fatal;
    }
  },
};

export const timeCommand: PromptCommand = {
  name: "time",
  description: "print timestamps or elapsed time.",
  flags: [
    { name: "now", type: "bool", help: "print the current Unix time" },
    {
      name: "start",
      type: "string",
      valueName: "NAME[,NAME...]",
      help: "start or restart stopwatches",
    },
    {
      name: "elapsed",
      type: "string",
      valueName: "NAME[,NAME...]",
      help: "print seconds since the stopwatches started",
    },
    { name: "stop", type: "string", valueName: "NAME[,NAME...]", help: "stop stopwatches" },
    { name: "sleep", type: "string", valueName: "SECONDS", help: "sleep (fractions allowed)" },
  ],
  async run({ session, out }, f) {
    const sleep = floatFlag(f, "sleep", MAX_SLEEP_S, "seconds");
    const nowS = session.opts.clock.wallMs() / 1000;
    const watches = session.stopwatches;
    if (boolFlag(f, "now")) out(`${nowS.toFixed(6)}\n`);
    for (const name of stringFlag(f, "start")?.split(",") ?? []) {
      watches.set(name, nowS);
      out(`stopwatch ${JSON.stringify(name)} started ${nowS.toFixed(6)}\n`);
    }
    for (const name of stringFlag(f, "elapsed")?.split(",") ?? []) {
      const started = watches.get(name);
      out(
        started === undefined
          ? `stopwatch ${JSON.stringify(name)} not started\n`
          : `${(nowS - started).toFixed(6)}\n`,
      );
    }
    for (const name of stringFlag(f, "stop")?.split(",") ?? []) {
      const started = watches.get(name);
      if (started === undefined) out(`stopwatch ${JSON.stringify(name)} not started\n`);
      else {
        out(`stopwatch ${JSON.stringify(name)} stopped at ${(nowS - started).toFixed(6)}\n`);
        watches.delete(name);
      }
    }
    if (sleep) await session.opts.clock.sleep(sleep * 1000);
  },
};
