import { assertEquals } from "../testing/assert.ts";
import { decodeEntry, PagemapFile, PM } from "./pagemap.ts";

const fixtureDir = new URL("../../tests/fixtures/proc/self/", import.meta.url);
const capture = JSON.parse(Deno.readTextFileSync(new URL("capture.json", fixtureDir))) as {
  sliceAddr: number;
  slicePages: number;
};
const slice = Deno.readFileSync(new URL("pagemap.slice", fixtureDir));

/** A pagemap file with the captured entries at their real offset (sparse). */
function sparsePagemap(): string {
  const path = Deno.makeTempFileSync({ prefix: "pagemap-" });
  const f = Deno.openSync(path, { write: true });
  f.seekSync((capture.sliceAddr / 4096) * 8, Deno.SeekMode.Start);
  f.writeSync(slice);
  f.close();
  return path;
}

Deno.test("PagemapFile reads a captured pagemap slice at its address", () => {
  const path = sparsePagemap();
  try {
    const pm = new PagemapFile(Deno.openSync(path));
    const words = new Uint32Array(2 * capture.slicePages);
    const got = pm.read(capture.sliceAddr, capture.slicePages, words);
    pm.close();
    assertEquals(got, capture.slicePages);
    let present = 0;
    for (let i = 0; i < got; i++) {
      const e = decodeEntry(words[2 * i]!, words[2 * i + 1]!);
      if (e.present) {
        present++;
        assertEquals(i % 2, 0, `page ${i} was not touched but is present`);
        assertEquals(e.exclusive, true);
        assertEquals(e.swap, false);
      }
    }
    assertEquals(present, capture.slicePages / 2);
  } finally {
    Deno.removeSync(path);
  }
});

Deno.test("PagemapFile returns fewer entries past the end of the file", () => {
  const path = sparsePagemap();
  try {
    const pm = new PagemapFile(Deno.openSync(path));
    const words = new Uint32Array(2 * 100);
    const got = pm.read(capture.sliceAddr + 60 * 4096, 100, words);
    pm.close();
    assertEquals(got, 4);
  } finally {
    Deno.removeSync(path);
  }
});

Deno.test("decodeEntry() splits flags and PFN from the two halves", () => {
  const hi = (PM.PRESENT | PM.EXCLUSIVE | PM.SOFT_DIRTY | 0x12) >>> 0;
  const e = decodeEntry(0x345678, hi);
  assertEquals(e, {
    softDirty: true,
    exclusive: true,
    uffdWp: false,
    file: false,
    swap: false,
    present: true,
    pfn: 0x12 * 2 ** 32 + 0x345678,
  });
});

Deno.test("decodeEntry() reads a swapped page as not present", () => {
  const e = decodeEntry(0x1f, (PM.SWAP | PM.EXCLUSIVE) >>> 0);
  assertEquals([e.present, e.swap], [false, true]);
});
