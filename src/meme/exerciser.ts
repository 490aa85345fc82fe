/**
 * meme's arrays and the readers and writers that exercise them.
 *
 * Arrays are ArrayBuffers: V8 gets their memory from malloc, which for large
 * sizes is an anonymous mmap, so each array is one anonymous range in
 * /proc/PID/maps and numa_maps. The Go meme runs each reader and writer in a
 * goroutine; here they are async loops on the one JavaScript thread, taking
 * turns between rounds. A round visits its bytes portion by portion (in a
 * shuffled order) instead of interleaving the portions byte by byte, and
 * touches one 32-bit word per 64-byte cache line: every page of the range is
 * read or written each round, at a fraction of the Go meme's CPU cost.
 *
 * @module
 */
import type { AccessOptions, MemeOptions } from "./options.ts";
import { fillPattern, PAGE_BYTES, patternStart, verifyPattern } from "./pattern.ts";

/** One allocated array. */
export interface MemeArray {
  /** Serial number, in allocation order from 0; selects the pattern. */
  id: number;
  buffer: ArrayBuffer;
  bytes: Uint8Array;
  /** The whole 32-bit words of the array. */
  words: Int32Array;
  /** Address of the first byte. */
  address: bigint;
  reader: boolean;
  writer: boolean;
  freed: boolean;
}

/** What the exerciser needs from its surroundings. */
export interface MemeEnv {
  out: (line: string) => void;
  /** Milliseconds from any fixed point. */
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  /** The address of an ArrayBuffer's memory. */
  addressOf: (buffer: ArrayBuffer) => bigint;
  /** Writes a verification result line to a file. */
  writeFile: (path: string, text: string) => void;
  random: () => number;
}

const WORDS_PER_LINE = 16;

function hex(n: bigint | number): string {
  return n.toString(16);
}

/** `START-END (N bytes)` of `count` bytes at `offset`, END being the last byte. */
function addrRange(a: MemeArray, offset: number, count: number): string {
  const start = a.address + BigInt(offset);
  const last = start + BigInt(Math.max(count, 1) - 1);
  return `${hex(start)}-${hex(last)} (${count} bytes)`;
}

/** A Fisher-Yates shuffle of 0..n-1. */
export function shuffledOrder(n: number, random: () => number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

/** Where one round of an exerciser goes: its first byte and length, or null for nothing. */
export function roundSpan(
  lengthBytes: number,
  offsetBytes: number,
  countBytes: number,
  a: AccessOptions,
  round: number,
): { start: number; count: number } | null {
  const raw = (offsetBytes + a.offsetDeltaBytes * round) % lengthBytes;
  const start = raw < 0 ? raw + lengthBytes : raw;
  const count = Math.min(countBytes + a.sizeDeltaBytes * round, lengthBytes - start);
  return count > 0 ? { start, count } : null;
}

/** The memory exerciser: arrays, their readers and writers, and verification. */
export class Meme {
  readonly arrays: MemeArray[] = [];
  #nextId = 0;
  #exercisers = 0;
  #readersLeft: number;
  #writersLeft: number;
  #byteValue = 0;
  /** Read sums go here so that the reads cannot be optimized away. */
  sink = 0;

  constructor(readonly options: MemeOptions, readonly env: MemeEnv) {
    this.#readersLeft = options.read.count;
    this.#writersLeft = options.write.count;
  }

  /** Allocates one array, touches or fills every page, starts its reader and writer. */
  allocate(): MemeArray {
    const size = this.options.arraySizeBytes;
    const buffer = new ArrayBuffer(size);
    const a: MemeArray = {
      id: this.#nextId++,
      buffer,
      bytes: new Uint8Array(buffer),
      words: new Int32Array(buffer, 0, Math.floor(size / 4)),
      address: this.env.addressOf(buffer),
      reader: false,
      writer: false,
      freed: false,
    };
    const seed = this.options.patternSeed;
    if (seed === undefined) {
      for (let i = 0; i < size; i += PAGE_BYTES) a.bytes[i] = 1;
    } else {
      fillPattern(a.words, patternStart(seed, a.id));
    }
    this.arrays.push(a);
    this.env.out(`    array: ${addrRange(a, 0, size)}`);
    if (this.#readersLeft > 0) {
      this.#readersLeft--;
      a.reader = true;
      void this.#exercise(a, "read", this.options.read);
    }
    if (this.#writersLeft > 0) {
      this.#writersLeft--;
      a.writer = true;
      void this.#exercise(a, "write", this.options.write);
    }
    return a;
  }

  /** Frees the newest array; its reader and writer stop and go to the next new array. */
  freeLast(): void {
    const a = this.arrays.pop();
    if (!a) return;
    this.env.out(`    free array ${a.id}: ${addrRange(a, 0, a.bytes.length)}`);
    a.freed = true;
    if (a.reader) this.#readersLeft++;
    if (a.writer) this.#writersLeft++;
    // Detaching releases the memory now instead of at some later GC.
    a.buffer.transfer(0);
  }

  async #exercise(a: MemeArray, kind: "read" | "write", o: AccessOptions): Promise<void> {
    const n = this.#exercisers++;
    const length = a.bytes.length;
    const offset = Math.min(o.offsetBytes, length - 1);
    const count = Math.min(o.sizeBytes, length - offset);
    this.env.out(`start exerciser ${n}: ${kind} ${addrRange(a, offset, count)}`);
    const order = shuffledOrder(o.portions, this.env.random);
    if (order.length > 1) this.env.out(`portion order: [${order.join(" ")}]`);
    const intervalMs = o.intervalNs / 1e6;
    let perfStart = this.env.now();
    let perfRounds = 0;
    for (let round = 0; !a.freed; round++) {
      const started = this.env.now();
      const span = roundSpan(length, offset, count, o, round);
      if (span) {
        const portion = Math.floor(span.count / order.length);
        for (const p of order) {
          const begin = span.start + p * portion;
          if (kind === "read") this.#read(a, begin, portion);
          else this.#write(a, begin, portion);
        }
      }
      const rest = intervalMs - (this.env.now() - started);
      if (rest > 0) {
        await this.env.sleep(rest);
        if (intervalMs >= 1 && span && !a.freed) {
          this.env.out(
            `wake exerciser ${n}: round ${round} range ${hex(a.address + BigInt(span.start))}-${
              hex(a.address + BigInt(span.start + span.count - 1))
            }`,
          );
        }
      } else {
        await this.env.sleep(0);
      }
      if (this.options.perfPrintNs > 0) {
        const elapsed = this.env.now() - perfStart;
        if (elapsed * 1e6 >= this.options.perfPrintNs) {
          const perRound = elapsed / 1000 / (round + 1 - perfRounds);
          this.env.out(`avgspeed exerciser ${n}: ${perRound.toFixed(6)} s/round`);
          perfRounds = round + 1;
          perfStart = this.env.now();
        }
      }
    }
    this.env.out(`stop exerciser ${n}: ${kind} ${addrRange(a, offset, count)}`);
  }

  #read(a: MemeArray, begin: number, count: number): void {
    const w = a.words;
    const end = Math.min(Math.floor((begin + count) / 4), w.length);
    let sum = this.sink;
    for (let i = Math.ceil(begin / 4); i < end; i += WORDS_PER_LINE) sum = (sum + w[i]!) | 0;
    this.sink = sum;
  }

  #write(a: MemeArray, begin: number, count: number): void {
    if (this.options.patternSeed === undefined) {
      a.bytes.fill(this.#byteValue, begin, begin + count);
      this.#byteValue = (this.#byteValue + 1) & 0xff;
      return;
    }
    // Rewrite the pattern in place: the pages get written (dirty, soft-dirty,
    // accessed) and their data stays verifiable.
    const w = a.words;
    const end = Math.min(Math.floor((begin + count) / 4), w.length);
    for (let i = Math.ceil(begin / 4); i < end; i += WORDS_PER_LINE) w[i] = w[i]!;
  }

  /** Checks every page of every array against the pattern; returns the result line. */
  verify(): string {
    const seed = this.options.patternSeed;
    if (seed === undefined) {
      return "verify: UNAVAILABLE: meme was started without -pattern SEED";
    }
    const started = this.env.now();
    let pages = 0;
    let badPages = 0;
    let first = "";
    for (const a of this.arrays) {
      const start = patternStart(seed, a.id);
      const check = verifyPattern(a.words, start);
      pages += check.pages;
      badPages += check.badPages;
      if (check.firstBad && !first) {
        const f = check.firstBad;
        first = `first at array ${a.id} offset 0x${hex(f.offsetBytes)} (address 0x${
          hex(a.address + BigInt(f.offsetBytes))
        }): expected 0x${hex(f.expected)}, found 0x${hex(f.found)}`;
      }
    }
    const ms = (this.env.now() - started).toFixed(0);
    const line = badPages === 0
      ? `verify: OK ${pages} pages in ${this.arrays.length} arrays (${ms} ms)`
      : `verify: FAILED ${badPages} of ${pages} pages differ from the pattern; ${first}`;
    if (this.options.verifyFile !== undefined) {
      this.env.writeFile(this.options.verifyFile, line + "\n");
    }
    return line;
  }
}
