/**
 * One way to "run every N ms until stopped", for every component that loops
 * (pidwatcher polling, tracker scans, policy rounds, routines): a round
 * function run on the injected Clock, a heartbeat in `stats -t events` per
 * round, an error in one round logged and counted without ending the loop,
 * and a stop that takes effect within one interval (at once while sleeping).
 *
 * A loop that has work only at times (the mover: tasks come and go, a
 * person pauses it) gives `ready`: while it says no, the loop neither runs
 * rounds nor wakes up on the clock; `wake()` makes it look again. The round
 * after such a wait (and the first one) is told it `resumed`, so a
 * rate-limited round can start from a fresh budget.
 *
 * @module
 */
import type { Logger } from "../log/logger.ts";
import type { Stats } from "../stats/stats.ts";
import type { Clock } from "../time/clock.ts";
import { errorText } from "../common/error_text.ts";

/**
 * Resolves on a later turn of the event loop (not a microtask), so that I/O
 * waiting meanwhile (the prompt's input, a pidwatcher's reads) and timers
 * that are due are served: what a long round awaits between its slices.
 * `setImmediate`, not `setTimeout(0)`: a chain of timeouts is held to 4 ms
 * each from the fifth on (the HTML rule Deno follows), and under QEMU's
 * emulation such a wait cost a tracker scanning rounds back to back a
 * quarter of its pace.
 */
export function nextMacrotask(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** What a loop runs and on what. */
export interface LoopOptions {
  /** Name in heartbeats (`NAME.round`, `NAME.error`) and log lines. */
  name: string;
  clock: Clock;
  /**
   * Time from the start of one round to the start of the next; a function
   * when it may change while the loop runs (read before each sleep).
   */
  intervalMs: number | (() => number);
  /**
   * One round; its errors are logged and counted, and the loop goes on. A
   * round that returns false ends the loop (a recorder whose process is
   * gone), as stop() would.
   */
  round: (signal: AbortSignal, info: RoundInfo) => void | boolean | Promise<void | boolean>;
  /**
   * Whether there is work: checked before each round and after it; while
   * false, the loop waits for `wake()` (or a stop) instead of the clock.
   * Default: always ready.
   */
  ready?: () => boolean;
  /** Run the first round at once (default) or after one interval. */
  immediate?: boolean;
  stats?: Stats | undefined;
  logger?: Logger | undefined;
}

/** What a round is told about itself. */
export interface RoundInfo {
  /** The first round after start, or after the loop waited for `wake()`. */
  resumed: boolean;
}

/** A loop that runs a round every `intervalMs` until stopped. */
export class Loop {
  readonly name: string;
  #opts: LoopOptions;
  #abort: AbortController | undefined;
  #done: Promise<void> | undefined;
  #rounds = 0;
  #errors = 0;
  /** Resolves the wait for work, while the loop waits. */
  #wakeUp: (() => void) | undefined;
  /** A wake() that came while the loop did not wait: the next wait returns at once. */
  #woken = false;

  constructor(options: LoopOptions) {
    if (typeof options.intervalMs === "number" && !(options.intervalMs > 0)) {
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

  /** Makes a loop that waits for work (see `ready`) look again at once. */
  wake(): void {
    const wakeUp = this.#wakeUp;
    if (wakeUp) {
      this.#wakeUp = undefined;
      wakeUp();
    } else {
      this.#woken = true;
    }
  }

  /** Resolves when the loop has ended (after stop or an aborted signal). */
  finished(): Promise<void> {
    return this.#done ?? Promise.resolve();
  }

  #intervalMs(): number {
    const i = this.#opts.intervalMs;
    return typeof i === "number" ? i : i();
  }

  #ready(): boolean {
    return this.#opts.ready?.() ?? true;
  }

  /** Waits for `wake()` or the signal. */
  #waitForWork(signal: AbortSignal): Promise<void> {
    if (this.#woken || signal.aborted) {
      this.#woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        signal.removeEventListener("abort", done);
        this.#wakeUp = undefined;
        resolve();
      };
      this.#wakeUp = done;
      signal.addEventListener("abort", done, { once: true });
    });
  }

  async #run(signal: AbortSignal): Promise<void> {
    const { clock, stats, logger, name } = this.#opts;
    if (this.#opts.immediate === false) await clock.sleep(this.#intervalMs(), signal);
    let resumed = true;
    while (!signal.aborted) {
      if (!this.#ready()) {
        await this.#waitForWork(signal);
        resumed = true;
        continue;
      }
      const started = clock.now();
      let more: void | boolean = true;
      try {
        more = await this.#opts.round(signal, { resumed });
      } catch (e) {
        this.#errors++;
        stats?.heartbeat(`${name}.error`);
        logger?.error(`${name}: ${errorText(e)}`);
      }
      resumed = false;
      this.#rounds++;
      stats?.heartbeat(`${name}.round`);
      if (signal.aborted || more === false) break;
      // Out of work: wait for a wake, not for the clock.
      if (!this.#ready()) continue;
      await clock.sleep(Math.max(0, this.#intervalMs() - (clock.now() - started)), signal);
    }
  }
}
