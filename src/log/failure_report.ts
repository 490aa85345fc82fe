/**
 * How a loop reports a step that fails round after round (a routine's
 * command that exits non-zero or whose standard output is a full disk or a
 * closed pipe, a heat forecaster whose file cannot be written): the first
 * failure is one ERROR line, the same failure again is only counted, a
 * different one is a new ERROR line, and the first round that works again
 * is one INFO line saying how many rounds failed. A command run five times
 * a second then logs two lines, not five a second.
 *
 * @module
 */
import type { Logger } from "./logger.ts";

/** The failures of one step, reported as they change. */
export class FailureReport {
  #what: string;
  #logger: Logger;
  /** The reason of the last failure, undefined while the command works. */
  #failing: string | undefined;
  /** Rounds failed in a row. */
  #rounds = 0;

  /** `what` starts each line: `routines statactions intervalcommand`, `policy heat: forecaster trace`. */
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
