import { UnsupportedError } from "../errors.ts";
import { assertEquals, assertThrows } from "../testing/assert.ts";
import { formatIdList, parseIdList } from "./id_list.ts";
import { parseNodeMeminfo } from "./node_meminfo.ts";
import { SysFs } from "./sys_fs.ts";

const oneNode = new URL("../../tests/fixtures/sys-1node", import.meta.url).pathname;

Deno.test("parseIdList() expands ranges and single ids", () => {
  assertEquals(parseIdList("0-3,8,10-11\n"), [0, 1, 2, 3, 8, 10, 11]);
  assertEquals(parseIdList("\n"), []);
});

Deno.test("parseIdList() rejects text that is not a list", () => {
  assertThrows(() => parseIdList("0-a", "online"), SyntaxError, "Cannot parse online");
  assertThrows(() => parseIdList("3-1"), SyntaxError, "bad range");
});

Deno.test("formatIdList() joins runs", () => {
  assertEquals(formatIdList([3, 0, 1, 2, 8, 10, 11]), "0-3,8,10-11");
  assertEquals(formatIdList([]), "");
});

Deno.test("parseNodeMeminfo() gives bytes for kB fields and counts for the others", () => {
  const m = parseNodeMeminfo(
    "Node 1 MemTotal:        1024 kB\nNode 1 HugePages_Total:     3\nNode 1 MemFree:   512 kB\n",
  );
  assertEquals(m.get("MemTotal"), 1024 * 1024);
  assertEquals(m.get("HugePages_Total"), 3);
  assertEquals(m.get("MemFree"), 512 * 1024);
});

Deno.test("SysFs reads a real one-node topology", () => {
  const nodes = new SysFs({ root: oneNode }).nodes();
  assertEquals(nodes.length, 1);
  assertEquals(nodes[0]!.id, 0);
  assertEquals(nodes[0]!.hasMemory, true);
  assertEquals(nodes[0]!.cpus.length > 0, true);
  assertEquals(nodes[0]!.memTotalBytes > nodes[0]!.memFreeBytes, true);
  assertEquals(nodes[0]!.distances, [10]);
});

Deno.test("SysFs says the kernel has no NUMA when the node folder is missing", () => {
  const root = Deno.makeTempDirSync();
  try {
    assertThrows(() => new SysFs({ root }).nodes(), UnsupportedError, "no NUMA support");
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
});

Deno.test("parseIdList refuses ids too large to count exactly instead of looping forever", () => {
  assertThrows(
    () => parseIdList("99999999999999999999", "node list"),
    SyntaxError,
    "bad range 99999999999999999999",
  );
  assertThrows(() => parseIdList("3-99999999999999999999"), SyntaxError, "bad range");
});
