import { assertEquals, assertOk } from "../testing/assert.ts";
import { Meme, type MemeEnv, roundSpan, shuffledOrder } from "./exerciser.ts";
import { parseMemeArgs } from "./options.ts";

function meme(args: string[]): { meme: Meme; lines: string[]; files: Map<string, string> } {
  const c = parseMemeArgs(args);
  if (c.kind !== "run") throw new Error("expected run");
  const lines: string[] = [];
  const files = new Map<string, string>();
  const env: MemeEnv = {
    out: (line) => lines.push(line),
    now: () => 0,
    sleep: () => new Promise(() => {}),
    addressOf: () => 0x7f0000000000n,
    writeFile: (path, text) => files.set(path, text),
    random: () => 0.5,
  };
  return { meme: new Meme(c.options, env), lines, files };
}

Deno.test("roundSpan() moves by the deltas, wraps the offset and clips at the end", () => {
  const a = {
    count: 1,
    sizeBytes: 0,
    sizeDeltaBytes: 100,
    offsetBytes: 0,
    offsetDeltaBytes: 300,
    intervalNs: 0,
    portions: 1,
  };
  assertEquals(roundSpan(1000, 0, 200, a, 0), { start: 0, count: 200 });
  assertEquals(roundSpan(1000, 0, 200, a, 2), { start: 600, count: 400 });
  assertEquals(roundSpan(1000, 0, 200, a, 3), { start: 900, count: 100 });
  assertEquals(roundSpan(1000, 0, 200, { ...a, sizeDeltaBytes: -300 }, 1), null);
  assertEquals(roundSpan(1000, 100, 50, { ...a, offsetDeltaBytes: -300 }, 1), {
    start: 800,
    count: 150,
  });
});

Deno.test("shuffledOrder() is a permutation", () => {
  assertEquals(shuffledOrder(5, Math.random).sort(), [0, 1, 2, 3, 4]);
});

Deno.test("Meme prints arrays as START-END (N bytes) with END the last byte", () => {
  const { meme: m, lines } = meme(["-bs", "8k", "-brc", "0", "-bwc", "0"]);
  m.allocate();
  assertEquals(lines, ["    array: 7f0000000000-7f0000001fff (8192 bytes)"]);
});

Deno.test("Meme.verify() passes a pattern fill, fails a changed one, writes the file", () => {
  const { meme: m, files } = meme([
    "-bs",
    "16k",
    "-bc",
    "2",
    "-brc",
    "0",
    "-bwc",
    "0",
    "-pattern",
    "9",
    "-verify-file",
    "/v",
  ]);
  m.allocate();
  const second = m.allocate();
  assertOk(/^verify: OK 8 pages in 2 arrays/.test(m.verify()));
  assertOk(/^verify: OK 8 pages/.test(files.get("/v")!));
  second.bytes[4096 * 2 + 8]! ^= 1;
  assertEquals(
    m.verify().replace(/found 0x[0-9a-f]+/, "found X").replace(
      /expected 0x[0-9a-f]+/,
      "expected E",
    ),
    "verify: FAILED 1 of 8 pages differ from the pattern; first at array 1 offset 0x2008 " +
      "(address 0x7f0000002008): expected E, found X",
  );
});

Deno.test("Meme.verify() without -pattern says it cannot", () => {
  const { meme: m } = meme(["-bs", "4k", "-brc", "0", "-bwc", "0"]);
  m.allocate();
  assertOk(/^verify: UNAVAILABLE/.test(m.verify()));
});

Deno.test("Meme.freeLast() drops the newest array from verification", () => {
  const { meme: m } = meme(["-bs", "4k", "-bc", "2", "-brc", "0", "-bwc", "0", "-pattern", "1"]);
  m.allocate();
  m.allocate();
  m.freeLast();
  assertOk(/^verify: OK 1 pages in 1 arrays/.test(m.verify()));
});
