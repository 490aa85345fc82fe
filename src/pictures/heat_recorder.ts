/**
 * Records the heat of one process's address space over time, from a
 * policy's heatmap (the heat policy's `heats()`), at an interval: what the
 * heat chart draws.
 *
 * @module
 */
import type { PolicyHeats } from "../policies/policy.ts";
import type { Clock } from "../time/clock.ts";
import type { HeatSample } from "./heat_chart.ts";

/** What a heat recorder samples, how often, and what it calls. */
export interface HeatRecorderOptions {
  clock: Clock;
  /** The heatmap now; null when there is none (the policy was removed). */
  source: () => PolicyHeats | null;
  /** The process recorded. */
  pid: number;
  /** Time between samples. */
  intervalMs: number;
  /** Most samples kept (oldest dropped). Default 10000. */
  maxSamples?: number;
  /** Called after each sample (to keep a picture file up to date). */
  onSample?: (samples: readonly HeatSample[], scale: HeatScale) => void;
  /** Called with what a sample (or onSample) threw; recording then stops. */
  onError?: (error: unknown) => void;
}

/** The scale of the heat classes: the policy's HeatMax and HeatClasses. */
export interface HeatScale {
  heatMax: number;
  classes: number;
}

/**
 * Samples the heat of `pid`'s ranges every `intervalMs` between start()
 * and stop(). A sample holds only that pid's ranges (no ranges: watched,
 * no heat yet). When the source has no heatmap or no longer watches the
 * pid (it exited), recording stops by itself.
 */
export class HeatRecorder {
  readonly #opts: HeatRecorderOptions;
  readonly #samples: HeatSample[] = [];
  #scale: HeatScale | undefined;
  #abort: AbortController | undefined;
  #loop: Promise<void> | undefined;

  constructor(opts: HeatRecorderOptions) {
    this.#opts = opts;
  }

  get pid(): number {
    return this.#opts.pid;
  }

  /** Samples recorded so far, oldest first. */
  samples(): readonly HeatSample[] {
    return this.#samples;
  }

  /** The scale of the last sample; undefined before the first. */
  scale(): HeatScale | undefined {
    return this.#scale;
  }

  get running(): boolean {
    return this.#abort !== undefined;
  }

  /** Takes one sample now; false when there is no heatmap or the pid is not watched. */
  sample(): boolean {
    const now = this.#opts.source();
    const pid = this.#opts.pid;
    if (!now || !now.pids.includes(pid)) return false;
    this.#scale = { heatMax: now.heatMax, classes: now.classes };
    this.#samples.push({
      timeMs: this.#opts.clock.now(),
      heats: new Map([[pid, now.heats.get(pid) ?? []]]),
    });
    const max = this.#opts.maxSamples ?? 10000;
    if (this.#samples.length > max) this.#samples.splice(0, this.#samples.length - max);
    this.#opts.onSample?.(this.#samples, this.#scale);
    return true;
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
          if (!this.sample()) break;
        } catch (e) {
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
