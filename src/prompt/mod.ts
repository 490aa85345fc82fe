/**
 * prompt: memtierd's command mode, the Go memtierd's prompt commands.
 *
 *   interact.ts ──lines──> prompt.ts ──words──> commands/*.ts ──> session.ts
 *   (pipe, file,           (tokenize.ts,        (q nop help log    (ranges, pages,
 *    terminal)              pipes to sh -c,      time arange pages  mover, stats,
 *                           errors -> 1 line)    swap mover stats)  clock, syscalls)
 *
 * The prompt logic is pure over its `Session` and output functions; the
 * terminal and the shell are at the edges (interact.ts, session.ts
 * `realShell`), so tests run it without a TTY.
 *
 * The commands are not re-exported here: command mode imports
 * commands/mod.ts (`builtinCommands`) only when a line is to be run, so
 * that a daemon without -c, -f, -prompt or routines does not load them.
 *
 * @module
 */
export type { CommandContext, PromptCommand } from "./command.ts";
export {
  editorLineSource,
  interact,
  type LineEditor,
  type LineSource,
  listLineSource,
  streamLineSource,
  terminalLineSource,
} from "./interact.ts";
export { type LineResult, Prompt, type PromptOutput } from "./prompt.ts";
export {
  adoptPolicy,
  realShell,
  Session,
  type SessionOptions,
  type ShellRunner,
} from "./session.ts";
export { PromptSyntaxError, tokenize } from "./tokenize.ts";
