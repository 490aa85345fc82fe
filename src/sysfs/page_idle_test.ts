import { UnsupportedError } from "../errors.ts";
import { assertEquals, assertThrows } from "../testing/assert.ts";
import { PageIdleBitmap, readPageIdle, setPagesIdle } from "./page_idle.ts";

/** A fixture /sys with an idle bitmap of `words` 64-bit words, all 0. */
function sysWithBitmap(words: number): string {
  const root = Deno.makeTempDirSync({ prefix: "page_idle" });
  Deno.mkdirSync(`${root}/kernel/mm/page_idle`, { recursive: true });
  Deno.writeFileSync(`${root}/kernel/mm/page_idle/bitmap`, new Uint8Array(8 * words));
  return root;
}

Deno.test("setPagesIdle() sets exactly the bits of the given frames; readPageIdle() reads them", () => {
  const root = sysWithBitmap(20000);
  try {
    setPagesIdle(root, [0, 63, 64, 100, 32, 1_000_000]);
    const bytes = Deno.readFileSync(`${root}/kernel/mm/page_idle/bitmap`);
    const halves = new Uint32Array(bytes.buffer);
    // Word 0: bits 0, 32, 63; word 1: bits 0 (PFN 64) and 36 (PFN 100).
    assertEquals([...halves.subarray(0, 4)], [1, 0x80000001, 1, 1 << 4]);
    assertEquals(halves[2 * 15625], 1); // PFN 1,000,000 = word 15625, bit 0
    assertEquals(halves.reduce((n, h) => n + (h === 0 ? 0 : 1), 0), 5);
    assertEquals([...readPageIdle(root, [63, 1, 100, 1_000_000, 1_000_001])], [1, 0, 1, 1, 0]);
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
});

Deno.test("readPageIdle() refuses a frame past the end; a missing bitmap says what the kernel lacks", () => {
  const root = sysWithBitmap(2);
  try {
    assertThrows(
      () => readPageIdle(root, [128]),
      RangeError,
      "PFN 128: beyond the last page frame",
    );
    assertThrows(
      () => readPageIdle(`${root}/none`, [0]),
      UnsupportedError,
      "CONFIG_IDLE_PAGE_TRACKING",
    );
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
});

Deno.test('readPageIdle(..., "not-idle") reads frames past the end as not idle', () => {
  const root = sysWithBitmap(2);
  try {
    setPagesIdle(root, [5, 70]);
    assertEquals([...readPageIdle(root, [70, 200, 5, 128, 6], "not-idle")], [1, 0, 1, 0, 0]);
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
});

Deno.test("PageIdleBitmap reads and writes runs of words; a read stops at the end of the bitmap", () => {
  const root = sysWithBitmap(4);
  const bitmap = PageIdleBitmap.open(root);
  try {
    bitmap.write(1, 2, new Uint32Array([1, 0x80000000, 0, 4]));
    // Frames 64 (word 1, bit 0), 127 (word 1, bit 63) and 162 (word 2, bit 34) idle.
    assertEquals([...readPageIdle(root, [64, 65, 127, 162, 128])], [1, 0, 1, 1, 0]);
    const halves = new Uint32Array(8).fill(7);
    assertEquals(bitmap.read(2, 4, halves), 2);
    assertEquals([...halves.subarray(0, 4)], [0, 4, 0, 0]);
  } finally {
    bitmap.close();
    Deno.removeSync(root, { recursive: true });
  }
});
