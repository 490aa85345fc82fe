/**
 * What the recorders share: a loop that calls `sample()` every intervalMs
 * between start() and stop(), and the bound on the samples kept.
 *
 * @module
 */
import type { Clock } from "../time/clock.ts";

/** Samples a recorder keeps unless told otherwise (the oldest go first). */
export const DEFAULT_MAX_SAMPLES = 10000;

/** Drops the oldest of `samples` beyond `max`. */
export function keepLast<T>(samples: T[], max = DEFAULT_MAX_SAMPLES): void {
  if (samples.length > max) samples.splice(0, samples.length - max);
}

export interface SamplingLoopOptions {
  clock: Clock;
  intervalMs: number;
  /** One sample; false ends the loop. */
  sample: () => boolean;
  /** A sample that threw: the loop ends. */
  onError?: (error: unknown) => void;
}

/** Calls `sample()` every intervalMs from start() until stop() or a sample says no more. */
export class SamplingLoop {
  readonly #opts: SamplingLoopOptions;
  #abort: AbortController | undefined;
  #loop: Promise<void> | undefined;

  constructor(opts: SamplingLoopOptions) {
    this.#opts = opts;
  }

  get running(): boolean {
    return this.#abort !== undefined;
  }

  /**
   * Samples every intervalMs from now until stop() (the first sample one
   * interval from now: take one with sample() first if wanted).
   */
  start(): void {
    if (this.#abort) return;
    const abort = new AbortController();
    this.#abort = abort;
    this.#loop = (async () => {
      while (!abort.signal.aborted) {
        await this.#opts.clock.sleep(this.#opts.intervalMs, abort.signal);
        // A clock that does not really wait (a test's) must neither starve
        // timers nor spin: at most one sample every 5 ms of real time.
        await new Promise((resolve) => setTimeout(resolve, 5));
        if (abort.signal.aborted) break;
        try {
          if (!this.#opts.sample()) break;
        } catch (e) {
          // Not an unhandled rejection that ends memtierd: a picture that
          // cannot be written stops only the recording.
          this.#opts.onError?.(e);
          break;
        }
      }
      if (this.#abort === abort) this.#abort = undefined;
    })();
  }

  /** Stops sampling; resolves when the loop has ended. */
  async stop(): Promise<void> {
    this.#abort?.abort();
    this.#abort = undefined;
    await this.#loop;
  }
}
