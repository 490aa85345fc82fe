import { Stats } from "../stats/stats.ts";
import { assertEquals, assertThrows } from "../testing/assert.ts";
import { ConfigError } from "../config/config_error.ts";
import { FakeKernel } from "../testing/fake_kernel.ts";
import { FakeClock } from "../time/clock.ts";
import { formatTask, Mover, nodeTarget, parseMoverConfig, SWAP_TARGET } from "./mover.ts";

const PID = 42;
const BASE = 0x10000000;

/** Two nodes; pid 42 with `pages` anon pages on node 0. */
function kernel(pages = 1000): FakeKernel {
  const k = new FakeKernel().addNode(0, 100000, [0]).addNode(1, 100000, [1]);
  k.addProcess(PID, "meme", [{ startAddr: BASE, pages, kind: "anon" }]);
  k.populate(PID, 0, 0, pages);
  return k;
}

function addrs(pages: number): Float64Array {
  return Float64Array.from({ length: pages }, (_, i) => BASE + i * 4096);
}

function mover(k: FakeKernel, clock = new FakeClock(), stats = new Stats(clock)): Mover {
  return new Mover({ syscalls: () => k, clock, stats });
}

Deno.test("mover -tasks text: a node target prints the node, a swap target -1 as in Go", () => {
  const m = mover(kernel());
  m.addTask(PID, addrs(3), nodeTarget(1));
  m.addTask(PID, addrs(2), SWAP_TARGET);
  assertEquals(m.tasks().map(formatTask), [
    "MoverTask{pid: 42, next: 10000000, page: 0 out of 3, dest: [1]}",
    "MoverTask{pid: 42, next: 10000000, page: 0 out of 2, dest: [-1]}",
  ]);
});

Deno.test("the mover moves to a node target and swaps out a swap target", async () => {
  const k = kernel(100);
  const m = mover(k);
  m.start();
  m.addTask(PID, addrs(50), nodeTarget(1));
  m.addTask(PID, addrs(100).subarray(50), SWAP_TARGET);
  assertEquals(await m.wait("AllDone"), "AllDone");
  await m.stop();
  assertEquals(k.pagesPerNode(PID).get(1), 50);
  const swapped = [...k.processes.get(PID)!.pages.values()].filter((p) => p.swapped).length;
  assertEquals(swapped, 50);
});

Deno.test("the mover's rounds: 25 pages each at 10 MB/s and 10 ms, one every 10 ms", async () => {
  const k = kernel(100);
  const clock = new FakeClock();
  const m = mover(k, clock);
  m.setConfig({ IntervalMs: 10, Bandwidth: 10 }); // 10 MiB/s × 10 ms = 25.6 pages
  const done: number[] = [];
  const orig = k.movePages.bind(k);
  k.movePages = (pid, a, nodes, status, flags) => {
    if (nodes !== null) done.push(clock.now(), a.length);
    return orig(pid, a, nodes, status, flags);
  };
  m.start();
  m.addTask(PID, addrs(100), nodeTarget(1));
  await m.wait("AllDone");
  await m.stop();
  // The first round after a start gets one round's worth (25); later ones
  // the credit of the 10 ms that passed (25.6, fractions carried over).
  assertEquals(done, [0, 25, 10, 25, 20, 25, 30, 25]);
});

Deno.test("Bandwidth 0.01 at 10 ms rounds moves 10 pages in 4 s, not one page a round", async () => {
  const k = kernel(100);
  const clock = new FakeClock();
  const m = mover(k, clock);
  m.setConfig({ IntervalMs: 10, Bandwidth: 0.01 }); // 0.01 MiB/s x 4 s = 10.24 pages
  const moves: number[] = [];
  const orig = k.movePages.bind(k);
  k.movePages = (pid, a, nodes, status, flags) => {
    if (nodes !== null && clock.now() < 4000) moves.push(a.length);
    return orig(pid, a, nodes, status, flags);
  };
  m.start();
  m.addTask(PID, addrs(20), nodeTarget(1));
  await m.wait("AllDone");
  await m.stop();
  assertEquals(moves, [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
  assertEquals(k.pagesPerNode(PID).get(1), 20);
});

Deno.test("a paused mover moves nothing until continued; continue gives a fresh round", async () => {
  const k = kernel(100);
  const clock = new FakeClock();
  const m = mover(k, clock);
  m.setConfig({ IntervalMs: 10, Bandwidth: 10 });
  m.start();
  m.addTask(PID, addrs(100), nodeTarget(1));
  m.pause();
  assertEquals(m.status, "Paused");
  await clock.sleep(1000);
  await clock.sleep(1000);
  assertEquals(k.pagesPerNode(PID).get(1), undefined);
  m.continue();
  assertEquals(await m.wait("AllDone"), "AllDone");
  assertEquals(k.pagesPerNode(PID).get(1), 100);
  await m.stop();
  assertEquals(m.status, "NotRunning");
});

Deno.test("when a round takes longer than the interval, the next moves the credit of the time that passed", async () => {
  const k = kernel(100);
  const clock = new FakeClock();
  const m = mover(k, clock);
  m.setConfig({ IntervalMs: 10, Bandwidth: 10 }); // 2.5 pages per ms
  const done: number[] = [];
  const orig = k.movePages.bind(k);
  k.movePages = (pid, a, nodes, status, flags) => {
    if (nodes !== null) {
      done.push(clock.now(), a.length);
      clock.advance(15); // a slow kernel
    }
    return orig(pid, a, nodes, status, flags);
  };
  m.start();
  m.addTask(PID, addrs(100), nodeTarget(1));
  await m.wait("AllDone");
  await m.stop();
  // 25 at once; 15 ms later 37.5 pages of credit (37, 0.5 kept); then 38.
  assertEquals(done, [0, 25, 15, 37, 30, 38]);
});

Deno.test("mover -config with a Bandwidth beyond any number says so, not null", () => {
  const e = assertThrows(() => parseMoverConfig('{"Bandwidth":1e400}'), ConfigError);
  assertEquals(
    e.message,
    "mover: Bandwidth: must be a number above 0, at most 1000000 (got Infinity (beyond the largest number, 1.8e308))",
  );
});

Deno.test("mover -config with a long value quotes its first 40 characters and its length", () => {
  const e = assertThrows(
    () => parseMoverConfig({ IntervalMs: "x".repeat(1_000_000) }),
    ConfigError,
  );
  assertEquals(
    e.message,
    `mover: IntervalMs: must be a whole number from 1 to 3600000 (got "${
      "x".repeat(40)
    }"... (1000000 characters))`,
  );
});

Deno.test("an urgent task queued behind a long one is moved first, then the others by turns", async () => {
  const k = kernel(1000);
  const clock = new FakeClock();
  const m = mover(k, clock);
  m.setConfig({ IntervalMs: 10, Bandwidth: 10 }); // 25 pages a round at first
  const done: string[] = [];
  const orig = k.movePages.bind(k);
  k.movePages = (pid, a, nodes, status, flags) => {
    if (nodes !== null) {
      done.push(`${clock.now()}: ${a.length} from page ${(Number(a[0]) - BASE) / 4096}`);
    }
    return orig(pid, a, nodes, status, flags);
  };
  const all = addrs(1000);
  m.start();
  m.addTask(PID, all.subarray(0, 900), nodeTarget(1)); // a long one
  m.addTask(PID, all.subarray(900, 960), nodeTarget(1));
  m.addTask(PID, all.subarray(960, 1000), nodeTarget(1), { urgent: true });
  await m.wait("AllDone");
  await m.stop();
  // The urgent 40 pages first (25, then 15 and the round's other 10 to the
  // task at the cursor), then the two others by turns.
  assertEquals(done.slice(0, 5), [
    "0: 25 from page 960",
    "10: 15 from page 985",
    "10: 10 from page 0",
    "20: 25 from page 900",
    "30: 25 from page 10",
  ]);
  assertEquals(k.pagesPerNode(PID).get(1), 1000);
});

Deno.test("at an unlimited bandwidth the mover moves a round's 3000 pages in one move_pages call, not batches of 1024", async () => {
  const k = kernel(3000);
  const m = mover(k);
  m.setConfig({ IntervalMs: 10, Bandwidth: 1_000_000 });
  const calls: number[] = [];
  const orig = k.movePages.bind(k);
  k.movePages = (pid, a, nodes, status, flags) => {
    if (nodes !== null) calls.push(a.length);
    return orig(pid, a, nodes, status, flags);
  };
  m.start();
  m.addTask(PID, addrs(3000), nodeTarget(1));
  await m.wait("AllDone");
  await m.stop();
  assertEquals([calls, k.pagesPerNode(PID).get(1)], [[3000], 3000]);
});

Deno.test("a mover nobody waits on keeps the first 64 dropped tasks and counts the others (they held memory for good)", async () => {
  const k = kernel(10);
  const m = mover(k);
  m.start();
  k.exit(PID);
  for (let i = 0; i < 70; i++) {
    m.addTask(PID, addrs(10), nodeTarget(1));
    await m.wait("AllDone");
  }
  await m.stop();
  const { tasks, notKept } = m.takeDropped();
  assertEquals([tasks.length, tasks[0]!.id, tasks[63]!.id, notKept], [64, 0, 63, 6]);
  assertEquals(m.takeDropped(), { tasks: [], notKept: 0 });
});
