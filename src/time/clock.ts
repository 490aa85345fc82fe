/**
 * Time, as components see it: a clock they are given, so that tests drive
 * them with `FakeClock` and no test waits for real time.
 *
 * @module
 */

/** A source of time and of waiting. */
export interface Clock {
  /** Milliseconds from an arbitrary start, monotonic. */
  now(): number;
  /** Milliseconds since the Unix epoch (for timestamps people read). */
  wallMs(): number;
  /** Resolves after `ms` milliseconds, or at once when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/**
 * The real clock: performance.now() and setTimeout. A sleep of 0 ms or less
 * (a loop whose round took its whole interval) is one turn of the event
 * loop through `setImmediate`: `setTimeout(0)` in a chain of timeouts is
 * held to 4 ms.
 */
export const realClock: Clock = {
  now: () => performance.now(),
  wallMs: () => Date.now(),
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      if (!(ms > 0)) return void setImmediate(resolve);
      const onAbort = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      }, Math.max(0, ms));
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  },
};

/**
 * A clock for tests: time stands still until someone sleeps; a sleep moves
 * time forward by its length and resolves on the next microtask, so loops
 * driven by the clock run at full speed and deterministically.
 */
export class FakeClock implements Clock {
  #now: number;
  #epochMs: number;

  constructor(startMs = 0, epochMs = 1_700_000_000_000) {
    this.#now = startMs;
    this.#epochMs = epochMs;
  }

  now(): number {
    return this.#now;
  }

  wallMs(): number {
    return this.#epochMs + this.#now;
  }

  /** Moves time forward without sleeping. */
  advance(ms: number): void {
    this.#now += ms;
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    await Promise.resolve();
    if (signal?.aborted) return;
    this.#now += Math.max(0, ms);
  }
}
