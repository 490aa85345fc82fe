/**
 * Running a program for a routine's `exec` runner, for real: standard input
 * from /dev/null, standard output and error those of memtierd (the Go
 * memtierd discards them; we keep them, so a failing command says why).
 *
 * @module
 */
import type { ExecResult } from "./routine.ts";

/** Runs argv; resolves when the program ended; rejects when it cannot start. */
export async function realExec(argv: readonly string[]): Promise<ExecResult> {
  const [program, ...args] = argv;
  if (program === undefined) return { code: 0, signal: null };
  const child = new Deno.Command(program, {
    args,
    stdin: "null",
    stdout: "inherit",
    stderr: "inherit",
  }).spawn();
  const status = await child.status;
  return { code: status.signal === null ? status.code : null, signal: status.signal };
}
