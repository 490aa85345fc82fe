/**
 * meme's command line: the Go meme's flags (`-bs 1G`, `-bri=10ms`, ...) plus
 * the data-checking ones (`-pattern`, `-verify-file`), parsed into typed
 * options. Pure: no I/O.
 *
 * @module
 */

/** A command line meme cannot run with; main prints it with the usage and exits 2. */
export class MemeUsageError extends Error {
  override name = "MemeUsageError";
}

const SIZE_UNITS: Record<string, number> = {
  "": 1,
  k: 1024,
  K: 1024,
  M: 1024 ** 2,
  m: 1024 ** 2,
  G: 1024 ** 3,
  g: 1024 ** 3,
};

/**
 * Parses a size: an integer with an optional unit k, M or G (powers of 1024;
 * K, m and g are accepted too); a bare number is bytes. A leading minus is
 * allowed only where `signed` (the per-round deltas).
 *
 * @example
 * ```ts
 * import { parseSizeBytes } from "./options.ts";
 * parseSizeBytes("-bs", "512M"); // 536870912
 * ```
 */
export function parseSizeBytes(flag: string, text: string, signed = false): number {
  const m = /^(-?)(\d+)([kKmMgG]?)$/.exec(text);
  if (!m || (m[1] && !signed)) {
    throw new MemeUsageError(
      `Invalid ${flag} ${JSON.stringify(text)}: expected a size like 4k, 512M or 1G${
        signed ? " (may be negative)" : ""
      }`,
    );
  }
  const value = Number(m[2]) * SIZE_UNITS[m[3] ?? ""]!;
  if (!Number.isSafeInteger(value)) {
    throw new MemeUsageError(`Invalid ${flag} ${JSON.stringify(text)}: too large`);
  }
  return m[1] ? -value : value;
}

const DURATION_NS: Record<string, number> = {
  "": 1,
  ns: 1,
  us: 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

/**
 * Parses a duration: an integer with an optional unit ns, us, ms, s, m or h;
 * a bare number is nanoseconds, as in the Go meme. Returns nanoseconds.
 *
 * @example
 * ```ts
 * import { parseDurationNs } from "./options.ts";
 * parseDurationNs("-bri", "10ms"); // 10000000
 * ```
 */
export function parseDurationNs(flag: string, text: string): number {
  const m = /^(\d+)(ns|us|ms|s|m|h)?$/.exec(text);
  if (!m) {
    throw new MemeUsageError(
      `Invalid ${flag} ${JSON.stringify(text)}: expected a duration like 500ms, 10s or 2m`,
    );
  }
  const value = Number(m[1]) * DURATION_NS[m[2] ?? ""]!;
  if (!Number.isSafeInteger(value)) {
    throw new MemeUsageError(`Invalid ${flag} ${JSON.stringify(text)}: too long`);
  }
  return value;
}

/** One `DELTA/T` of -bcd: add (delta > 0) or free (delta < 0) arrays every cycle. */
export interface DeltaCycle {
  delta: number;
  cycleNs: number;
}

/** Parses -bcd: `DELTA/T[,DELTA/T...]`, e.g. `1/20s,-6/2m`. */
export function parseDeltaCycles(text: string): DeltaCycle[] {
  if (text === "") return [];
  return text.split(",").map((spec) => {
    const m = /^([+-]?\d+)\/(.+)$/.exec(spec);
    if (!m) {
      throw new MemeUsageError(
        `Invalid -bcd ${
          JSON.stringify(text)
        }: expected DELTA/TIME[,DELTA/TIME...], e.g. 1/20s,-6/2m`,
      );
    }
    const cycleNs = parseDurationNs("-bcd", m[2]!);
    if (cycleNs === 0) throw new MemeUsageError(`Invalid -bcd ${JSON.stringify(spec)}: zero time`);
    return { delta: Number(m[1]), cycleNs };
  });
}

/** What one reader or writer does with its array each round. */
export interface AccessOptions {
  /** How many arrays get one (the first ones allocated). */
  count: number;
  sizeBytes: number;
  sizeDeltaBytes: number;
  offsetBytes: number;
  offsetDeltaBytes: number;
  intervalNs: number;
  portions: number;
}

/** Everything meme was asked to do. */
export interface MemeOptions {
  /** Exit after this long; undefined: wait for Enter (or end of input). */
  ttlNs: number | undefined;
  perfPrintNs: number;
  arrayCount: number;
  arrayDeltas: DeltaCycle[];
  arraySizeBytes: number;
  read: AccessOptions;
  write: AccessOptions;
  /** Fill the arrays with the pattern of this seed, for verifying later. */
  patternSeed: number | undefined;
  /** Where to write each verification's result line too. */
  verifyFile: string | undefined;
}

/** The outcome of parsing: options to run with, or help or version to print. */
export type MemeCommand =
  | { kind: "run"; options: MemeOptions }
  | { kind: "help" }
  | { kind: "version" };

interface FlagSpec {
  name: string;
  value: string;
  help: string;
}

/** The flags, with the Go meme's defaults and the two of this meme. */
const MEME_FLAGS: readonly FlagSpec[] = [
  { name: "ttl", value: "", help: "exit after T (ns|us|ms|s|m|h); default: wait for Enter" },
  { name: "p", value: "0", help: "print each exerciser's average round time every T" },
  { name: "bc", value: "1", help: "number of byte arrays" },
  {
    name: "bcd",
    value: "",
    help: 'add or free arrays periodically: DELTA/T[,DELTA/T...], "1/20s,-6/2m"',
  },
  { name: "bs", value: "1G", help: "size of each byte array (k, M or G)" },
  { name: "brc", value: "1", help: "number of arrays with a reader" },
  { name: "bwc", value: "1", help: "number of arrays with a writer" },
  { name: "brs", value: "1G", help: "bytes read each round" },
  { name: "bws", value: "1G", help: "bytes written each round" },
  { name: "brsd", value: "0k", help: "change of the read size each round" },
  { name: "bwsd", value: "0k", help: "change of the write size each round" },
  { name: "bro", value: "0M", help: "offset of the read in the array" },
  { name: "bwo", value: "0M", help: "offset of the write in the array" },
  { name: "brod", value: "0k", help: "change of the read offset each round" },
  { name: "bwod", value: "0k", help: "change of the write offset each round" },
  { name: "bri", value: "0", help: "read round interval T (ns|us|ms|s|m|h)" },
  { name: "bwi", value: "0", help: "write round interval T" },
  { name: "brp", value: "1", help: "portions the read is split into, visited in random order" },
  { name: "bwp", value: "1", help: "portions the write is split into" },
  {
    name: "pattern",
    value: "",
    help: "fill the arrays with the known pattern of SEED (0-4294967295); writers then " +
      "rewrite it in place, and SIGUSR1 or a `verify` line on stdin checks every page",
  },
  { name: "verify-file", value: "", help: "write each verification's result line to FILE too" },
];

const BOOL_FLAGS = new Set(["version", "help", "h"]);

/** The usage text of `meme -help`. */
export function memeHelp(): string {
  const lines = MEME_FLAGS.map((f) =>
    `  -${f.name} ${f.value === "" ? "VALUE" : `(default ${f.value})`}\n      ${f.help}`
  );
  return `meme: memory exerciser, a workload for testing memtierd

Usage: meme [flags]

Allocates byte arrays, touches every page, and reads and writes parts of
them in rounds. Prints "pid: N" and "    array: START-END (N bytes)" lines.
With -pattern, every page holds known data; send SIGUSR1 (or write
"verify" to stdin) to check it all: "verify: OK N pages" or
"verify: FAILED ...". Stdin lines: "verify", "quit"; without -ttl an empty
line or the end of input exits, as in the Go meme.

Flags (-flag VALUE, -flag=VALUE, --flag VALUE):
${lines.join("\n")}
  -version
      print the version and exit

meme hotset [flags]: the tiering comparison's workload (meme hotset -help).
`;
}

function wholeCount(flag: string, text: string, min: number): number {
  if (!/^\d+$/.test(text) || Number(text) < min || !Number.isSafeInteger(Number(text))) {
    throw new MemeUsageError(
      `Invalid -${flag} ${JSON.stringify(text)}: expected a whole number >= ${min}`,
    );
  }
  return Number(text);
}

/** Parses meme's arguments. Throws MemeUsageError. */
export function parseMemeArgs(args: readonly string[]): MemeCommand {
  const known = new Map(MEME_FLAGS.map((f) => [f.name, f.value]));
  const values = new Map(known);
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const m = /^--?([a-z-]+)(?:=(.*))?$/s.exec(arg);
    if (!m) {
      throw new MemeUsageError(`Unexpected argument ${JSON.stringify(arg)}: meme takes only flags`);
    }
    const name = m[1]!;
    if (BOOL_FLAGS.has(name)) {
      if (m[2] !== undefined && m[2] !== "true") {
        throw new MemeUsageError(`Flag -${name} takes no value`);
      }
      return name === "version" ? { kind: "version" } : { kind: "help" };
    }
    if (!known.has(name)) throw new MemeUsageError(`Unknown flag -${name} (see meme -help)`);
    let value = m[2];
    if (value === undefined) {
      value = args[++i];
      if (value === undefined) throw new MemeUsageError(`Flag -${name} needs a value`);
    }
    values.set(name, value);
  }
  const v = (name: string) => values.get(name)!;
  const size = (name: string) => parseSizeBytes(`-${name}`, v(name));
  const delta = (name: string) => parseSizeBytes(`-${name}`, v(name), true);
  const duration = (name: string) => parseDurationNs(`-${name}`, v(name));
  const access = (p: "r" | "w"): AccessOptions => ({
    count: wholeCount(`b${p}c`, v(`b${p}c`), 0),
    sizeBytes: size(`b${p}s`),
    sizeDeltaBytes: delta(`b${p}sd`),
    offsetBytes: size(`b${p}o`),
    offsetDeltaBytes: delta(`b${p}od`),
    intervalNs: duration(`b${p}i`),
    portions: Math.max(1, size(`b${p}p`)),
  });
  const arraySizeBytes = size("bs");
  if (arraySizeBytes < 1) throw new MemeUsageError("Invalid -bs 0: an array needs at least 1 byte");
  let patternSeed: number | undefined;
  if (v("pattern") !== "") {
    patternSeed = wholeCount("pattern", v("pattern"), 0);
    if (patternSeed > 0xffffffff) {
      throw new MemeUsageError(`Invalid -pattern ${v("pattern")}: expected 0-4294967295`);
    }
    if (arraySizeBytes % 4096 !== 0) {
      throw new MemeUsageError(
        `Invalid -bs ${v("bs")} with -pattern: the array size must be a multiple of 4k`,
      );
    }
  }
  return {
    kind: "run",
    options: {
      ttlNs: v("ttl") === "" ? undefined : duration("ttl"),
      perfPrintNs: duration("p"),
      arrayCount: wholeCount("bc", v("bc"), 0),
      arrayDeltas: parseDeltaCycles(v("bcd")),
      arraySizeBytes,
      read: access("r"),
      write: access("w"),
      patternSeed,
      verifyFile: v("verify-file") === "" ? undefined : v("verify-file"),
    },
  };
}
