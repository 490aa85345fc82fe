/**
 * One way to "run every N ms until stopped", for every component that loops
 * (pidwatcher polling, tracker scans, policy rounds, routines): a round
 * function run on the injected Clock, a heartbeat in `stats -t events` per
 * round, an error in one round logged and counted without ending the loop,
 * and a stop that takes effect within one interval (at once while sleeping).
 *
 * @module
 */
import type { Logger } from "../log/logger.ts";
import type { Stats } from "../stats/stats.ts";
import type { Clock } from "../time/clock.ts";

/** What a loop runs and on what. */
export interface LoopOptions {
  /** Name in heartbeats (`NAME.round`, `NAME.error`) and log lines. */
  name: string;
  clock: Clock;
  /** Time from the start of one round to the start of the next. */
  intervalMs: number;
  /** One round; its errors are logged and counted, and the loop goes on. */
  round: (signal: AbortSignal) => void | Promise<void>;
  /** Run the first round at once (default) or after one interval. */
  immediate?: boolean;
  stats?: Stats | undefined;
  logger?: Logger | undefined;
}

/** A loop that runs a round every `intervalMs` until stopped. */
export class Loop {
  readonly name: string;
  #opts: LoopOptions;
  #abort: AbortController | undefined;
  #done: Promise<void> | undefined;
  #rounds = 0;
  #errors = 0;

  constructor(options: LoopOptions) {
    if (!(options.intervalMs > 0)) {
      throw new RangeError(
        `Cannot start loop ${options.name}: interval must be above 0 ms (got ${options.intervalMs})`,
      );
    }
    this.name = options.name;
    this.#opts = options;
  }

  /** Whether the loop is running. */
  get running(): boolean {
    return this.#done !== undefined;
  }

  /** Rounds run so far. */
  get rounds(): number {
    return this.#rounds;
  }

  /** Rounds that threw. */
  get errors(): number {
    return this.#errors;
  }

  /** Starts the loop; does nothing if it runs already. `signal` stops it too. */
  start(signal?: AbortSignal): void {
    if (this.#done) return;
    const abort = new AbortController();
    this.#abort = abort;
    if (signal) {
      if (signal.aborted) abort.abort();
      else signal.addEventListener("abort", () => abort.abort(), { once: true });
    }
    // The first round starts on a later microtask, so that `start` returns
    // (and `running` is true) before any round code runs.
    this.#done = Promise.resolve().then(() => this.#run(abort.signal)).finally(() => {
      this.#done = undefined;
      this.#abort = undefined;
    });
  }

  /** Stops the loop and resolves when its current round has ended. */
  async stop(): Promise<void> {
    const done = this.#done;
    if (!done) return;
    this.#abort?.abort();
    await done;
  }

  /** Resolves when the loop has ended (after stop or an aborted signal). */
  finished(): Promise<void> {
    return this.#done ?? Promise.resolve();
  }

  async #run(signal: AbortSignal): Promise<void> {
    const { clock, intervalMs, stats, logger, name } = this.#opts;
    if (this.#opts.immediate === false) await clock.sleep(intervalMs, signal);
    while (!signal.aborted) {
      const started = clock.now();
      try {
        await this.#opts.round(signal);
      } catch (e) {
        this.#errors++;
        stats?.heartbeat(`${name}.error`);
        logger?.error(`${name}: ${e instanceof Error ? e.message : String(e)}`);
      }
      this.#rounds++;
      stats?.heartbeat(`${name}.round`);
      if (signal.aborted) break;
      await clock.sleep(Math.max(0, intervalMs - (clock.now() - started)), signal);
    }
  }
}
