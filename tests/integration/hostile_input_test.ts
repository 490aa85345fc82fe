/**
 * The built bin/memtierd against endless and blocking input: /dev/zero and
 * a FIFO with no writer as -config, as -f and as a policy's -config-file,
 * and /dev/zero on stdin at the prompt.
 * Each is one error line and exit 2, or (a FIFO) waits until SIGTERM and
 * then exits as SIGTERM always makes it exit. Bounded in time: every run is killed after 30 s at most.
 */
import { assertEquals, assertOk } from "../../src/testing/assert.ts";

const BIN = new URL("../../bin/memtierd", import.meta.url).pathname;
const cacheDir = Deno.makeTempDirSync({ prefix: "memtierd-cache-" });
const dir = Deno.makeTempDirSync({ prefix: "memtierd-hostile-" });
const dec = new TextDecoder();

/** bin/memtierd with `args`, stdin from `stdin` (a path) or none; SIGTERM after `termAfterMs`. */
async function memtierd(args: string[], opts: { stdin?: string; termAfterMs?: number } = {}) {
  const child = new Deno.Command("/bin/sh", {
    args: ["-c", `exec "$0" "$@" <${opts.stdin ?? "/dev/null"}`, BIN, ...args],
    clearEnv: true,
    env: {
      PATH: "/usr/sbin:/usr/bin:/sbin:/bin",
      HOME: "/nonexistent",
      MEMTIERD_CACHE_DIR: cacheDir,
    },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const timers = [setTimeout(() => child.kill("SIGKILL"), 30_000)];
  if (opts.termAfterMs !== undefined) {
    timers.push(setTimeout(() => child.kill("SIGTERM"), opts.termAfterMs));
  }
  const out = await child.output();
  timers.forEach(clearTimeout);
  return { code: out.code, signal: out.signal, stderr: dec.decode(out.stderr) };
}

async function fifo(): Promise<string> {
  const path = `${dir}/fifo-${crypto.randomUUID()}`;
  assertOk((await new Deno.Command("mkfifo", { args: [path] }).output()).success);
  return path;
}

const TOO_LARGE = "it is larger than 64 KiB, the most memtierd reads of such a file\n";

Deno.test("-config /dev/zero is one line and exit 2", async () => {
  const r = await memtierd(["-config", "/dev/zero"]);
  assertEquals([r.code, r.stderr], [
    2,
    `memtierd: Cannot read config file "/dev/zero": ${TOO_LARGE}`,
  ]);
});

Deno.test("-f /dev/zero is one line and exit 2", async () => {
  const r = await memtierd(["-f", "/dev/zero"]);
  assertEquals(
    [r.code, r.stderr],
    [2, `memtierd: Cannot read commands from -f "/dev/zero": ${TOO_LARGE}`],
  );
});

Deno.test("policy -config-file /dev/zero is one line and exit 2", async () => {
  const r = await memtierd(["-c", "policy -create stub -config-file /dev/zero"]);
  assertEquals(
    [r.code, r.stderr],
    [2, `memtierd: policy: reading file "/dev/zero" failed: ${TOO_LARGE}`],
  );
});

for (
  const [what, args] of [
    ["-config", (p: string) => ["-config", p]],
    ["-f", (p: string) => ["-f", p]],
    ["policy -config-file", (p: string) => ["-c", `policy -create stub -config-file ${p}`]],
  ] as const
) {
  Deno.test(`${what} on a FIFO with no writer: SIGTERM ends memtierd with exit 0`, async () => {
    const path = await fifo();
    const r = await memtierd(args(path), { termAfterMs: 5000 });
    assertEquals([r.code, r.signal], [0, null], r.stderr);
    assertEquals(r.stderr.includes("rror"), false, r.stderr);
  });
}

Deno.test("-prompt </dev/zero: one line too long, then SIGTERM ends it with exit 2", async () => {
  const r = await memtierd(["-prompt"], { stdin: "/dev/zero", termAfterMs: 5000 });
  assertEquals([r.code, r.signal], [2, null]);
  assertEquals(
    r.stderr,
    "memtierd: line too long: more than 65536 characters (the most a prompt line may have)\n",
  );
});

globalThis.addEventListener("unload", () => {
  Deno.removeSync(cacheDir, { recursive: true });
  Deno.removeSync(dir, { recursive: true });
});
