import { assertEquals, assertThrows } from "../testing/assert.ts";
import {
  MemeUsageError,
  parseDeltaCycles,
  parseDurationNs,
  parseMemeArgs,
  parseSizeBytes,
} from "./options.ts";

Deno.test("parseSizeBytes() takes bytes and k, M, G in powers of 1024", () => {
  assertEquals(parseSizeBytes("-bs", "4096"), 4096);
  assertEquals(parseSizeBytes("-bs", "4k"), 4096);
  assertEquals(parseSizeBytes("-bs", "4K"), 4096);
  assertEquals(parseSizeBytes("-bs", "512M"), 512 * 2 ** 20);
  assertEquals(parseSizeBytes("-bs", "1G"), 2 ** 30);
  assertEquals(parseSizeBytes("-bs", "0M"), 0);
});

Deno.test("parseSizeBytes() takes negative sizes only where signed", () => {
  assertEquals(parseSizeBytes("-brod", "-4k", true), -4096);
  assertThrows(() => parseSizeBytes("-bs", "-4k"), MemeUsageError, "Invalid -bs");
});

Deno.test("parseSizeBytes() refuses other units and junk", () => {
  for (const bad of ["", "G", "1.5G", "1T", "1GB", " 1G", "0x10"]) {
    assertThrows(() => parseSizeBytes("-bs", bad), MemeUsageError, "expected a size");
  }
});

Deno.test("parseDurationNs() takes ns, us, ms, s, m, h; a bare number is ns", () => {
  assertEquals(parseDurationNs("-bri", "0"), 0);
  assertEquals(parseDurationNs("-bri", "250"), 250);
  assertEquals(parseDurationNs("-bri", "7ns"), 7);
  assertEquals(parseDurationNs("-bri", "3us"), 3000);
  assertEquals(parseDurationNs("-bri", "10ms"), 10_000_000);
  assertEquals(parseDurationNs("-ttl", "2s"), 2e9);
  assertEquals(parseDurationNs("-ttl", "2m"), 120e9);
  assertEquals(parseDurationNs("-ttl", "1h"), 3600e9);
});

Deno.test("parseDurationNs() refuses unknown units, fractions and signs", () => {
  for (const bad of ["", "s", "1.5s", "-1s", "10sec", "1d"]) {
    assertThrows(() => parseDurationNs("-ttl", bad), MemeUsageError, "expected a duration");
  }
});

Deno.test("parseDeltaCycles() reads DELTA/T lists", () => {
  assertEquals(parseDeltaCycles(""), []);
  assertEquals(parseDeltaCycles("1/20s,-6/2m"), [
    { delta: 1, cycleNs: 20e9 },
    { delta: -6, cycleNs: 120e9 },
  ]);
  assertThrows(() => parseDeltaCycles("1"), MemeUsageError, "expected DELTA/TIME");
  assertThrows(() => parseDeltaCycles("1/0s"), MemeUsageError, "zero time");
});

Deno.test("parseMemeArgs() has the Go meme's defaults", () => {
  const c = parseMemeArgs([]);
  if (c.kind !== "run") throw new Error("expected run");
  assertEquals(c.options.ttlNs, undefined);
  assertEquals(c.options.arrayCount, 1);
  assertEquals(c.options.arraySizeBytes, 2 ** 30);
  assertEquals(c.options.read, {
    count: 1,
    sizeBytes: 2 ** 30,
    sizeDeltaBytes: 0,
    offsetBytes: 0,
    offsetDeltaBytes: 0,
    intervalNs: 0,
    portions: 1,
  });
  assertEquals(c.options.write.count, 1);
  assertEquals(c.options.patternSeed, undefined);
});

Deno.test("parseMemeArgs() takes -f V, -f=V, --f V and --f=V", () => {
  const c = parseMemeArgs([
    "-bs",
    "64M",
    "-bc=3",
    "--brc",
    "0",
    "--bwi=10ms",
    "-ttl",
    "5s",
    "-pattern",
    "7",
    "-verify-file",
    "/tmp/v",
    "-bwod",
    "-4k",
  ]);
  if (c.kind !== "run") throw new Error("expected run");
  assertEquals(c.options.arraySizeBytes, 64 * 2 ** 20);
  assertEquals(c.options.arrayCount, 3);
  assertEquals(c.options.read.count, 0);
  assertEquals(c.options.write.intervalNs, 10e6);
  assertEquals(c.options.write.offsetDeltaBytes, -4096);
  assertEquals(c.options.ttlNs, 5e9);
  assertEquals(c.options.patternSeed, 7);
  assertEquals(c.options.verifyFile, "/tmp/v");
});

Deno.test("parseMemeArgs() answers -version and -h", () => {
  assertEquals(parseMemeArgs(["-version"]), { kind: "version" });
  assertEquals(parseMemeArgs(["-h"]), { kind: "help" });
  assertEquals(parseMemeArgs(["--help"]), { kind: "help" });
});

Deno.test("parseMemeArgs() refuses unknown flags, missing values and arguments", () => {
  assertThrows(() => parseMemeArgs(["-nope", "1"]), MemeUsageError, "Unknown flag -nope");
  assertThrows(() => parseMemeArgs(["-bs"]), MemeUsageError, "Flag -bs needs a value");
  assertThrows(() => parseMemeArgs(["1G"]), MemeUsageError, "Unexpected argument");
  assertThrows(() => parseMemeArgs(["-bc", "-1"]), MemeUsageError, "Invalid -bc");
});

Deno.test("parseMemeArgs() wants -pattern in 32 bits and page-sized arrays", () => {
  assertThrows(() => parseMemeArgs(["-pattern", "4294967296"]), MemeUsageError, "0-4294967295");
  assertThrows(() => parseMemeArgs(["-pattern", "x"]), MemeUsageError, "Invalid -pattern");
  assertThrows(
    () => parseMemeArgs(["-pattern", "1", "-bs", "1000"]),
    MemeUsageError,
    "multiple of 4k",
  );
});
