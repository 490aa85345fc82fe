/**
 * Reading prompt lines: from a pipe or file line by line, or from a
 * terminal with line editing and history (node:readline). The loop itself
 * is pure: it takes any `LineSource`, so tests drive it with a list.
 *
 * @module
 */
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
    const line = await source.next(prompt.ps1);
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

/** Lines from a byte stream (a pipe or a file); the prompt is written with `write`. */
export function streamLineSource(
  stream: ReadableStream<Uint8Array>,
  write: (text: string) => void,
): LineSource {
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = "";
  let done = false;
  return {
    async next(ps1) {
      write(ps1);
      for (;;) {
        const nl = buffered.indexOf("\n");
        if (nl >= 0) {
          const line = buffered.slice(0, nl).replace(/\r$/, "");
          buffered = buffered.slice(nl + 1);
          return line;
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
  let closed = false;
  rl.on("close", () => (closed = true));
  return {
    next(ps1) {
      if (closed) return Promise.resolve(null);
      return new Promise((resolve) => {
        const onClose = () => resolve(null);
        rl.once("close", onClose);
        rl.question(ps1, (answer: string) => {
          rl.off("close", onClose);
          resolve(answer);
        });
      });
    },
    close() {
      rl.close();
    },
  };
}
