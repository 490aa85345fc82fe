import { assertEquals } from "../testing/assert.ts";
import { realClock } from "./clock.ts";

Deno.test("realClock.sleep(0) is a turn of the event loop: microtasks queued before it run first", async () => {
  const order: string[] = [];
  let chain = Promise.resolve();
  for (let i = 0; i < 100; i++) chain = chain.then(() => void order.push("microtask"));
  await realClock.sleep(0);
  order.push("slept");
  assertEquals(order.length, 101);
  assertEquals(order.indexOf("slept"), 100);
});

Deno.test("realClock.sleep() with a negative time sleeps as for 0", async () => {
  const order: string[] = [];
  const slept = realClock.sleep(-5).then(() => void order.push("slept"));
  await Promise.resolve();
  order.push("microtask");
  await slept;
  assertEquals(order, ["microtask", "slept"]);
});

Deno.test("realClock.sleep() resolves at once for an aborted signal", async () => {
  const abort = new AbortController();
  abort.abort();
  const order: string[] = [];
  const slept = realClock.sleep(60_000, abort.signal).then(() => void order.push("slept"));
  await slept;
  assertEquals(order, ["slept"]);
});
