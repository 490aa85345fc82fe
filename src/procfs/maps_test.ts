import { assertEquals, assertThrows } from "../testing/assert.ts";
import { parseMaps } from "./maps.ts";

const fixture = Deno.readTextFileSync(
  new URL("../../tests/fixtures/proc/self/maps", import.meta.url),
);

Deno.test("parseMaps() keeps [vsyscall] above 2^53 exact as bigint", () => {
  const vsyscall = parseMaps(fixture).find((m) => m.pathname === "[vsyscall]");
  assertEquals(vsyscall?.start, 0xffffffffff600000n);
  assertEquals(vsyscall?.end, 0xffffffffff601000n);
  assertEquals(vsyscall?.perms, "--xp");
});

Deno.test("parseMaps() keeps pathnames with spaces", () => {
  const m = parseMaps(fixture).find((e) => e.pathname.endsWith("data file with spaces.bin"));
  assertEquals(m?.deleted, false);
  assertEquals(m?.perms, "rw-p");
});

Deno.test("parseMaps() strips ' (deleted)' and flags the mapping", () => {
  const m = parseMaps(fixture).find((e) => e.pathname.endsWith("gone.bin"));
  assertEquals(m?.deleted, true);
  assertEquals(m?.perms, "r--s");
});

Deno.test("parseMaps() gives anonymous mappings an empty pathname", () => {
  const m = parseMaps(fixture).find((e) => e.start === 0x20000000n);
  assertEquals(m?.pathname, "");
  assertEquals(m?.end, 0x20040000n);
  assertEquals(m?.inode, 0);
});

Deno.test("parseMaps() reads every line of a real maps file", () => {
  assertEquals(parseMaps(fixture).length, fixture.trim().split("\n").length);
});

Deno.test("parseMaps() names the source and line of a malformed line", () => {
  assertThrows(
    () => parseMaps("1000-2000 rw-p 0 00:00 0\nnot a mapping\n", "/proc/7/maps"),
    SyntaxError,
    "Cannot parse /proc/7/maps line 2",
  );
});
