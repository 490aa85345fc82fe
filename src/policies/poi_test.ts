import { assertEquals, assertThrows } from "../testing/assert.ts";
import { encodeVab, parseVab, readPoiDir, subtractRanges } from "./poi.ts";

const vab = encodeVab;

Deno.test("parseVab sorts and merges pairs, and widens them to whole pages", () => {
  const c = parseVab(vab([[0x20000, 0x21000], [0x10010, 0x11001], [0x11000, 0x12000]]));
  assertEquals(c.ranges, [
    { startAddr: 0x10000, endAddr: 0x12000 },
    { startAddr: 0x20000, endAddr: 0x21000 },
  ]);
  assertEquals(c.reversedPairs, 0);
});

Deno.test("parseVab ignores pairs whose end is not after their start", () => {
  const c = parseVab(vab([[0x30000, 0x10000], [0x40000, 0x40000], [0x50000, 0x52000]]));
  assertEquals(c.ranges, [{ startAddr: 0x50000, endAddr: 0x52000 }]);
  assertEquals(c.reversedPairs, 2);
});

Deno.test("parseVab refuses a file whose size is not a multiple of 16", () => {
  assertThrows(
    () => parseVab(new Uint8Array(24), "poi/42.vab"),
    SyntaxError,
    "Cannot parse poi/42.vab: size 24 bytes is not a multiple of 16",
  );
  assertEquals(parseVab(new Uint8Array(0)).ranges, []);
});

Deno.test("readPoiDir reads <PID>.vab files, skips bad ones with the reason, creates the lock", () => {
  const dir = Deno.makeTempDirSync();
  try {
    Deno.writeFileSync(`${dir}/42.vab`, vab([[0x10000, 0x12000]]));
    Deno.writeFileSync(`${dir}/43.vab`, new Uint8Array(17));
    Deno.writeFileSync(`${dir}/44.vab`, vab([[0x2000, 0x1000]])); // nothing left: not listed
    Deno.writeFileSync(`${dir}/notes.vab`, vab([[0x10000, 0x12000]]));
    Deno.writeFileSync(`${dir}/45.txt`, vab([[0x10000, 0x12000]]));
    const r = readPoiDir(dir);
    assertEquals(r.kind, "read");
    if (r.kind !== "read") return;
    assertEquals([...r.pids], [[42, [{ startAddr: 0x10000, endAddr: 0x12000 }]]]);
    assertEquals(r.skipped, [
      `Cannot parse ${dir}/43.vab: size 17 bytes is not a multiple of 16 ` +
      "(little-endian u64 start,end pairs)",
    ]);
    assertEquals(Deno.statSync(`${dir}/lock`).isFile, true);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("readPoiDir says busy while a writer holds the lock exclusively, reads after", () => {
  const dir = Deno.makeTempDirSync();
  try {
    Deno.writeFileSync(`${dir}/42.vab`, vab([[0x10000, 0x12000]]));
    // flock(2) locks belong to an open file: a second open conflicts like another process.
    const writer = Deno.openSync(`${dir}/lock`, { write: true, create: true });
    writer.lockSync(true);
    assertEquals(readPoiDir(dir), { kind: "busy" });
    writer.unlockSync();
    assertEquals(readPoiDir(dir).kind, "read");
    // Another reader's shared lock does not keep us out.
    writer.lockSync(false);
    assertEquals(readPoiDir(dir).kind, "read");
    writer.close();
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("subtractRanges keeps the parts outside the removed ranges", () => {
  const from = [{ startAddr: 0x1000, endAddr: 0x9000 }, { startAddr: 0x10000, endAddr: 0x12000 }];
  const remove = [
    { startAddr: 0x0, endAddr: 0x2000 },
    { startAddr: 0x4000, endAddr: 0x5000 },
    { startAddr: 0x8000, endAddr: 0x11000 },
  ];
  assertEquals(subtractRanges(from, remove), [
    { startAddr: 0x2000, endAddr: 0x4000 },
    { startAddr: 0x5000, endAddr: 0x8000 },
    { startAddr: 0x11000, endAddr: 0x12000 },
  ]);
});
