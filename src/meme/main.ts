/**
 * meme's entry point: parses the command line, allocates the arrays, starts
 * the array reallocators (-bcd), and then waits for -ttl or for Enter, doing
 * a verification on SIGUSR1 or on a `verify` line on stdin.
 *
 * @module
 */
import { libcSyscalls } from "../ffi/libc.ts";
import { SyscallError } from "../ffi/syscall_error.ts";
import { MPOL_MF_MOVE } from "../ffi/syscalls.ts";
import { versionText } from "../version.ts";
import { Meme, type MemeEnv } from "./exerciser.ts";
import { releaseStartSignals } from "../ffi/signal_mask.ts";
import { hotsetHelp, parseHotsetArgs } from "./hotset.ts";
import { type HotsetEnv, runHotset } from "./hotset_run.ts";
import { memeHelp, type MemeOptions, MemeUsageError, parseMemeArgs } from "./options.ts";

const encoder = new TextEncoder();

function write(stream: typeof Deno.stdout | typeof Deno.stderr, text: string): void {
  const bytes = encoder.encode(text);
  try {
    for (let off = 0; off < bytes.length;) off += stream.writeSync(bytes.subarray(off));
  } catch (e) {
    if (!(e instanceof Deno.errors.BrokenPipe)) throw e;
  }
}

const realEnv: MemeEnv = {
  out: (line) => write(Deno.stdout, line + "\n"),
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  addressOf: (buffer) => {
    const p = Deno.UnsafePointer.of(buffer);
    return p === null ? 0n : BigInt(Deno.UnsafePointer.value(p));
  },
  writeFile: (path, text) => {
    const tmp = `${path}.tmp`;
    Deno.writeTextFileSync(tmp, text);
    Deno.renameSync(tmp, path);
  },
  random: Math.random,
};

function startReallocators(meme: Meme, options: MemeOptions): void {
  for (const dc of options.arrayDeltas) {
    setInterval(() => {
      meme.env.out(`    allocate ${dc.delta} arrays (every ${Math.floor(dc.cycleNs / 1e9)} s)`);
      for (let n = 0; n < dc.delta; n++) meme.allocate();
      for (let n = 0; n > dc.delta; n--) meme.freeLast();
    }, dc.cycleNs / 1e6);
  }
}

/** Reads stdin commands until `quit`, or until Enter or end of input when there is no -ttl. */
async function readCommands(meme: Meme, hasTtl: boolean): Promise<void> {
  const decoder = new TextDecoder();
  let pending = "";
  for await (const chunk of Deno.stdin.readable) {
    pending += decoder.decode(chunk, { stream: true });
    let nl;
    while ((nl = pending.indexOf("\n")) >= 0) {
      const line = pending.slice(0, nl).trim();
      pending = pending.slice(nl + 1);
      if (line === "verify") meme.env.out(meme.verify());
      else if (line === "quit" || line === "exit") return;
      else if (line === "" && !hasTtl) return;
      else if (line !== "") meme.env.out(`meme: unknown command ${JSON.stringify(line)}`);
    }
  }
  if (hasTtl) await new Promise(() => {});
}

/** Sleeps `ms`, also past setTimeout's limit of 2^31-1 ms. */
async function sleepLong(meme: Meme, ms: number): Promise<void> {
  const limit = 2 ** 31 - 1;
  for (let left = ms; left > 0; left -= limit) await meme.env.sleep(Math.min(left, limit));
}

/** Resolves at the first `start` line on stdin. */
async function stdinStart(): Promise<void> {
  const decoder = new TextDecoder();
  let pending = "";
  for await (const chunk of Deno.stdin.readable) {
    pending += decoder.decode(chunk, { stream: true });
    if (pending.split("\n").slice(0, -1).some((l) => l.trim() === "start")) return;
  }
}

const hotsetEnv: HotsetEnv = {
  out: realEnv.out,
  now: realEnv.now,
  sleep: realEnv.sleep,
  readText: (path) => Deno.readTextFileSync(path),
  addressOf: (buffer) => Number(realEnv.addressOf(buffer)),
  movePages: (addrs, nodes, status) => {
    libcSyscalls().movePages(0, addrs, nodes, status, nodes ? MPOL_MF_MOVE : 0);
  },
  waitStart: stdinStart,
};

/** `meme hotset ...`: the workload that knows its hot set (hotset.ts). */
async function runHotsetMain(args: string[]): Promise<void> {
  let status: number;
  try {
    if (args.some((a) => /^--?(help|h)$/.test(a))) {
      write(Deno.stdout, hotsetHelp());
      Deno.exit(0);
    }
    const options = parseHotsetArgs(args);
    write(Deno.stdout, `memory exerciser\npid: ${Deno.pid}\n`);
    status = await runHotset(options, hotsetEnv);
  } catch (e) {
    if (e instanceof SyscallError) {
      write(Deno.stderr, `meme: Cannot query or move its pages: ${e.message}\n`);
      Deno.exit(1);
    }
    if (!(e instanceof MemeUsageError)) throw e;
    write(Deno.stderr, `meme: ${e.message}\n`);
    Deno.exit(2);
  }
  Deno.exit(status);
}

/** Runs meme with the process's arguments and exits. */
export async function runMain(): Promise<void> {
  // The launcher held SIGHUP, SIGINT and SIGTERM while it started: meme
  // wants their default actions.
  releaseStartSignals();
  if (Deno.args[0] === "hotset") return await runHotsetMain(Deno.args.slice(1));
  let options: MemeOptions;
  try {
    const command = parseMemeArgs(Deno.args);
    if (command.kind === "help") {
      write(Deno.stdout, memeHelp());
      Deno.exit(0);
    }
    if (command.kind === "version") {
      write(Deno.stdout, versionText("meme"));
      Deno.exit(0);
    }
    options = command.options;
  } catch (e) {
    if (!(e instanceof MemeUsageError)) throw e;
    write(Deno.stderr, `meme: ${e.message}\n`);
    Deno.exit(2);
  }
  const meme = new Meme(options, realEnv);
  meme.env.out(`memory exerciser\npid: ${Deno.pid}`);
  meme.env.out(`creating ${options.arrayCount} byte arrays`);
  for (let i = 0; i < options.arrayCount; i++) meme.allocate();
  if (options.patternSeed !== undefined) {
    meme.env.out(`pattern: seed ${options.patternSeed}, ${meme.arrays.length} arrays filled`);
  }
  // Test harnesses wait for this line before they look at the memory.
  meme.env.out(`ready: ${meme.arrays.length} arrays of ${options.arraySizeBytes} bytes`);
  if (options.arrayDeltas.length > 0) {
    meme.env.out("creating byte array reallocators");
    startReallocators(meme, options);
  }
  Deno.addSignalListener("SIGUSR1", () => meme.env.out(meme.verify()));
  const hasTtl = options.ttlNs !== undefined;
  if (!hasTtl) meme.env.out("press enter to exit...");
  // With -ttl and a terminal on stdin (a job in the background of a shell,
  // say) meme leaves the terminal alone, as the Go meme does.
  const done = hasTtl && Deno.stdin.isTerminal() ? [] : [readCommands(meme, hasTtl)];
  if (hasTtl) done.push(sleepLong(meme, options.ttlNs! / 1e6));
  await Promise.race(done);
  Deno.exit(0);
}

if (import.meta.main) await runMain();
