import { assertEquals, assertThrows } from "../testing/assert.ts";
import { formatKpageflags, KpageflagsFile, readKpageflags } from "./kpageflags.ts";

/** A fixture /proc with a kpageflags of `n` frames: frame i has flags i * 3 (and bit 32 set). */
function procWithKpageflags(n: number): string {
  const root = Deno.makeTempDirSync({ prefix: "kpageflags" });
  const words = new Uint32Array(2 * n);
  for (let i = 0; i < n; i++) [words[2 * i], words[2 * i + 1]] = [i * 3, 1];
  Deno.writeFileSync(`${root}/kpageflags`, new Uint8Array(words.buffer));
  return root;
}

Deno.test("readKpageflags() gives the flags of each asked frame, in the asked order", () => {
  const root = procWithKpageflags(20000);
  try {
    assertEquals([...readKpageflags(root, [19999, 0, 5, 5, 8193])], [59997, 0, 15, 15, 24579]);
    assertEquals([...readKpageflags(root, [])], []);
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
});

Deno.test("readKpageflags() refuses a frame past the last one", () => {
  const root = procWithKpageflags(10);
  try {
    assertThrows(
      () => readKpageflags(root, [2, 10]),
      RangeError,
      "Cannot read flags of PFN 10: beyond the last page frame",
    );
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
});

Deno.test("formatKpageflags() prints one NAME 0|1 line per flag", () => {
  const lines = formatKpageflags(0b1000000000001).split("\n"); // LOCKED and ANON
  assertEquals(lines[0], "LOCKED        1");
  assertEquals(lines[1], "ERROR         0");
  assertEquals(lines[12], "ANON          1");
  assertEquals(lines.length, 28); // 27 flags and the final newline
});

Deno.test("KpageflagsFile.read() gives the flags of a run of frames; a run past the last frame is a RangeError", () => {
  const root = procWithKpageflags(10);
  const file = KpageflagsFile.open(root);
  try {
    const halves = new Uint32Array(8);
    file.read(7, 3, halves);
    assertEquals([...halves.subarray(0, 6)], [21, 1, 24, 1, 27, 1]);
    assertThrows(
      () => file.read(8, 3, halves),
      RangeError,
      "Cannot read flags of PFNs 8..10: beyond the last page frame",
    );
  } finally {
    file.close();
    Deno.removeSync(root, { recursive: true });
  }
});
