import { assertEquals, assertThrows } from "../testing/assert.ts";
import { FakeClock } from "../time/clock.ts";
import { Logger } from "../log/logger.ts";
import { Stats } from "../stats/stats.ts";
import { Loop, nextMacrotask } from "./loop.ts";

Deno.test("Loop runs a round every interval on the given clock", async () => {
  const clock = new FakeClock();
  const at: number[] = [];
  const loop = new Loop({
    name: "t",
    clock,
    intervalMs: 100,
    round: () => {
      at.push(clock.now());
      if (at.length === 4) void loop.stop();
    },
  });
  loop.start();
  await loop.finished();
  assertEquals(at, [0, 100, 200, 300]);
  assertEquals(loop.running, false);
});

Deno.test("Loop keeps going after a round throws, and logs and counts the error", async () => {
  const clock = new FakeClock();
  const stats = new Stats(clock);
  const lines: string[] = [];
  let n = 0;
  const loop = new Loop({
    name: "poller",
    clock,
    intervalMs: 10,
    stats,
    logger: new Logger((t) => lines.push(t)),
    round: () => {
      n++;
      if (n === 2) throw new Error("pid 42 went away");
      if (n === 3) void loop.stop();
    },
  });
  loop.start();
  await loop.finished();
  assertEquals(n, 3);
  assertEquals(loop.errors, 1);
  assertEquals(lines, ["ERROR: poller: pid 42 went away\n"]);
});

Deno.test("Loop ends after a round that returns false, and can be started again", async () => {
  const clock = new FakeClock();
  const at: number[] = [];
  const loop = new Loop({
    name: "t",
    clock,
    intervalMs: 100,
    round: () => {
      at.push(clock.now());
      return at.length % 3 !== 0;
    },
  });
  loop.start();
  await loop.finished();
  assertEquals(at, [0, 100, 200]);
  assertEquals([loop.running, loop.rounds], [false, 3]);
  loop.start();
  await loop.finished();
  assertEquals(at, [0, 100, 200, 200, 300, 400]);
});

Deno.test("Loop stops at once while it sleeps, when its signal aborts", async () => {
  const clock = new FakeClock();
  const abort = new AbortController();
  let n = 0;
  const loop = new Loop({ name: "t", clock, intervalMs: 3_600_000, round: () => void n++ });
  loop.start(abort.signal);
  await Promise.resolve();
  abort.abort();
  await loop.stop();
  assertEquals(n, 1);
});

Deno.test("Loop with immediate: false waits one interval before the first round", async () => {
  const clock = new FakeClock();
  let first = -1;
  const loop = new Loop({
    name: "t",
    clock,
    intervalMs: 50,
    immediate: false,
    round: () => {
      first = clock.now();
      void loop.stop();
    },
  });
  loop.start();
  await loop.finished();
  assertEquals(first, 50);
});

Deno.test("Loop refuses an interval that is not above 0", () => {
  assertThrows(
    () => new Loop({ name: "t", clock: new FakeClock(), intervalMs: 0, round: () => {} }),
    RangeError,
    "interval must be above 0 ms (got 0)",
  );
});

Deno.test("Loop with ready: waits without rounds while not ready, and runs at once on wake", async () => {
  const clock = new FakeClock();
  const at: [number, boolean][] = [];
  let work = 0;
  const loop = new Loop({
    name: "t",
    clock,
    intervalMs: 10,
    ready: () => work > 0,
    round: (_signal, { resumed }) => {
      at.push([clock.now(), resumed]);
      work--;
    },
  });
  loop.start();
  for (let i = 0; i < 5; i++) await clock.sleep(100);
  assertEquals(at, []); // no work: no rounds, and the loop did not sleep on the clock
  assertEquals(clock.now(), 500);
  work = 3;
  loop.wake();
  for (let i = 0; i < 10; i++) await Promise.resolve();
  await loop.stop();
  // Three rounds 10 ms apart; the first after the wait is told it resumed.
  assertEquals(at, [[500, true], [510, false], [520, false]]);
  assertEquals(loop.rounds, 3);
});

Deno.test("Loop: a wake before the loop waits is not lost", async () => {
  const clock = new FakeClock();
  let work = 0;
  let n = 0;
  const loop = new Loop({
    name: "t",
    clock,
    intervalMs: 10,
    ready: () => work > 0,
    round: () => {
      n++;
      work--;
    },
  });
  loop.start();
  work = 1;
  loop.wake(); // before the loop's first look
  await clock.sleep(0);
  await clock.sleep(0);
  await loop.stop();
  assertEquals(n, 1);
});

Deno.test("Loop: stop ends a loop that waits for work", async () => {
  const loop = new Loop({
    name: "t",
    clock: new FakeClock(),
    intervalMs: 10,
    ready: () => false,
    round: () => {},
  });
  loop.start();
  await Promise.resolve();
  await loop.stop();
  assertEquals([loop.running, loop.rounds], [false, 0]);
});

Deno.test("Loop reads a function intervalMs before each sleep", async () => {
  const clock = new FakeClock();
  const at: number[] = [];
  let interval = 10;
  const loop = new Loop({
    name: "t",
    clock,
    intervalMs: () => interval,
    round: () => {
      at.push(clock.now());
      interval = 30;
      if (at.length === 3) void loop.stop();
    },
  });
  loop.start();
  await loop.finished();
  assertEquals(at, [0, 30, 60]);
});

Deno.test("nextMacrotask() resolves after every microtask queued before it", async () => {
  const order: string[] = [];
  let chain = Promise.resolve();
  for (let i = 0; i < 100; i++) chain = chain.then(() => void order.push("microtask"));
  await nextMacrotask();
  order.push("turn");
  assertEquals(order.length, 101);
  assertEquals(order.indexOf("turn"), 100);
});
