import { assertEquals } from "../testing/assert.ts";
import { exchangeBatches, inOrderByPid, planExchange, type RankedRange } from "./room_exchange.ts";

const PAGE = 4096;

/** A range of `pages` pages at page `at` of pid 1. */
function ranked(
  at: number,
  ratePerPage: number,
  where: { fast?: [number, number][]; other?: number; active?: boolean; pid?: number },
  pages = 100,
): RankedRange {
  return {
    pid: where.pid ?? 1,
    range: { startAddr: at * PAGE, endAddr: (at + pages) * PAGE },
    ratePerPage,
    active: where.active ?? true,
    fastPages: new Map(where.fast ?? []),
    otherPages: where.other ?? 0,
  };
}

const starts = (l: RankedRange[]) => l.map((r) => r.range.startAddr / PAGE);

Deno.test("planExchange: active memory off the fast nodes goes up, the most accessed first, while the room lasts", () => {
  const plan = planExchange(
    [
      ranked(0, 0.1, { other: 100 }),
      ranked(100, 0.9, { other: 100 }),
      ranked(200, 0.5, { other: 100 }),
      ranked(300, 0.7, { other: 100, active: false }),
      ranked(400, 0.8, { fast: [[0, 100]] }),
    ],
    new Map([[0, 150], [1, 100]]),
    1000,
  );
  assertEquals(starts(plan.promote), [100, 200]);
  assertEquals(plan.demote, []);
  assertEquals([...plan.roomPages], [[0, 150], [1, 100]]);
});

Deno.test("planExchange: on full fast nodes the least accessed memory on them goes down, as much as the memory going up needs", () => {
  const plan = planExchange(
    [
      ranked(0, 0.8, { other: 150 }),
      ranked(100, 0.05, { fast: [[0, 60], [1, 40]] }),
      ranked(200, 0.01, { fast: [[1, 100]] }),
      ranked(300, 0.02, { fast: [[0, 100]] }),
      ranked(400, 0.03, { fast: [[0, 100]] }),
    ],
    new Map([[0, 10], [1, 0]]),
    1000,
  );
  assertEquals(starts(plan.promote), [0]);
  // 10 pages of room, and 150 to go up: the two least accessed ranges free 200.
  assertEquals(starts(plan.demote), [200, 300]);
  assertEquals([...plan.roomPages], [[0, 110], [1, 100]]);
});

Deno.test("planExchange: memory accessed more than a quarter as much per page never goes down to make room", () => {
  const plan = planExchange(
    [
      ranked(0, 0.4, { other: 100 }),
      ranked(100, 0.11, { fast: [[0, 100]] }),
    ],
    new Map([[0, 0]]),
    1000,
  );
  assertEquals([plan.promote, plan.demote], [[], []]);
  const exactly = planExchange(
    [
      ranked(0, 0.4, { other: 100 }),
      ranked(100, 0.1, { fast: [[0, 100]] }),
    ],
    new Map([[0, 0]]),
    1000,
  );
  assertEquals([starts(exactly.promote), starts(exactly.demote)], [[0], [100]]);
});

Deno.test("planExchange: the first range no demotion makes room for ends the plan; demotions stop at the slow nodes' room", () => {
  const plan = planExchange(
    [
      ranked(0, 0.9, { other: 100 }),
      ranked(100, 0.8, { other: 100 }),
      ranked(200, 0.7, { other: 10 }),
      ranked(300, 0.01, { fast: [[0, 100]] }),
      ranked(400, 0.02, { fast: [[0, 100]] }),
    ],
    new Map([[0, 0]]),
    150,
  );
  // The slow nodes take 150 pages: one range of 100 goes down, not two.
  assertEquals([starts(plan.promote), starts(plan.demote)], [[0], [300]]);
  assertEquals(plan.roomPages.get(0), 100);
});

Deno.test("planExchange: memory with no accesses counted trades no places: what fits goes up, the rest waits", () => {
  const plan = planExchange(
    [
      ranked(0, 0, { other: 50, fast: [[0, 50]] }),
      ranked(100, 0, { other: 100 }),
    ],
    new Map([[0, 60]]),
    1000,
  );
  assertEquals([starts(plan.promote), starts(plan.demote)], [[0], []]);
});

Deno.test("planExchange: memory sent down to make room does not go up in the same plan", () => {
  const plan = planExchange(
    [
      ranked(0, 0.9, { other: 100 }),
      ranked(100, 0.1, { fast: [[0, 100]], other: 20 }),
    ],
    new Map([[0, 30]]),
    1000,
  );
  assertEquals([starts(plan.promote), starts(plan.demote)], [[0], [100]]);
  assertEquals(plan.roomPages.get(0), 130);
});

Deno.test("planExchange: one plan sends at most maxPages up, the most accessed first, but always its first range", () => {
  const ranges = [
    ranked(0, 0.9, { other: 100 }),
    ranked(100, 0.8, { other: 100 }),
    ranked(200, 0.7, { other: 100 }),
  ];
  const room = new Map([[0, 1000]]);
  assertEquals(starts(planExchange(ranges, room, 1000, 4, 250).promote), [0, 100]);
  assertEquals(starts(planExchange(ranges, room, 1000, 4, 50).promote), [0]);
});

Deno.test("exchangeBatches: each batch makes its room first, then its memory goes up, the most accessed first", () => {
  const plan = planExchange(
    [
      ranked(0, 0.9, { other: 100 }),
      ranked(100, 0.8, { other: 100 }),
      ranked(200, 0.7, { other: 100 }),
      ranked(300, 0.01, { fast: [[0, 100]] }),
      ranked(400, 0.02, { fast: [[0, 100]] }),
    ],
    new Map([[0, 100]]),
    1000,
  );
  assertEquals(
    plan.steps.map((s) => [starts(s.demote), s.promote.range.startAddr / PAGE]),
    [[[], 0], [[300], 100], [[400], 200]],
  );
  assertEquals(
    exchangeBatches(plan.steps, 150).map((b) => [starts(b.demote), starts(b.promote)]),
    [[[300], [0, 100]], [[400], [200]]],
  );
});

Deno.test("inOrderByPid: keeps each pid's order and drops what an earlier range of it covers", () => {
  const l = [
    ranked(200, 1, { pid: 1 }),
    ranked(0, 1, { pid: 2 }),
    ranked(250, 1, { pid: 1 }, 10),
    ranked(0, 1, { pid: 1 }),
  ];
  assertEquals(
    [...inOrderByPid(l)].map(([pid, rs]) => [pid, rs.map((r) => r.startAddr / PAGE)]),
    [[1, [200, 0]], [2, [0]]],
  );
});
