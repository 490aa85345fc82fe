/**
 * The Routine interface: something that runs beside the policy, on its own
 * interval (e.g. statactions: run a command every N ms, or after N MB were
 * paged out), and may run prompt commands against the policy.
 *
 * @module
 */
import type { ComponentDeps } from "../lifecycle/deps.ts";
import type { Policy } from "../policies/policy.ts";

/** A routine. */
export interface Routine {
  /** The running policy (null when there is none), for prompt-command runners. */
  setPolicy(policy: Policy | null): void;
  start(): void | Promise<void>;
  stop(): Promise<void>;
  dump(args: readonly string[]): string;
  configJson(): string;
}

/** How a prompt command run by a routine ended. */
export interface PromptResult {
  /** 0, or the exit code of its error. */
  code: number;
  /** Its error line, without `memtierd: ` and newline ("" when it worked): the routine reports it. */
  error: string;
}

/** Runs prompt commands for a routine, each on a fresh prompt with the policy attached. */
export interface PromptRunner {
  /** Runs `args` as one command (no word splitting, no pipe). */
  runArgs(args: readonly string[], policy: Policy | null): Promise<PromptResult>;
  /** Runs `line` as a prompt line (`|` pipes to a shell). */
  runLine(line: string, policy: Policy | null): Promise<PromptResult>;
}

/** How a program run by a routine ended. */
export interface ExecResult {
  /** Exit code, or null when a signal ended it. */
  code: number | null;
  signal: string | null;
}

/** What routines are built with, beyond what every component gets. */
export interface RoutineDeps extends ComponentDeps {
  prompt: PromptRunner;
  /** Runs argv[0] with the rest as arguments; rejects when it cannot be started. */
  exec(argv: readonly string[]): Promise<ExecResult>;
  /** memtierd's standard output (timestamps, command output). */
  out(text: string): void;
}
