import { assertEquals, assertThrows } from "../testing/assert.ts";
import {
  coldFastPlan,
  coldPage,
  countTierChanges,
  hotLayout,
  hotsetLine,
  hotStart,
  parseHotsetArgs,
  samplePages,
  strided,
  summarizePlacement,
  tierChanges,
} from "./hotset.ts";
import { MemeUsageError } from "./options.ts";

Deno.test("parseHotsetArgs() gives the defaults: 256M, 10 % hot, 90 % of the touches, read-only", () => {
  assertEquals(parseHotsetArgs([]), {
    workingSetBytes: 268435456,
    hotPercent: 10,
    hotAccessPercent: 90,
    write: false,
    shiftAtNs: undefined,
    ttlNs: 120e9,
    roundPauseNs: 20e6,
    samplePages: 2048,
    fastNodes: undefined,
    place: "cold-fast",
    fastReserveBytes: 67108864,
    patternSeed: 1,
    waitStart: false,
  });
});

Deno.test("parseHotsetArgs() reads -write alone, -shift, -fast and -place none", () => {
  const o = parseHotsetArgs([
    "-write",
    "-shift",
    "40s",
    "-fast=0,1",
    "-place",
    "none",
    "-ttl",
    "90s",
  ]);
  assertEquals([o.write, o.shiftAtNs, o.fastNodes, o.place, o.ttlNs], [
    true,
    40e9,
    [0, 1],
    "none",
    90e9,
  ]);
});

Deno.test("parseHotsetArgs() says what was wrong and what is accepted", () => {
  const cases: [string[], string][] = [
    [["-hot", "60"], 'Invalid -hot "60": expected a whole number 1-50'],
    [["-ws", "10000"], "Invalid -ws 10000: expected a non-zero multiple of 4k"],
    [["-place", "hot-fast"], 'Invalid -place "hot-fast": expected cold-fast or none'],
    [["-fast", "0-1"], 'Invalid -fast "0-1": expected node ids like 0,1'],
    [["-write=yes"], 'Invalid -write "yes": expected true or false'],
    [["-bs", "1G"], "Unknown flag -bs of meme hotset (see meme -help)"],
    [["-ws", "8k", "-hot", "10"], "Invalid -ws 8k with -hot 10: the hot set has no page"],
    [["stray"], 'Unexpected argument "stray": meme hotset takes only flags'],
  ];
  for (const [args, message] of cases) {
    assertThrows(() => parseHotsetArgs(args), MemeUsageError, message);
  }
});

Deno.test("hotLayout() touches 1 cold page for every 9 hot ones at 90 % of the touches", () => {
  // 256 MiB = 65536 pages; 10 % hot = 6553 pages; 6553 / 9 = 728.1 cold pages a round.
  assertEquals(hotLayout({ workingSetBytes: 256 << 20, hotPercent: 10, hotAccessPercent: 90 }), {
    pages: 65536,
    hotPages: 6553,
    coldPerRound: 728,
  });
});

Deno.test("the hot set is the last pages, after the shift the pages before them", () => {
  const layout = hotLayout({ workingSetBytes: 100 * 4096, hotPercent: 10, hotAccessPercent: 90 });
  assertEquals([hotStart(layout, 0), hotStart(layout, 1)], [90, 80]);
});

Deno.test("coldPage() skips the hot set", () => {
  const layout = hotLayout({ workingSetBytes: 100 * 4096, hotPercent: 10, hotAccessPercent: 90 });
  assertEquals([
    coldPage(layout, 80, 0),
    coldPage(layout, 80, 79),
    coldPage(layout, 80, 80),
    coldPage(layout, 80, 89),
  ], [
    0,
    79,
    90,
    99,
  ]);
});

Deno.test("strided() spreads a sample evenly, and takes all when it is not smaller", () => {
  assertEquals(strided(10, 4), [1, 3, 6, 8]);
  assertEquals(strided(3, 5), [0, 1, 2]);
});

Deno.test("samplePages() samples the hot set and the cold pages of each phase", () => {
  const layout = hotLayout({ workingSetBytes: 100 * 4096, hotPercent: 10, hotAccessPercent: 90 });
  assertEquals(samplePages(layout, 0, 2), { hot: [92, 97], cold: [22, 67] });
  assertEquals(samplePages(layout, 1, 2), { hot: [82, 87], cold: [22, 67] });
});

Deno.test("summarizePlacement() weighs the hit ratio by the share of touches", () => {
  // 3 of 4 hot pages fast; cold: 1 fast, 2 slow, 1 swapped out (-ENOENT).
  const p = summarizePlacement(
    new Int32Array([0, 1, 2, 0]),
    new Int32Array([1, 3, 2, -2]),
    [0, 1],
    90,
  );
  assertEquals(p, {
    hotFast: 0.75,
    coldSlow: 0.5,
    coldFast: 0.25,
    hit: 0.9 * 0.75 + 0.1 * 0.25,
    absent: 1,
  });
});

Deno.test("hotsetLine() prints one line of key=value fields", () => {
  assertEquals(
    hotsetLine(61.04, 123456, 1, { hotFast: 0.5, coldSlow: 1, coldFast: 0, hit: 0.45, absent: 3 }),
    "hotset: t=61.0 accesses=123456 phase=1 hot_fast=0.500 cold_slow=1.000 hit=0.450 absent=3",
  );
});

Deno.test("coldFastPlan() fills the fast nodes with cold pages in order and puts both hot sets on the slow nodes", () => {
  const layout = hotLayout({ workingSetBytes: 20 * 4096, hotPercent: 10, hotAccessPercent: 90 });
  // 20 pages, hot 18-19, then 16-17; fast nodes take 5 and 20 pages: capped before page 16.
  assertEquals(
    [...coldFastPlan(layout, [0, 1], [5, 20], [2, 3])],
    [0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 3, 3],
  );
  assertEquals([...coldFastPlan(layout, [0], [2], [2])].slice(0, 4), [0, 0, 2, 2]);
});

Deno.test("tierChanges() counts pages whose tier differs, by direction, and skips absent pages", () => {
  const before = new Int32Array([0, 1, 2, 3, 2, -2, 0]);
  const after = new Int32Array([1, 2, 0, 3, 1, 0, -14]);
  // 0→1 same tier; 1→2 to slow; 2→0 to fast; 3→3; 2→1 to fast; absent before; absent after.
  assertEquals(tierChanges(before, after, [0, 1]), { toFast: 2, toSlow: 1 });
});

Deno.test("countTierChanges() counts each page's moves between tiers across queries", () => {
  const tiers = new Int8Array([-1, -1, -1]);
  const changes = new Uint16Array(3);
  for (const s of [[0, 2, 2], [2, 2, 0], [0, 3, -2], [2, 2, 1]]) {
    countTierChanges(new Int32Array(s), [0, 1], tiers, changes);
  }
  assertEquals([...changes], [3, 0, 1]);
});
