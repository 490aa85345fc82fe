/**
 * Property test: generated prompt lines (real commands and flags with good,
 * bad and absurd values, quotes, escapes, pipes, noise) never make an
 * exception escape the prompt and never hit an internal error: every line
 * ends with one of the documented exit codes.
 */
import fc from "fast-check";
import { ExitCode } from "../common/exit_codes.ts";
import { BASE, fourNodeKernel, harness, PID } from "./_harness.ts";
import { builtinCommands } from "./commands/mod.ts";

const KNOWN_CODES = new Set<number>(Object.values(ExitCode).filter((c) => c !== ExitCode.INTERNAL));

const commands = builtinCommands();
const names = commands.map((c) => c.name);
const flagNames = [...new Set(commands.flatMap((c) => c.flags.map((f) => f.name))), "h"];

const value = fc.oneof(
  fc.constantFrom(String(PID), "1", "0", "-1", "4194305", "99999999999999999999", "1.5", "0x10"),
  fc.constantFrom("0", "1", "2", "3", "9", "1023", "1024"),
  fc.constantFrom(
    `${BASE.toString(16)}+1M`,
    `${BASE.toString(16)}-${(BASE + 8192).toString(16)}`,
    "ffff",
    "10-5",
    "x+y",
    "Present,Exclusive",
    "Dirty,NotDirty",
    "InHeap",
    "events,move_pages",
    "csv",
    "txt",
    "moves",
    "start",
    "new",
    "stop",
  ),
  fc.constantFrom(
    `'{"IntervalMs":1,"Bandwidth":1}'`,
    `'{"IntervalMs":0}'`,
    `'{"Bandwidth":-3}'`,
    `'{"IntervalMs":5,"Bandwidth":1e308}'`,
    "'intervalms: 20'",
    `{"a":`,
    "'[1,2]'",
    "null",
  ),
  fc.integer({ min: -5, max: 5000 }).map(String),
  fc.string({ maxLength: 10 }),
);

const flag = fc.tuple(fc.constantFrom(...flagNames), fc.constantFrom("-", "--"), fc.boolean())
  .map(([name, dash, eq]) => (eq ? `${dash}${name}=` : `${dash}${name}`));

const noise = fc.constantFrom("'", '"', "\\", "|", "||", "| cat", "\t", "'a b'", '"|"', "\\|", "");

/** Values that fit a flag, by the flag's value name. */
function valueFor(valueName: string | undefined): fc.Arbitrary<string> {
  switch (valueName) {
    case undefined:
      return fc.constant("");
    case "PID":
      return fc.constantFrom(String(PID), String(PID), "600", "1", "31337");
    case "PID[,PID...]":
      return fc.constantFrom(`${PID},600`, String(PID), "600,31337");
    case "NODE":
      return fc.constantFrom("0", "1", "2", "3", "7");
    case "N":
    case "PAGES":
      return fc.integer({ min: 0, max: 300 }).map(String);
    case "RANGE[,RANGE...]":
      return fc.constantFrom(
        `${BASE.toString(16)}+64k`,
        `${(BASE - 0x100000).toString(16)}+1M`,
        "0-1000",
      );
    case "JSON":
      return fc.tuple(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 1, max: 400 }))
        .map(([i, b]) => `'{"IntervalMs":${i},"Bandwidth":${b}}'`);
    default:
      return value;
  }
}

/** A command with some of its own flags and fitting values. */
const wellFormed = fc.constantFrom(...commands).chain((cmd) =>
  fc.array(
    cmd.flags.length === 0
      ? fc.constant("")
      : fc.constantFrom(...cmd.flags).chain((f) =>
        valueFor(f.valueName).map((v) => (f.type === "bool" ? `-${f.name}` : `-${f.name} ${v}`))
      ),
    { maxLength: 3 },
  ).map((parts) => [cmd.name, ...parts].join(" "))
);

const messy = fc.tuple(
  fc.oneof(fc.constantFrom(...names), fc.constantFrom(...names), fc.string({ maxLength: 6 })),
  fc.array(fc.oneof(flag, value, value, noise), { maxLength: 7 }),
).map(([cmd, words]) => [cmd, ...words].join(" ").replace(/= /g, "="));

const line = fc.oneof(wellFormed, messy);

Deno.test("100,000 generated prompt lines: no exception escapes, no internal error", async () => {
  const kernel = fourNodeKernel(256);
  kernel.addProcess(600, "other", [{ startAddr: BASE, pages: 64, kind: "anon" }]);
  kernel.populate(600, 0, 1, 64);
  using h = harness(kernel, false);
  let lines = 0;
  const codes = new Map<number, number>();
  await fc.assert(
    fc.asyncProperty(fc.array(line, { minLength: 20, maxLength: 20 }), async (batch) => {
      for (const l of batch) {
        const before = h.err().length;
        const r = await h.prompt.runLine(l);
        lines++;
        codes.set(r.code, (codes.get(r.code) ?? 0) + 1);
        if (!KNOWN_CODES.has(r.code)) {
          throw new Error(
            `line ${JSON.stringify(l)} ended with ${r.code}: ${h.err().slice(before)}`,
          );
        }
      }
      // Keep the session usable: a fatal `log -f` ends memtierd, not the test.
      h.session.fatal = undefined;
    }),
    { numRuns: 5000 },
  );
  await h.session.close();
  if (lines < 100_000) throw new Error(`only ${lines} lines ran`);
  // Both good and bad lines must have been exercised.
  if ((codes.get(0) ?? 0) < 20_000 || (codes.get(ExitCode.USAGE) ?? 0) < 10_000) {
    throw new Error(`lines by exit code: ${JSON.stringify([...codes])}`);
  }
});
