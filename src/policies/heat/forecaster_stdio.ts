/**
 * The `stdio` heat forecaster: a child process that reads the current
 * heats as one line of JSON on its stdin and answers with one line of JSON
 * on its stdout, the forecast heats, in the same form (the Go memtierd's):
 *
 *   {"PID":[{"addr":A,"length":PAGES,"heat":H,"created":NS,"updated":NS}, ...], ...}
 *
 * (addresses in bytes, lengths in pages, times in ns since the epoch; keys
 * of a range in any case). An empty answer `{}` forecasts no process.
 *
 * Config: `Command` (the program and its arguments, required), `Stderr`
 * (`""`: the child writes to memtierd's stderr; `file:/path`: appended to
 * that file), `Retry` (how many times a child that exited or hung is
 * started again, default 0), `TimeoutMs` (how long to wait for an answer,
 * default 5000; ours).
 *
 * A child that misbehaves never stops the policy: a bad answer, an exit or
 * an answer later than TimeoutMs gives one log line and no forecast for
 * that round; a child that exited or hung is killed, reaped and started
 * again (up to Retry times, then the forecaster gives up with one more log
 * line). The child starts at the first forecast and is killed and reaped on
 * `stop()`.
 *
 * @module
 */
import { errorText } from "../../common/error_text.ts";
import { quoted } from "../../common/excerpt.ts";
import { type ProgramHost, realProgramHost, whyNotRunnable } from "../../common/find_program.ts";
import {
  type FileLookup,
  openAppend,
  realFileLookup,
  whyNotAppendable,
} from "../../common/safe_write.ts";
import { ConfigError } from "../../config/config_error.ts";
import * as v from "valibot";
import { intInRange, parseWithSchema, positiveInt, stringList } from "../../config/schema.ts";
import type { ComponentDeps, ComponentFactory } from "../../lifecycle/deps.ts";
import type { Logger } from "../../log/logger.ts";
import type { HeatForecaster, Heats, RangeHeat } from "../policy.ts";

const commandMsg = "must be a list of strings: the program and its arguments";
const stderrMsg = 'must be "" (memtierd\'s own stderr) or "file:/path/to/file"';

const schema = v.strictObject({
  Command: v.pipe(stringList(), v.minLength(1, commandMsg)),
  Stderr: v.optional(
    v.pipe(
      v.string(stderrMsg),
      v.check((s) => s === "" || (s.startsWith("file:") && s.length > 5), stderrMsg),
    ),
    "",
  ),
  Retry: v.optional(intInRange(0, 1000), 0),
  TimeoutMs: v.optional(positiveInt(3_600_000), 5000),
});

export type StdioForecasterConfig = v.InferOutput<typeof schema>;

/**
 * Checks a raw stdio config, and, without running or opening anything,
 * that its Command's program can be started on `host` and its Stderr file
 * appended to on `fs`: refused at load, not failed every round.
 */
export function parseStdioForecasterConfig(
  raw: unknown,
  what: string,
  host: ProgramHost = realProgramHost,
  fs: FileLookup = realFileLookup,
): StdioForecasterConfig {
  const c = parseWithSchema(schema, raw, what);
  const program = c.Command[0]!;
  const notRunnable = program === "" ? "no program named" : whyNotRunnable(program, host);
  if (notRunnable !== undefined) {
    throw new ConfigError({
      reason: `cannot run ${quoted(program)}: ${notRunnable}`,
      keyPath: ["Command"],
      component: what,
    });
  }
  if (c.Stderr.startsWith("file:")) {
    const file = c.Stderr.slice(5);
    const notWritable = whyNotAppendable(file, fs);
    if (notWritable !== undefined) {
      throw new ConfigError({
        reason: `cannot write stderr to ${quoted(file)}: ${notWritable}`,
        keyPath: ["Stderr"],
        component: what,
      });
    }
  }
  return c;
}

/** Heats as one line of JSON, times in ns. */
export function heatsToJson(heats: Heats): string {
  const out: Record<string, unknown[]> = {};
  for (const [pid, ranges] of heats) {
    out[String(pid)] = ranges.map((r) => ({
      addr: r.addr,
      length: r.lengthPages,
      heat: r.heat,
      created: Math.round(r.createdMs * 1e6),
      updated: Math.round(r.updatedMs * 1e6),
    }));
  }
  return JSON.stringify(out);
}

/** Reads heats written as `heatsToJson` writes them; throws a one-line reason. */
export function heatsFromJson(line: string): Heats {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    throw new SyntaxError(`not JSON: ${JSON.stringify(line.slice(0, 80))}`);
  }
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new SyntaxError("expected a map of pid to a list of ranges");
  }
  const heats: Heats = new Map();
  for (const [key, list] of Object.entries(raw)) {
    if (!/^[1-9][0-9]{0,9}$/.test(key)) {
      throw new SyntaxError(`${JSON.stringify(key)} is not a pid`);
    }
    if (!Array.isArray(list)) throw new SyntaxError(`pid ${key}: expected a list of ranges`);
    const ranges: RangeHeat[] = list.map((item: unknown, i) => {
      if (item === null || typeof item !== "object") {
        throw new SyntaxError(`pid ${key} range ${i}: expected a map`);
      }
      const f = new Map(Object.entries(item).map(([k, x]) => [k.toLowerCase(), x]));
      const num = (name: string, required: boolean): number => {
        const x = f.get(name);
        if (x === undefined && !required) return 0;
        if (typeof x !== "number" || !Number.isFinite(x) || x < 0) {
          throw new SyntaxError(`pid ${key} range ${i}: "${name}" must be a number from 0`);
        }
        return x;
      };
      return {
        addr: num("addr", true),
        lengthPages: num("length", true),
        heat: num("heat", true),
        createdMs: num("created", false) / 1e6,
        updatedMs: num("updated", false) / 1e6,
      };
    });
    heats.set(Number(key), ranges);
  }
  return heats;
}

/** A running child with a line reader on its stdout. */
class Child {
  readonly proc: Deno.ChildProcess;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly #stderrDone: Promise<void>;
  #buf = "";
  #decoder = new TextDecoder();
  exit: Deno.CommandStatus | null = null;

  constructor(config: StdioForecasterConfig) {
    const toFile = config.Stderr.startsWith("file:") ? config.Stderr.slice(5) : null;
    const file = toFile === null ? null : openAppend("forecaster stderr to", toFile);
    try {
      this.proc = new Deno.Command(config.Command[0]!, {
        args: config.Command.slice(1),
        stdin: "piped",
        stdout: "piped",
        stderr: file ? "piped" : "inherit",
      }).spawn();
    } catch (e) {
      file?.close();
      throw e;
    }
    this.proc.status.then((s) => this.exit = s);
    this.#stderrDone = file
      ? this.proc.stderr.pipeTo(file.writable).catch(() => {})
      : Promise.resolve();
    this.#writer = this.proc.stdin.getWriter();
    this.#reader = this.proc.stdout.getReader();
  }

  async send(line: string): Promise<void> {
    await this.#writer.write(new TextEncoder().encode(line + "\n"));
  }

  /** The next line, or null at the end of the output. */
  async readLine(): Promise<string | null> {
    for (;;) {
      const nl = this.#buf.indexOf("\n");
      if (nl >= 0) {
        const line = this.#buf.slice(0, nl);
        this.#buf = this.#buf.slice(nl + 1);
        return line;
      }
      const { value, done } = await this.#reader.read();
      if (done) return null;
      this.#buf += this.#decoder.decode(value, { stream: true });
    }
  }

  /** Kills (if still running) and reaps the child, and closes its pipes. */
  async end(): Promise<void> {
    try {
      this.proc.kill("SIGKILL");
    } catch {
      // It exited already.
    }
    await this.#writer.close().catch(() => {});
    await this.#reader.cancel().catch(() => {});
    this.exit = await this.proc.status;
    await this.#stderrDone;
  }
}

type Outcome =
  | { ok: true; heats: Heats }
  | { ok: false; reason: string; restart: boolean; hung?: boolean };

/** Asks a child process for forecasts. */
export class StdioForecaster implements HeatForecaster {
  readonly config: StdioForecasterConfig;
  #logger: Logger;
  #child: Child | null = null;
  #restartsLeft: number;
  #starts = 0;
  #gaveUp = false;
  #answers = 0;

  constructor(config: StdioForecasterConfig, deps: Pick<ComponentDeps, "logger">) {
    this.config = config;
    this.#logger = deps.logger;
    this.#restartsLeft = config.Retry;
  }

  #name(): string {
    return `heat forecaster stdio (${this.config.Command.join(" ")})`;
  }

  /** Pid of the running child, or null. */
  get childPid(): number | null {
    return this.#child?.proc.pid ?? null;
  }

  async forecast(heats: Heats): Promise<Heats | null> {
    if (this.#gaveUp) return null;
    for (;;) {
      if (!this.#child) {
        this.#starts++;
        try {
          this.#child = new Child(this.config);
        } catch (e) {
          this.#gaveUp = true;
          this.#logger.error(
            `${this.#name()}: cannot start: ${errorText(e)}`,
          );
          return null;
        }
      }
      const out = await this.#ask(this.#child, heats);
      if (out.ok) {
        this.#answers++;
        return out.heats;
      }
      if (!out.restart) {
        this.#logger.error(`${this.#name()}: ${out.reason}; no forecast this round`);
        return null;
      }
      await this.#child.end();
      this.#child = null;
      if (this.#restartsLeft === 0) {
        this.#gaveUp = true;
        this.#logger.error(
          `${this.#name()}: ${out.reason}; gave up after ${this.config.Retry} restarts: ` +
            "no more forecasts",
        );
        return null;
      }
      this.#restartsLeft--;
      this.#logger.error(
        `${this.#name()}: ${out.reason}; restarting it (${this.#restartsLeft} restarts left)`,
      );
      // A child that exited is asked again at once; one that hung, next round.
      if (out.hung) return null;
    }
  }

  async #ask(child: Child, heats: Heats): Promise<Outcome> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), this.config.TimeoutMs);
    });
    try {
      const exchange = (async () => {
        await child.send(heatsToJson(heats));
        return await child.readLine();
      })();
      exchange.catch(() => {}); // settled later if the timeout wins
      let line: string | null | "timeout";
      try {
        line = await Promise.race([exchange, timeout]);
      } catch {
        line = null; // stdin closed: the child is gone
      }
      if (line === "timeout") {
        return {
          ok: false,
          reason: `no answer within ${this.config.TimeoutMs} ms`,
          restart: true,
          hung: true,
        };
      }
      if (line === null) {
        const status = await child.proc.status;
        const how = status.signal
          ? `was killed by ${status.signal}`
          : `exited with code ${status.code}`;
        return { ok: false, reason: `the child ${how}`, restart: true };
      }
      try {
        return { ok: true, heats: heatsFromJson(line) };
      } catch (e) {
        return {
          ok: false,
          reason: `bad answer: ${errorText(e)}`,
          restart: false,
        };
      }
    } finally {
      clearTimeout(timer);
    }
  }

  async stop(): Promise<void> {
    const child = this.#child;
    this.#child = null;
    if (child) await child.end();
  }

  dump(): string {
    return `HeatForecasterStdio{config=${JSON.stringify(this.config)} pid=${
      this.childPid ?? "none"
    } starts=${this.#starts} answers=${this.#answers}${this.#gaveUp ? " gave-up" : ""}}`;
  }
}

export const stdioForecasterFactory: ComponentFactory<StdioForecasterConfig, HeatForecaster> = {
  description: "asks a child process (one JSON line each way) for the forecast heats",
  parse: (raw, what) => parseStdioForecasterConfig(raw, what),
  create: (config, deps) => new StdioForecaster(config, deps),
};
