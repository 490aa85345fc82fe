/**
 * The Routine interface: something that runs beside the policy, on its own
 * interval (e.g. statactions: run a command every N ms, or after N MB were
 * paged out), and may run prompt commands against the policy.
 *
 * @module
 */
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
