import { assertEquals, assertOk, assertThrows } from "../testing/assert.ts";
import { parseNumaMaps } from "./numa_maps.ts";

const fixture = Deno.readTextFileSync(
  new URL("../../tests/fixtures/proc/self/numa_maps", import.meta.url),
);

Deno.test("parseNumaMaps() finds the heap and its anonymous pages per node", () => {
  const heap = parseNumaMaps(fixture).filter((e) => e.heap);
  assertEquals(heap.length, 1);
  assertEquals(heap[0]!.anonPages, 420);
  assertEquals(heap[0]!.pagesByNode.get(0), 420);
  assertEquals(heap[0]!.pageSizeKiB, 4);
});

Deno.test("parseNumaMaps() counts the touched pages of an anonymous mapping", () => {
  const e = parseNumaMaps(fixture).find((x) => x.start === 0x20000000n);
  assertEquals(e?.anonPages, 32);
  assertEquals(e?.file, undefined);
  assertEquals(e?.policy, "default");
});

Deno.test("parseNumaMaps() keeps the kernel's escaped file name", () => {
  const e = parseNumaMaps(fixture).find((x) => x.file?.includes("spaces"));
  assertOk(e?.file?.endsWith("data\\040file\\040with\\040spaces.bin"));
  assertEquals(e?.anonPages, 1);
});

Deno.test("parseNumaMaps() reads pages on several nodes and a two-word policy", () => {
  const [e] = parseNumaMaps(
    "7f0000000000 prefer (many):2-3 anon=10 dirty=10 N0=1 N2=4 N3=5 kernelpagesize_kB=4\n",
  );
  assertEquals(e!.policy, "prefer (many):2-3");
  assertEquals([...e!.pagesByNode], [[0, 1], [2, 4], [3, 5]]);
});

Deno.test("parseNumaMaps() reads huge page mappings' page size", () => {
  const [e] = parseNumaMaps(
    "7f0000000000 default huge anon=2 dirty=2 N1=2 kernelpagesize_kB=2048\n",
  );
  assertEquals(e!.huge, true);
  assertEquals(e!.pageSizeKiB, 2048);
});

Deno.test("parseNumaMaps() names the line of a malformed entry", () => {
  assertThrows(() => parseNumaMaps("xyz default\n", "numa_maps of 9"), SyntaxError, "line 1");
});
