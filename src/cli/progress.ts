/**
 * A progress bar for long moves, drawn on a terminal only after the move
 * has taken a moment, and redrawn at most ten times a second.
 *
 * @module
 */
import { PAGE_SIZE_BYTES } from "../memory/addr_range.ts";
import { grouped, MB } from "./format.ts";

const DELAY_MS = 300;
const REDRAW_MS = 100;
const WIDTH = 30;

/** The bar's text for `done` of `total` (pure). */
export function progressLine(done: number, total: number, elapsedMs: number): string {
  const frac = total > 0 ? Math.min(1, done / total) : 1;
  const filled = Math.round(frac * WIDTH);
  const rate = elapsedMs > 0 ? (done * PAGE_SIZE_BYTES / MB) / (elapsedMs / 1000) : 0;
  return `[${"#".repeat(filled)}${".".repeat(WIDTH - filled)}] ${
    (frac * 100).toFixed(0).padStart(3)
  }% ` +
    `${grouped(done)}/${grouped(total)} pages ${rate.toFixed(0)} MB/s`;
}

/** Draws `progressLine` on a terminal with carriage returns. */
export class ProgressBar {
  #write: (text: string) => void;
  #now: () => number;
  #start: number;
  #lastDraw = -Infinity;
  #drawn = false;

  constructor(write: (text: string) => void, now: () => number) {
    this.#write = write;
    this.#now = now;
    this.#start = now();
  }

  update(done: number, total: number): void {
    const t = this.#now();
    if (t - this.#start < DELAY_MS || t - this.#lastDraw < REDRAW_MS) return;
    this.#lastDraw = t;
    this.#drawn = true;
    this.#write(`\r${progressLine(done, total, t - this.#start)}\x1b[K`);
  }

  clear(): void {
    if (this.#drawn) this.#write("\r\x1b[K");
    this.#drawn = false;
  }
}
