/**
 * The prompt: runs one line at a time. A line is split into words (see
 * tokenize.ts), the first word names a command, its flags are parsed Go
 * style, and the command runs on the shared session. With a bare `|`, the
 * command's output goes to `sh -c` and the shell's output to the prompt.
 *
 * Lines run one after another (a line's command finishes before the next
 * starts), whoever sends them: -c, -f, stdin, routines. An error is one
 * line on the error stream, and the prompt goes on; the first error's exit
 * code is kept for memtierd's exit status.
 *
 * @module
 */
import { MAX_PROMPT_LINE_CHARS } from "../common/limits.ts";
import { quoted } from "../common/excerpt.ts";
import { exitCodeFor } from "../common/exit_codes.ts";
import { flagHelp, parseFlags } from "../common/flags.ts";
import type { FlagSpec, ParsedFlags } from "../common/flags.ts";
import { UsageError } from "../errors.ts";
import type { Session } from "./session.ts";
import { tokenize } from "./tokenize.ts";
import { errorText } from "../common/error_text.ts";

/** What a running command can use. */
export interface CommandContext {
  session: Session;
  /** The prompt running the command (for help and the log mirror). */
  prompt: Prompt;
  /** Writes to the prompt's output (or into a pipe). */
  out: (text: string) => void;
  /** The words after the flags (for `-dump` arguments). */
  rest: readonly string[];
}

/** A prompt command. */
export interface PromptCommand {
  readonly name: string;
  readonly description: string;
  readonly flags: readonly FlagSpec[];
  run(ctx: CommandContext, flags: ParsedFlags["values"]): Promise<void> | void;
}

/** Where the prompt writes. */
export interface PromptOutput {
  out: (text: string) => void;
  err: (text: string) => void;
}

/** How prompt output reaches the log (`log -copy`, `log -capture`). */
export type LogMirror = "off" | "copy" | "capture";

const HELP_FLAG: FlagSpec = {
  name: "h",
  type: "bool",
  help: "show help on this command's options",
};

/** The result of a line. */
export interface LineResult {
  /** `q` was given, or a fatal log message ended memtierd. */
  quit: boolean;
  /** 0, or the exit code of the line's error. */
  code: number;
}

/** Runs prompt lines on a session. */
export class Prompt {
  readonly session: Session;
  readonly commands: ReadonlyMap<string, PromptCommand>;
  readonly ps1 = "memtierd> ";
  #io: PromptOutput;
  #queue: Promise<unknown> = Promise.resolve();
  mirror: LogMirror = "off";
  mirrorPrefix: string | undefined;
  /** The exit code of the first failed line (0 if none failed). */
  firstErrorCode = 0;

  constructor(session: Session, io: PromptOutput, commands: readonly PromptCommand[]) {
    this.session = session;
    this.#io = io;
    this.commands = new Map(commands.map((c) => [c.name, c]));
  }

  /** Writes prompt output, mirrored into the log if asked. */
  write(text: string): void {
    if (this.mirror !== "off") this.session.logger.info(`${this.mirrorPrefix ?? ""}${text}`);
    if (this.mirror !== "capture") this.#io.out(text);
  }

  /** Writes one error line. */
  error(message: string): void {
    this.#io.err(`memtierd: ${message}\n`);
  }

  /** Runs a line after every line given before it has finished. Never rejects. */
  runLine(line: string): Promise<LineResult> {
    const run = this.#queue.then(() => this.#runLine(line));
    this.#queue = run;
    return run;
  }

  /** Reports a line that failed before it could run (exit code as for the line's own errors). */
  fail(e: unknown): void {
    const code = exitCodeFor(e);
    this.error(e instanceof Error ? e.message : String(e));
    if (this.firstErrorCode === 0) this.firstErrorCode = code;
  }

  async #runLine(line: string): Promise<LineResult> {
    let code = 0;
    try {
      if (line.length > MAX_PROMPT_LINE_CHARS) {
        throw new UsageError(
          `line too long: ${line.length} characters (at most ${MAX_PROMPT_LINE_CHARS})`,
        );
      }
      const { args, pipe } = tokenize(line.trim());
      if (args.length === 0 && pipe === undefined) return { quit: false, code: 0 };
      const name = args[0] || "nop";
      const command = this.commands.get(name);
      if (!command) {
        throw new UsageError(`unknown command ${quoted(name)} (try help)`);
      }
      if (pipe === undefined) {
        await this.#runCommand(command, args.slice(1), (t) => this.write(t));
      } else {
        let captured = "";
        await this.#runCommand(command, args.slice(1), (t) => (captured += t));
        if (pipe.trim() === "") throw new UsageError("missing shell command after |");
        const result = await this.session.opts.runShell(pipe, captured);
        this.write(result.output);
      }
      if (name === "q") return { quit: true, code: 0 };
    } catch (e) {
      code = exitCodeFor(e);
      const message = errorText(e);
      this.error(code === 70 ? `internal error: ${message}` : message);
      if (this.firstErrorCode === 0) this.firstErrorCode = code;
    }
    return { quit: this.session.fatal !== undefined, code };
  }

  async #runCommand(command: PromptCommand, args: string[], out: (t: string) => void) {
    const specs = [...command.flags, HELP_FLAG];
    let parsed;
    try {
      parsed = parseFlags(args, specs, "-");
    } catch (e) {
      if (e instanceof UsageError) throw new UsageError(`${command.name}: ${e.message}`);
      throw e;
    }
    if (parsed.values.get("h") === true) {
      out(`Usage of ${command.name}: ${command.description}\n${flagHelp(specs, "-")}\n`);
      return;
    }
    try {
      await command.run(
        { session: this.session, prompt: this, out, rest: parsed.rest },
        parsed.values,
      );
    } catch (e) {
      if (e instanceof Error && !e.message.startsWith(`${command.name}: `)) {
        e.message = `${command.name}: ${e.message}`;
      }
      throw e;
    }
  }
}
