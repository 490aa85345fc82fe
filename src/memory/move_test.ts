import { ProcessGoneError } from "../errors.ts";
import { PM } from "../procfs/pagemap.ts";
import { assertEquals, assertThrows } from "../testing/assert.ts";
import { FakeKernel } from "../testing/fake_kernel.ts";
import { fakeSystem } from "../testing/fake_system.ts";
import { PageList } from "./page_list.ts";
import { locatePages } from "./locate.ts";
import { movePagesToNode, NOT_MIGRATED, planMove } from "./move.ts";
import { pageFilter } from "./page_scan.ts";
import { readPages } from "./process_pages.ts";
import { processRanges } from "./process_ranges.ts";

const BASE = 0x10000000;

function kernelWith(pages: number, node = 0): FakeKernel {
  const k = new FakeKernel().addNode(0, 100000, [0]).addNode(1, 100000, [1]).addNode(2, 100000)
    .addNode(3, 1000);
  k.addProcess(42, "meme", [{ startAddr: BASE, pages, kind: "anon" }]);
  k.populate(42, 0, node, pages);
  return k;
}

function addrs(n: number, first = 0): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => BASE + (first + i) * 4096);
}

Deno.test("planMove() skips pages already on the target and honours the count", () => {
  const pages = PageList.of(42, addrs(6));
  const plan = planMove(pages, Int32Array.from([0, 2, 1, 0, 2, 0]), { toNode: 2, countPages: 2 });
  assertEquals(plan.alreadyOnTargetPages, 2);
  assertEquals(plan.overCountPages, 2);
  assertEquals([...plan.addrs], [BASE, BASE + 2 * 4096]);
});

Deno.test("planMove() with fromNode takes only pages on that node", () => {
  const pages = PageList.of(42, addrs(5));
  const plan = planMove(pages, Int32Array.from([0, 1, 1, -14, 2]), { toNode: 3, fromNode: 1 });
  assertEquals([...plan.addrs], [BASE + 4096, BASE + 2 * 4096]);
  assertEquals(plan.notOnSourcePages, 2);
  assertEquals(plan.unlocatedPages, 1);
});

Deno.test("planMove() puts pages shared with other processes last", () => {
  const pages = new PageList(42);
  pages.push(BASE, PM.PRESENT);
  pages.push(BASE + 4096, PM.PRESENT | PM.EXCLUSIVE);
  pages.push(BASE + 8192, PM.PRESENT | PM.EXCLUSIVE);
  const plan = planMove(pages, Int32Array.from([0, 0, 0]), { toNode: 1, countPages: 2 });
  assertEquals([...plan.addrs], [BASE + 4096, BASE + 8192]);
  assertEquals(plan.sharedPages, 0);
  assertEquals(planMove(pages, Int32Array.from([0, 0, 0]), { toNode: 1 }).sharedPages, 1);
});

Deno.test("movePagesToNode() moves every page in batches and reports them moved", () => {
  const k = kernelWith(2500);
  const progress: number[] = [];
  const out = movePagesToNode(k, 42, addrs(2500), 2, {
    batchPages: 1000,
    onProgress: (done) => progress.push(done),
  });
  assertEquals(out.movedPages, 2500);
  assertEquals(out.failedByReason.size, 0);
  assertEquals(progress, [1000, 2000, 2500]);
  assertEquals(k.pagesPerNode(42).get(2), 2500);
  assertEquals(k.calls.filter((c) => !c.query).map((c) => c.pages), [1000, 1000, 500]);
});

Deno.test("movePagesToNode() counts per-page errors by errno", () => {
  const k = kernelWith(10);
  const p = k.processes.get(42)!;
  p.pages.get(BASE / 4096 + 1)!.busy = true;
  p.pages.get(BASE / 4096 + 2)!.shared = true;
  p.pages.delete(BASE / 4096 + 3);
  const out = movePagesToNode(k, 42, addrs(10), 1);
  assertEquals(out.movedPages, 7);
  assertEquals(Object.fromEntries(out.failedByReason), { EBUSY: 1, EACCES: 1, ENOENT: 1 });
});

Deno.test("movePagesToNode() tries pages that were busy for a moment again", () => {
  const k = kernelWith(10);
  const page = k.processes.get(42)!.pages.get(BASE / 4096 + 4)!;
  page.busy = true;
  const out = movePagesToNode(k, 42, addrs(10), 1, {
    onBatch: () => (page.busy = false), // the lock is gone after the first call
  });
  assertEquals(out.movedPages, 10);
  assertEquals(out.failedByReason.size, 0);
  assertEquals(k.calls.filter((c) => !c.query).map((c) => c.pages), [10, 1]);
});

Deno.test("movePagesToNode() finds what moved when the kernel stops at a pinned page", () => {
  const k = kernelWith(8);
  k.processes.get(42)!.pages.get(BASE / 4096 + 2)!.pinned = true;
  const out = movePagesToNode(k, 42, addrs(8), 1, { batchPages: 4 });
  assertEquals(out.movedPages, 7);
  assertEquals(Object.fromEntries(out.failedByReason), { [NOT_MIGRATED]: 1 });
  assertEquals(k.pagesPerNode(42).get(1), 7);
});

Deno.test("movePagesToNode() reports pages that do not fit on a full node as NOT_MIGRATED", () => {
  const k = kernelWith(1500);
  const out = movePagesToNode(k, 42, addrs(1500), 3, { batchPages: 256 });
  assertEquals(out.movedPages + (out.failedByReason.get(NOT_MIGRATED) ?? 0), 1500);
  assertEquals(out.movedPages <= 1000, true);
  assertEquals(k.pagesPerNode(42).get(3), out.movedPages);
});

Deno.test("movePagesToNode() stops and reports when the process exits mid-move", () => {
  const k = kernelWith(4000);
  k.processes.get(42)!.exitAfterMoveCalls = 2;
  const out = movePagesToNode(k, 42, addrs(4000), 1, { batchPages: 1000 });
  assertEquals(out.processGone, true);
  assertEquals(out.movedPages, 2000);
  assertEquals(out.notAttemptedPages, 2000);
});

Deno.test("locatePages() turns ESRCH into ProcessGoneError", () => {
  const k = kernelWith(4);
  k.processes.get(42)!.exited = true;
  assertThrows(() => locatePages(k, 42, addrs(4)), ProcessGoneError, "does not exist");
});

Deno.test("readPages() finds the present pages of anon and heap ranges through pagemap", () => {
  const k = new FakeKernel().addNode(0, 1000, [0]).addNode(1, 1000);
  k.addProcess(7, "app", [
    { startAddr: BASE, pages: 16, kind: "heap" },
    { startAddr: BASE + 0x100000, pages: 16, kind: "file", path: "/lib/x y.so" },
    { startAddr: BASE + 0x200000, pages: 16, kind: "anon" },
  ]);
  k.populate(7, 0, 0, 5);
  k.populate(7, 1, 0, 16);
  k.populate(7, 2, 1, 3, 10);
  using sys = fakeSystem(k);
  const ranges = processRanges(sys.procfs, 7);
  const pages = readPages(sys.procfs, 7, ranges, pageFilter({ present: true }));
  assertEquals(ranges.length, 2);
  assertEquals(pages.length, 8);
  assertEquals(pages.addrs[5], BASE + 0x200000 + 10 * 4096);
});
