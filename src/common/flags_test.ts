import { UsageError } from "../errors.ts";
import { assertEquals, assertThrows } from "../testing/assert.ts";
import { type FlagSpec, parseFlags, parseWholeNumber } from "./flags.ts";

const SPECS: FlagSpec[] = [
  { name: "pid", type: "string", help: "", valueName: "PID" },
  { name: "move-to", type: "string", help: "" },
  { name: "debug", type: "bool", help: "" },
];

Deno.test("parseFlags() accepts --flag=v, --flag v, -flag v and -flag=v", () => {
  for (const args of [["--pid=5"], ["--pid", "5"], ["-pid", "5"], ["-pid=5"]]) {
    assertEquals(parseFlags(args, SPECS).values.get("pid"), "5");
  }
});

Deno.test("parseFlags() reads bool flags without a value, and =false", () => {
  assertEquals(parseFlags(["-debug"], SPECS).values.get("debug"), true);
  assertEquals(parseFlags(["--debug=false"], SPECS).values.get("debug"), false);
  assertThrows(() => parseFlags(["--debug=maybe"], SPECS), UsageError, "expected true or false");
});

Deno.test("parseFlags() stops at the first non-flag and after --", () => {
  assertEquals(parseFlags(["-pid", "1", "x", "-debug"], SPECS).rest, ["x", "-debug"]);
  assertEquals(parseFlags(["--", "-pid"], SPECS).rest, ["-pid"]);
});

Deno.test("parseFlags() names an unknown flag and lists the accepted ones", () => {
  assertThrows(
    () => parseFlags(["--pdi=3"], SPECS),
    UsageError,
    "Unknown flag --pdi (accepted: --pid, --move-to, --debug)",
  );
});

Deno.test("parseFlags() says which flag lacks its value", () => {
  assertThrows(() => parseFlags(["--pid"], SPECS), UsageError, "Flag --pid needs a value (PID)");
});

Deno.test("parseWholeNumber() accepts whole numbers in range only", () => {
  assertEquals(parseWholeNumber("--count", "100000", 1, 2 ** 32, "pages"), 100000);
  for (const bad of ["0", "-5", "1.5", "1e3", "abc", "", "99999999999999999999"]) {
    assertThrows(
      () => parseWholeNumber("--count", bad, 1, 2 ** 32, "pages"),
      UsageError,
      "expected pages, a whole number from 1 to 4294967296",
    );
  }
});
