import { parseMaps } from "../procfs/maps.ts";
import { parseNumaMaps } from "../procfs/numa_maps.ts";
import { assertEquals } from "../testing/assert.ts";
import { selectAnonHeapRanges } from "./process_ranges.ts";

const dir = new URL("../../tests/fixtures/proc/self/", import.meta.url);
const maps = parseMaps(Deno.readTextFileSync(new URL("maps", dir)));
const numaMaps = parseNumaMaps(Deno.readTextFileSync(new URL("numa_maps", dir)));

Deno.test("selectAnonHeapRanges() takes mappings with anonymous pages and the heap", () => {
  const ranges = selectAnonHeapRanges(maps, numaMaps);
  const starts = new Set(ranges.map((r) => r.startAddr));
  assertEquals(starts.has(0x20000000), true);
  const heap = maps.find((m) => m.pathname === "[heap]")!;
  assertEquals(starts.has(Number(heap.start)), true);
  const withAnon = new Set(numaMaps.filter((n) => n.heap || n.anonPages > 0).map((n) => n.start));
  const expected = maps.filter((m) =>
    withAnon.has(m.start) || (m.pathname === "" && /^rw.p$/.test(m.perms))
  );
  assertEquals(ranges.length, expected.length);
});

Deno.test("selectAnonHeapRanges() takes a private file mapping that has copied pages", () => {
  const m = maps.find((e) => e.pathname.endsWith("data file with spaces.bin"))!;
  assertEquals(
    selectAnonHeapRanges(maps, numaMaps).some((r) => r.startAddr === Number(m.start)),
    true,
  );
});

Deno.test("selectAnonHeapRanges() leaves out file mappings without anonymous pages and [vsyscall]", () => {
  const ranges = selectAnonHeapRanges(maps, numaMaps);
  for (const name of ["gone.bin", "[vsyscall]", "libc.so.6"]) {
    const m = maps.filter((e) => e.pathname.endsWith(name));
    for (const e of m) {
      const n = numaMaps.find((x) => x.start === e.start);
      if (n && n.anonPages > 0) continue; // libc's written data pages are anon
      assertEquals(ranges.some((r) => r.startAddr === Number(e.start)), false, name);
    }
  }
});

Deno.test("selectAnonHeapRanges() is not fooled by a file whose name contains 'heap'", () => {
  const ranges = selectAnonHeapRanges(
    parseMaps("10000-20000 rw-s 00000000 00:05 7    /dev/shm/heapdump\n"),
    parseNumaMaps("10000 default file=/dev/shm/heapdump mapped=16 N0=16 kernelpagesize_kB=4\n"),
  );
  assertEquals(ranges, []);
});

Deno.test("selectAnonHeapRanges() keeps a writable anonymous mapping whose pages are all swapped out", () => {
  const ranges = selectAnonHeapRanges(
    parseMaps(
      "10000-20000 rw-p 00000000 00:00 0\n30000-40000 ---p 00000000 00:00 0\n" +
        "50000-60000 rw-s 00000000 00:01 9    /dev/zero (deleted)\n",
    ),
    parseNumaMaps(
      "10000 default kernelpagesize_kB=4\n30000 default kernelpagesize_kB=4\n" +
        "50000 default file=/dev/zero\\040(deleted) kernelpagesize_kB=4\n",
    ),
  );
  assertEquals(ranges, [{ startAddr: 0x10000, endAddr: 0x20000 }]);
});
