/**
 * Records the heat of one process's address space over time, from a
 * policy's heatmap (the heat policy's `heats()`), at an interval: what the
 * heat chart draws.
 *
 * @module
 */
import type { PolicyHeats } from "../policies/policy.ts";
import type { Clock } from "../time/clock.ts";
import type { Loop } from "../loop/loop.ts";
import { keepLast, samplingLoop } from "./sampling.ts";
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
  readonly #loop: Loop;

  constructor(opts: HeatRecorderOptions) {
    this.#opts = opts;
    this.#loop = samplingLoop(
      "picture -heat",
      opts.clock,
      opts.intervalMs,
      () => this.sample(),
      opts.onError,
    );
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
    return this.#loop.running;
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
    keepLast(this.#samples, this.#opts.maxSamples);
    this.#opts.onSample?.(this.#samples, this.#scale);
    return true;
  }

  /**
   * Samples every intervalMs from now until stop() (the first sample one
   * interval from now: take one with sample() first if wanted).
   */
  start(): void {
    this.#loop.start();
  }

  /** Stops sampling; resolves when the loop has ended. */
  stop(): Promise<void> {
    return this.#loop.stop();
  }

  /** Resolves when sampling has ended (after stop(), or by itself). */
  finished(): Promise<void> {
    return this.#loop.finished();
  }
}
