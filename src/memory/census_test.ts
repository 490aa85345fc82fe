import { ProcessGoneError } from "../errors.ts";
import { assertEquals, assertThrows } from "../testing/assert.ts";
import { FakeKernel } from "../testing/fake_kernel.ts";
import { fakeSystem } from "../testing/fake_system.ts";
import { forEachExclusivePage, pageCensus } from "./census.ts";

const BASE = 0x10000000;
const PAGE = 4096;
const PID = 7;

/**
 * Pid 7 with 8 pages at BASE: pages 0-1 on node 0, 2-3 on node 1, page 4
 * shared on node 1, page 5 swapped out, pages 6-7 never touched.
 */
function fixture() {
  const k = new FakeKernel().addNode(0, 1024).addNode(1, 1024);
  k.addProcess(PID, "app", [{ startAddr: BASE, pages: 8, kind: "anon" }]);
  k.populate(PID, 0, 0, 2, 0);
  k.populate(PID, 0, 1, 2, 2);
  k.populate(PID, 0, 1, 1, 4, { shared: true });
  k.populate(PID, 0, 0, 1, 5, { swapped: true });
  const sys = fakeSystem(k);
  return { k, sys, src: { procfs: sys.procfs, syscalls: () => sys.syscalls, pid: PID } };
}

const pages = (from: number, to: number) => ({
  startAddr: BASE + from * PAGE,
  endAddr: BASE + to * PAGE,
});

Deno.test("pageCensus() counts present, exclusive and swapped pages and the nodes of the exclusive ones", () => {
  const { src } = fixture();
  assertEquals(pageCensus(src, [pages(0, 8)], true), [
    { present: 5, exclusive: 4, swapped: 1, byNode: new Map([[0, 2], [1, 2]]) },
  ]);
});

Deno.test("pageCensus() gives the same counts in chunks of 3 pages, one census per range", () => {
  const { src } = fixture();
  assertEquals(pageCensus(src, [pages(0, 3), pages(3, 8)], true, 3), [
    { present: 3, exclusive: 3, swapped: 0, byNode: new Map([[0, 2], [1, 1]]) },
    { present: 2, exclusive: 1, swapped: 1, byNode: new Map([[1, 1]]) },
  ]);
});

Deno.test("pageCensus() without locate leaves the nodes out", () => {
  const { src } = fixture();
  assertEquals(pageCensus(src, [pages(0, 8)], false), [
    { present: 5, exclusive: 4, swapped: 1, byNode: new Map() },
  ]);
});

Deno.test("forEachExclusivePage() hands over the exclusive pages with their nodes, chunk by chunk", () => {
  const { src } = fixture();
  const seen: [number, number | null][] = [];
  forEachExclusivePage(src, [pages(0, 8)], true, (addrs, nodes) => {
    for (let i = 0; i < addrs.length; i++) {
      seen.push([(addrs[i]! - BASE) / PAGE, nodes ? nodes[i]! : null]);
    }
  }, 2);
  assertEquals(seen, [[0, 0], [1, 0], [2, 1], [3, 1]]);
  const unlocated: (number | null)[] = [];
  forEachExclusivePage(src, [pages(0, 8)], false, (addrs, nodes) => {
    unlocated.push(addrs.length, nodes === null ? null : nodes.length);
  });
  assertEquals(unlocated, [4, null]);
});

Deno.test("pageCensus() of a process that exited throws ProcessGoneError", () => {
  const { k, sys, src } = fixture();
  k.exit(PID);
  sys.sync();
  assertThrows(() => pageCensus(src, [pages(0, 8)], true), ProcessGoneError);
});

Deno.test("pageCensus() of a range that reaches past the mapping counts only its pages", () => {
  const { src } = fixture();
  assertEquals(pageCensus(src, [pages(0, 12)], true, 5), [
    { present: 5, exclusive: 4, swapped: 1, byNode: new Map([[0, 2], [1, 2]]) },
  ]);
});
