import { assertEquals, assertThrows } from "../testing/assert.ts";
import { CHUNK_WORDS, planWords, readWords, type WordSource } from "./word_file.ts";

/** A file of `n` words, word i = (lo i, hi 1000 + i), that logs its reads and returns at most `maxRead` bytes per read. */
function wordFile(n: number, maxRead = Infinity) {
  const data = new Uint32Array(2 * n);
  for (let i = 0; i < n; i++) [data[2 * i], data[2 * i + 1]] = [i, 1000 + i];
  const bytes = new Uint8Array(data.buffer);
  const reads: [number, number][] = [];
  let pos = 0;
  const file: WordSource = {
    seekSync(offset) {
      pos = offset;
      return pos;
    },
    readSync(buf) {
      const n = Math.min(buf.length, maxRead, bytes.length - pos);
      if (n <= 0) return null;
      buf.set(bytes.subarray(pos, pos + n));
      reads.push([pos, n]);
      pos += n;
      return n;
    },
  };
  return { file, reads };
}

const beyond = (w: number): never => {
  throw new RangeError(`word ${w} is past the end`);
};

Deno.test("readWords() reads each needed word once, one read per 64 KiB window", () => {
  const { file, reads } = wordFile(3 * CHUNK_WORDS);
  const out = readWords(file, new Float64Array([0, 5, 8191, 8192, 20000]), beyond);
  assertEquals([...out], [0, 1000, 5, 1005, 8191, 9191, 8192, 9192, 20000, 21000]);
  // [0, 8191] in one read; 8192 starts a window that ends at 8192; 20000 alone.
  assertEquals(reads, [[0, 65536], [65536, 8], [160000, 8]]);
});

Deno.test("readWords() goes on after short reads (sysfs gives a page per read)", () => {
  const { file, reads } = wordFile(2000, 4096);
  const out = readWords(file, new Float64Array([0, 1999]), beyond);
  assertEquals([...out], [0, 1000, 1999, 2999]);
  assertEquals(reads.length, 4); // 16000 bytes in reads of 4096
});

Deno.test("readWords() reports a word past the end of the file", () => {
  const { file } = wordFile(10);
  assertThrows(() => readWords(file, new Float64Array([3, 10]), beyond), RangeError, "word 10");
});

Deno.test("planWords() sorts and drops repeats, keeping where each asked word went", () => {
  const p = planWords([7, 7, 3, 100]);
  assertEquals([...p.words], [3, 7, 100]);
  assertEquals([...p.slot], [1, 1, 0, 2]);
});
