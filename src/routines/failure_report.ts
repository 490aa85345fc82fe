/**
 * How a routine reports a command that fails round after round (a program
 * that exits non-zero, standard output on a full disk or a closed pipe):
 * the first failure is one ERROR line, the same failure again is only
 * counted, a different one is a new ERROR line, and the first round that
 * works again is one INFO line saying how many rounds failed. A command run
 * five times a second then logs two lines, not five a second.
 *
 * @module
 */
import type { Logger } from "../log/logger.ts";

/** The failures of one command, reported as they change. */
export class FailureReport {
  #what: string;
  #logger: Logger;
  /** The reason of the last failure, undefined while the command works. */
  #failing: string | undefined;
  /** Rounds failed in a row. */
  #rounds = 0;

  /** `what` starts each line: `routines statactions intervalcommand`. */
  constructor(what: string, logger: Logger) {
    this.#what = what;
    this.#logger = logger;
  }

  /** Rounds failed in a row so far (0 while the command works). */
  get failedRounds(): number {
    return this.#rounds;
  }

  /** A round failed for `reason`: logged if it is not the failure logged last. */
  failed(reason: string): void {
    this.#rounds++;
    if (reason === this.#failing) return;
    this.#failing = reason;
    this.#logger.error(`${this.#what}: ${reason}`);
  }

  /** A round worked: logged if the rounds before it failed. */
  worked(): void {
    if (this.#failing === undefined) return;
    const n = this.#rounds;
    this.#failing = undefined;
    this.#rounds = 0;
    this.#logger.info(`${this.#what}: works again after ${n} failed round${n === 1 ? "" : "s"}`);
  }
}
