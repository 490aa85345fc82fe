import { assertEquals, assertThrows } from "../testing/assert.ts";
import { parseStat, PF_KTHREAD } from "./stat.ts";
import { parseStatus, statusKiB } from "./status.ts";

const dir = new URL("../../tests/fixtures/proc/", import.meta.url);

Deno.test("parseStat() tells a kernel thread by PF_KTHREAD", () => {
  const s = parseStat(Deno.readTextFileSync(new URL("2/stat", dir)));
  assertEquals(s.comm, "kthreadd");
  assertEquals((s.flags & PF_KTHREAD) !== 0, true);
});

Deno.test("parseStat() reads a user process's flags without PF_KTHREAD", () => {
  const s = parseStat(Deno.readTextFileSync(new URL("self/stat", dir)));
  assertEquals((s.flags & PF_KTHREAD) === 0, true);
  assertEquals(s.state.length, 1);
});

Deno.test("parseStat() finds a command name with spaces and parentheses by the last ')'", () => {
  const s = parseStat("77 (a (b) c) S 1 77 77 0 -1 4194560 0 0");
  assertEquals(s.comm, "a (b) c");
  assertEquals(s.ppid, 1);
  assertEquals(s.flags, 4194560);
});

Deno.test("parseStat() rejects text without a command name", () => {
  assertThrows(() => parseStat("77 S 1"), SyntaxError, "Cannot parse stat");
});

Deno.test("parseStatus() reads names and kB fields", () => {
  const s = parseStatus(Deno.readTextFileSync(new URL("self/status", dir)));
  assertEquals(s.get("Name"), "deno");
  assertEquals(typeof statusKiB(s, "VmRSS"), "number");
  assertEquals(statusKiB(s, "Name"), undefined);
});

Deno.test("parseStatus() of a kernel thread has no VmRSS", () => {
  const s = parseStatus(Deno.readTextFileSync(new URL("2/status", dir)));
  assertEquals(s.get("Name"), "kthreadd");
  assertEquals(statusKiB(s, "VmRSS"), undefined);
});
