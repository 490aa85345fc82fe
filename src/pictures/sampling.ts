/**
 * What the recorders share: the loop that samples every intervalMs (a
 * `Loop` on the recorder's clock), and the bound on the samples kept.
 *
 * @module
 */
import { Loop } from "../loop/loop.ts";
import type { Clock } from "../time/clock.ts";

/** Samples a recorder keeps unless told otherwise (the oldest go first). */
const DEFAULT_MAX_SAMPLES = 10000;

/** Drops the oldest of `samples` beyond `max`. */
export function keepLast<T>(samples: T[], max = DEFAULT_MAX_SAMPLES): void {
  if (samples.length > max) samples.splice(0, samples.length - max);
}

/**
 * A loop that calls `sample()` every intervalMs once started, the first
 * time one interval after the start (a recorder takes its first sample
 * itself). It ends when a sample says false (nothing left to record) or
 * throws: what it threw goes to `onError`, not to an unhandled rejection
 * that would end memtierd, since a picture that cannot be written stops
 * only the recording.
 */
export function samplingLoop(
  name: string,
  clock: Clock,
  intervalMs: number,
  sample: () => boolean,
  onError: ((error: unknown) => void) | undefined,
): Loop {
  return new Loop({
    name,
    clock,
    intervalMs,
    immediate: false,
    round: () => {
      try {
        return sample();
      } catch (e) {
        onError?.(e);
        return false;
      }
    },
  });
}
