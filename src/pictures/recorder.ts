/**
 * Records the pages per node of processes over time, from
 * /proc/PID/numa_maps, at an interval: what the node chart draws.
 *
 * @module
 */
import { ProcessGoneError } from "../errors.ts";
import type { NumaMapsEntry } from "../procfs/numa_maps.ts";
import type { ProcFs } from "../procfs/proc_fs.ts";
import type { Clock } from "../time/clock.ts";
import type { Loop } from "../loop/loop.ts";
import { keepLast, samplingLoop } from "./sampling.ts";
import type { NodePagesSample } from "./node_chart.ts";

/**
 * Anonymous memory (mappings without a file: heap, stack, anonymous) per
 * node in 4 KiB pages (a 2 MiB huge page counts 512), from numa_maps.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert";
 * import { parseNumaMaps } from "../procfs/numa_maps.ts";
 * import { anonPagesByNode } from "./recorder.ts";
 * const maps = parseNumaMaps(
 *   "1000 default anon=3 N0=1 N2=2 kernelpagesize_kB=4\n" +
 *     "2000 default file=/lib/x.so mapped=5 N0=5 kernelpagesize_kB=4\n" +
 *     "3000 default anon=1 N2=1 kernelpagesize_kB=2048\n",
 * );
 * deepStrictEqual(anonPagesByNode(maps), new Map([[0, 1], [2, 514]]));
 * ```
 */
export function anonPagesByNode(entries: readonly NumaMapsEntry[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const e of entries) {
    if (e.file !== undefined) continue;
    for (const [node, pages] of e.pagesByNode) {
      out.set(node, (out.get(node) ?? 0) + pages * (e.pageSizeKiB / 4));
    }
  }
  return out;
}

/** What a recorder reads through and how often. */
export interface NodePagesRecorderOptions {
  procfs: ProcFs;
  clock: Clock;
  /** The processes to add up. */
  pids: readonly number[];
  /** Time between samples. */
  intervalMs: number;
  /** Most samples kept (oldest dropped). Default 10000. */
  maxSamples?: number;
  /** Called after each sample (to keep a picture file up to date). */
  onSample?: (samples: readonly NodePagesSample[]) => void;
  /** Called with what a sample (or onSample) threw; recording then stops. */
  onError?: (error: unknown) => void;
}

/**
 * Samples the anonymous pages per node of `pids`, summed, every
 * `intervalMs` between start() and stop(). A process that exits is left
 * out of later samples; when none is left, recording stops by itself.
 */
export class NodePagesRecorder {
  readonly #opts: NodePagesRecorderOptions;
  readonly #samples: NodePagesSample[] = [];
  #pids: number[];
  readonly #loop: Loop;

  constructor(opts: NodePagesRecorderOptions) {
    this.#opts = opts;
    this.#loop = samplingLoop(
      "picture",
      opts.clock,
      opts.intervalMs,
      () => this.sample(),
      opts.onError,
    );
    this.#pids = [...opts.pids];
  }

  /** Samples recorded so far, oldest first. */
  samples(): readonly NodePagesSample[] {
    return this.#samples;
  }

  /** The processes still recorded. */
  pids(): readonly number[] {
    return this.#pids;
  }

  get running(): boolean {
    return this.#loop.running;
  }

  /** Takes one sample now; false when every process has exited. */
  sample(): boolean {
    const sum = new Map<number, number>();
    const alive: number[] = [];
    for (const pid of this.#pids) {
      let byNode: Map<number, number>;
      try {
        byNode = anonPagesByNode(this.#opts.procfs.numaMaps(pid));
      } catch (e) {
        if (e instanceof ProcessGoneError) continue;
        throw e;
      }
      alive.push(pid);
      for (const [n, p] of byNode) sum.set(n, (sum.get(n) ?? 0) + p);
    }
    this.#pids = alive;
    if (alive.length === 0) return false;
    this.#samples.push({ timeMs: this.#opts.clock.now(), pagesByNode: sum });
    keepLast(this.#samples, this.#opts.maxSamples);
    this.#opts.onSample?.(this.#samples);
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
