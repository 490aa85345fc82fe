/**
 * The `statactions` routine: every `IntervalMs` it runs `IntervalCommand`,
 * and `PageOutCommand` whenever `PageOutMB` more were paged out
 * (process_madvise MADV_PAGEOUT, as `stats -t process_madvise` counts)
 * since it last ran (0: every interval), each through a runner:
 *
 * - `exec` or "": runs argv as a program;
 * - `memtier`: argv as one prompt command on a fresh prompt, with the
 *   routine's policy attached, writing to standard output;
 * - `memtier-prompt`: one string run as a prompt line (`|` pipes allowed).
 *
 * `Timestamp` / `TimestampAfter` (see timestamp.ts) are printed before and
 * after each command. Heartbeats: `RoutineStatActions.tick` each interval,
 * `.IntervalCommand`, `.PageOutCommand`, and `.command.RUNNER: ... status:
 * ...` per command, as the Go memtierd names them. Unlike the Go one, each
 * routine keeps its own policy and start time.
 *
 * @module
 */
import { quoted } from "../common/excerpt.ts";
import { ConfigError } from "../config/config_error.ts";
import * as v from "valibot";
import { intInRange, parseWithSchema, positiveInt, stringList } from "../config/schema.ts";
import { MADV_PAGEOUT } from "../ffi/syscalls.ts";
import type { ComponentFactory } from "../lifecycle/deps.ts";
import { Loop } from "../loop/loop.ts";
import { PAGE_SIZE_BYTES } from "../memory/addr_range.ts";
import type { Policy } from "../policies/policy.ts";
import type { Routine, RoutineDeps } from "./routine.ts";
import { expandTimestamp } from "./timestamp.ts";
import { errorText } from "../common/error_text.ts";
import { FailureReport } from "../log/failure_report.ts";
import { type ProgramHost, realProgramHost, whyNotRunnable } from "../common/find_program.ts";

const RUNNERS = ["", "exec", "memtier", "memtier-prompt"] as const;
type Runner = typeof RUNNERS[number];

const runner = () =>
  v.optional(
    v.picklist(RUNNERS, `must be one of exec, memtier, memtier-prompt (or "" for exec)`),
    "",
  );

const schema = v.strictObject({
  IntervalMs: v.optional(positiveInt(3_600_000), 1000),
  IntervalCommand: v.optional(stringList(), []),
  IntervalCommandRunner: runner(),
  PageOutMB: v.optional(intInRange(0, 2 ** 31), 0),
  PageOutCommand: v.optional(stringList(), []),
  PageOutCommandRunner: runner(),
  Timestamp: v.optional(v.string("must be a string"), ""),
  TimestampAfter: v.optional(v.string("must be a string"), ""),
});

/** The statactions config, with defaults filled in. */
export type StatActionsConfig = v.InferOutput<typeof schema>;

function checkCommand(
  command: readonly string[],
  runnerName: Runner,
  key: string,
  what: string,
  host: ProgramHost,
): void {
  if (runnerName === "memtier-prompt" && command.length > 1) {
    throw new ConfigError({
      reason:
        `with runner memtier-prompt, must be a list of one string, a prompt line (got ${command.length} strings)`,
      keyPath: [key],
      component: what,
    });
  }
  if (command.length > 0 && command[0] === "") {
    throw new ConfigError({
      reason: 'must start with a program or command name (got "")',
      keyPath: [key],
      component: what,
    });
  }
  const program = command[0];
  if ((runnerName === "" || runnerName === "exec") && program !== undefined) {
    const why = whyNotRunnable(program, host);
    if (why !== undefined) {
      throw new ConfigError({
        reason: `cannot run ${quoted(program)}: ${why}`,
        keyPath: [key],
        component: what,
      });
    }
  }
}

/**
 * Checks a raw statactions config, and that the programs of its `exec`
 * commands can be started on `host`; the result has defaults filled in.
 */
export function parseStatActionsConfig(
  raw: unknown,
  what = "statactions",
  host: ProgramHost = realProgramHost,
): StatActionsConfig {
  const c = parseWithSchema(schema, raw, what);
  if (c.IntervalCommand.length === 0 && c.PageOutCommand.length === 0) {
    throw new ConfigError({
      reason: "no actions: give intervalcommand or pageoutcommand (a list of strings)",
      component: what,
    });
  }
  checkCommand(c.IntervalCommand, c.IntervalCommandRunner, "IntervalCommand", what, host);
  checkCommand(c.PageOutCommand, c.PageOutCommandRunner, "PageOutCommand", what, host);
  return c;
}

/** A statactions routine. */
export class StatActions implements Routine {
  readonly config: StatActionsConfig;
  #deps: RoutineDeps;
  #policy: Policy | null = null;
  #loop: Loop;
  #startedMs = 0;
  #lastPageOutPages = 0;
  #intervalFailures: FailureReport;
  #pageOutFailures: FailureReport;

  constructor(config: StatActionsConfig, deps: RoutineDeps) {
    this.config = config;
    this.#deps = deps;
    this.#intervalFailures = new FailureReport(
      "routines statactions intervalcommand",
      deps.logger,
    );
    this.#pageOutFailures = new FailureReport("routines statactions pageoutcommand", deps.logger);
    this.#loop = new Loop({
      name: "RoutineStatActions",
      clock: deps.clock,
      intervalMs: config.IntervalMs,
      immediate: false,
      stats: deps.stats,
      logger: deps.logger,
      round: () => this.#round(),
    });
  }

  setPolicy(policy: Policy | null): void {
    this.#policy = policy;
  }

  get running(): boolean {
    return this.#loop.running;
  }

  start(): void {
    if (this.#loop.running) throw new Error("already started");
    this.#startedMs = this.#deps.clock.wallMs();
    this.#lastPageOutPages = this.#deps.stats.madvisedPages(MADV_PAGEOUT);
    this.#loop.start();
  }

  stop(): Promise<void> {
    return this.#loop.stop();
  }

  dump(): string {
    return `routine "statactions": running=${this.#loop.running}`;
  }

  configJson(): string {
    return JSON.stringify(this.config);
  }

  async #round(): Promise<void> {
    const { stats } = this.#deps;
    stats.heartbeat("RoutineStatActions.tick");
    const c = this.config;
    const nowPageOutPages = stats.madvisedPages(MADV_PAGEOUT);
    if (c.IntervalCommand.length > 0) {
      await this.#runReported(c.IntervalCommandRunner, c.IntervalCommand, this.#intervalFailures);
      stats.heartbeat("RoutineStatActions.IntervalCommand");
    }
    const pagedOutMB = (nowPageOutPages - this.#lastPageOutPages) * PAGE_SIZE_BYTES / 2 ** 20;
    if (c.PageOutCommand.length > 0 && pagedOutMB >= c.PageOutMB) {
      this.#lastPageOutPages = nowPageOutPages;
      stats.heartbeat("RoutineStatActions.PageOutCommand");
      await this.#runReported(c.PageOutCommandRunner, c.PageOutCommand, this.#pageOutFailures);
    }
  }

  /** Runs a command; its failures go to `report` (the same one is logged once). */
  async #runReported(
    runnerName: Runner,
    command: readonly string[],
    report: FailureReport,
  ): Promise<void> {
    try {
      await this.#run(runnerName, command);
    } catch (e) {
      report.failed(errorText(e));
      return;
    }
    report.worked();
  }

  async #run(runnerName: Runner, command: readonly string[]): Promise<void> {
    const { out, clock } = this.#deps;
    if (this.config.Timestamp !== "") {
      out(expandTimestamp(this.config.Timestamp, clock.wallMs(), this.#startedMs));
    }
    try {
      await this.#runCommand(runnerName, command);
    } finally {
      if (this.config.TimestampAfter !== "") {
        out(expandTimestamp(this.config.TimestampAfter, clock.wallMs(), this.#startedMs));
      }
    }
  }

  async #runCommand(runnerName: Runner, command: readonly string[]): Promise<void> {
    const { stats, prompt } = this.#deps;
    switch (runnerName) {
      case "":
      case "exec": {
        let status: string;
        let failure: string | undefined;
        try {
          const r = await this.#deps.exec(command);
          status = r.code !== null ? `exit status ${r.code}` : `signal: ${r.signal}`;
          if (r.code !== 0) failure = status;
        } catch (e) {
          status = "not started";
          failure = `cannot run ${quoted(command[0]!)}: ${errorText(e)}`;
        }
        stats.heartbeat(`RoutineStatActions.command.exec: ${command[0]}... status: ${status}`);
        if (failure !== undefined) throw new Error(failure);
        return;
      }
      case "memtier": {
        const r = await prompt.runArgs(command, this.#policy);
        stats.heartbeat(`RoutineStatActions.command.memtier: ${command[0]}... status: ${r.code}`);
        if (r.code !== 0) throw new Error(r.error || `exit code ${r.code}`);
        return;
      }
      case "memtier-prompt": {
        const line = command[0] ?? "";
        const r = await prompt.runLine(line, this.#policy);
        stats.heartbeat(
          `RoutineStatActions.command.memtier-prompt: ${JSON.stringify(line)} status: ${r.code}`,
        );
        if (r.code !== 0) throw new Error(r.error || `exit code ${r.code}`);
        return;
      }
    }
  }
}

export const statActionsFactory: ComponentFactory<StatActionsConfig, Routine, RoutineDeps> = {
  description: "run commands every IntervalMs, and after PageOutMB were paged out",
  parse: (raw, what) => parseStatActionsConfig(raw, what),
  create: (config, deps) => new StatActions(config, deps),
};
