/**
 * Reading prompt lines: from a pipe or file line by line, or from a
 * terminal with line editing and history (node:readline). The loop itself
 * is pure: it takes any `LineSource`, so tests drive it with a list.
 *
 * @module
 */
import { MAX_PROMPT_LINE_CHARS } from "../common/limits.ts";
import { UsageError } from "../errors.ts";
import type { Prompt } from "./prompt.ts";

/** Where prompt lines come from. */
export interface LineSource {
  /** The next line without its newline, or null at the end. `ps1` is the prompt to show. */
  next(ps1: string): Promise<string | null>;
  close(): void;
}

/**
 * Runs lines from `source` until it ends or a line quits, as the Go
 * memtierd's prompt does: shows the prompt, echoes the line if asked, and
 * says `quit.` at the end.
 */
export async function interact(prompt: Prompt, source: LineSource, echo: boolean): Promise<void> {
  for (;;) {
    let line: string | null;
    try {
      line = await source.next(prompt.ps1);
    } catch (e) {
      if (!(e instanceof LineTooLongError)) throw e;
      prompt.fail(e);
      continue;
    }
    if (line === null) {
      prompt.write("quit: EOF\n");
      break;
    }
    if (echo) prompt.write(`${line}\n`);
    const r = await prompt.runLine(line);
    if (r.quit) break;
  }
  prompt.write("quit.\n");
}

/** Lines from a list, as if typed (for tests and scripted sessions). */
export function listLineSource(lines: readonly string[], write: (t: string) => void): LineSource {
  let i = 0;
  return {
    next(ps1) {
      write(ps1);
      return Promise.resolve(i < lines.length ? lines[i++]! : null);
    },
    close() {},
  };
}

/** A prompt line beyond `maxChars`: it is skipped, up to its newline. */
export class LineTooLongError extends UsageError {
  override name = "LineTooLongError";
  constructor(maxChars: number) {
    super(`line too long: more than ${maxChars} characters (the most a prompt line may have)`);
  }
}

/**
 * Lines from a byte stream (a pipe or a file); the prompt is written with
 * `write`. A line longer than `maxChars` is never held whole: `next`
 * throws LineTooLongError once it is seen, and the rest of that line is
 * read and dropped (`-prompt </dev/zero` uses no memory, only time).
 */
export function streamLineSource(
  stream: ReadableStream<Uint8Array>,
  write: (text: string) => void,
  maxChars = MAX_PROMPT_LINE_CHARS,
): LineSource {
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = "";
  let done = false;
  /** Dropping the rest of a line that was too long. */
  let skipping = false;
  return {
    async next(ps1) {
      write(ps1);
      for (;;) {
        const nl = buffered.indexOf("\n");
        if (skipping) {
          buffered = nl >= 0 ? buffered.slice(nl + 1) : "";
          skipping = nl < 0;
          if (skipping && done) return null;
          if (skipping) {
            const { value, done: end } = await reader.read();
            if (end) done = true;
            else buffered = value;
          }
          continue;
        }
        if (nl >= 0) {
          const line = buffered.slice(0, nl).replace(/\r$/, "");
          buffered = buffered.slice(nl + 1);
          if (line.length > maxChars) {
            throw new LineTooLongError(maxChars);
          }
          return line;
        }
        if (buffered.length > maxChars) {
          skipping = true;
          throw new LineTooLongError(maxChars);
        }
        if (done) {
          if (buffered === "") return null;
          const last = buffered;
          buffered = "";
          return last;
        }
        const { value, done: end } = await reader.read();
        if (end) done = true;
        else buffered += value;
      }
    },
    close() {
      reader.cancel().catch(() => {});
    },
  };
}

/** What a line source needs of a terminal line editor (node:readline's Interface). */
export interface LineEditor {
  on(event: "line", listener: (line: string) => void): unknown;
  on(event: "close", listener: () => void): unknown;
  setPrompt(prompt: string): void;
  prompt(): void;
  close(): void;
}

/**
 * Lines from a line editor, every one of them in order: lines typed ahead
 * or pasted several at once arrive as several `line` events while a
 * command runs, and wait in a queue for their turn (asking the editor one
 * question at a time would keep only the first). The prompt is shown when
 * the queue is empty, so a pasted block does not print prompts between its
 * lines.
 */
export function editorLineSource(editor: LineEditor): LineSource {
  const queue: string[] = [];
  let closed = false;
  let waiting: ((line: string | null) => void) | undefined;
  const hand = (line: string | null) => {
    const resolve = waiting;
    waiting = undefined;
    resolve?.(line);
  };
  editor.on("line", (line) => {
    if (waiting) hand(line);
    else queue.push(line);
  });
  editor.on("close", () => {
    closed = true;
    hand(null);
  });
  return {
    next(ps1) {
      if (queue.length > 0) return Promise.resolve(queue.shift()!);
      if (closed) return Promise.resolve(null);
      editor.setPrompt(ps1);
      editor.prompt();
      return new Promise((resolve) => (waiting = resolve));
    },
    close() {
      editor.close();
    },
  };
}

/** Lines from a terminal, with line editing and history. */
export async function terminalLineSource(): Promise<LineSource> {
  const readline = await import("node:readline");
  const process = (await import("node:process")).default;
  const rl = readline.createInterface({
    input: process.stdin,
    output: process.stdout,
    terminal: true,
    historySize: 1000,
  });
  return editorLineSource(rl);
}
