/**
 * Integration tests: the built bin/memtierd, alone (no Deno on PATH, a fresh
 * cache folder), against live processes on this machine's real kernel.
 * Build first: `make bin/memtierd` (`make integration` does).
 *
 * This machine may have one NUMA node: moves between nodes are proven in the
 * VM suite (tests/e2e); here we prove status, a move to the node the pages
 * are already on, and a move to a node that does not exist.
 */
import { assertEquals, assertIncludes, assertOk } from "../../src/testing/assert.ts";

const BIN = new URL("../../bin/memtierd", import.meta.url).pathname;
const cacheDir = Deno.makeTempDirSync({ prefix: "memtierd-cache-" });
const dec = new TextDecoder();

/** Runs bin/memtierd with nothing but a plain PATH, HOME and the test's cache folder. */
async function memtierd(...args: string[]) {
  const out = await new Deno.Command(BIN, {
    args,
    clearEnv: true,
    env: {
      PATH: "/usr/sbin:/usr/bin:/sbin:/bin",
      HOME: "/nonexistent",
      MEMTIERD_CACHE_DIR: cacheDir,
    },
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** A child process holding `mib` MiB of written memory until its stdin closes. */
async function holder(mib: number) {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "eval",
      `const a = new Uint8Array(${mib} * 1048576); for (let i = 0; i < a.length; i += 4096) a[i] = 1; Object.assign(globalThis, { keep: a });
       console.log("ready"); for await (const _ of Deno.stdin.readable) {}`,
    ],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.getReader();
  const { value } = await reader.read();
  assertIncludes(dec.decode(value), "ready");
  reader.releaseLock();
  return {
    pid: child.pid,
    async [Symbol.asyncDispose]() {
      await child.stdin.close();
      await child.status;
      await child.stdout.cancel();
    },
  };
}

Deno.test({
  name: "bin/memtierd is one file that runs without Deno on PATH",
  async fn() {
    const st = Deno.statSync(BIN);
    assertOk(st.isFile && (st.mode! & 0o111) !== 0);
    const r = await memtierd("--version");
    assertEquals(r.code, 0, r.stderr);
    assertIncludes(r.stdout, "memtierd version information:");
  },
});

Deno.test("status of a live process lists its pages on node 0", async () => {
  await using p = await holder(64);
  const r = await memtierd(`--pid=${p.pid}`, "--output=json");
  assertEquals(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assertEquals(j.pid, p.pid);
  const node0 = j.nodes.find((n: { node: number }) => n.node === 0);
  assertOk(node0.movablePages >= 64 * 256, `only ${node0.movablePages} pages on node 0`);
  assertOk(j.numaMapsBytes >= 64 * 1048576);
});

Deno.test("a move to the node the pages are on finds them all already there", async () => {
  await using p = await holder(16);
  const r = await memtierd(`--pid=${p.pid}`, "--move-to=0", "--output=json");
  assertEquals(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assertEquals(j.plannedPages, 0);
  assertOk(j.alreadyOnTargetPages >= 16 * 256);
  assertEquals(j.failedPages, 0);
});

Deno.test("a move to a node that does not exist exits 5 with one line", async () => {
  await using p = await holder(1);
  const online = Deno.readTextFileSync("/sys/devices/system/node/online").trim();
  const missing = 1000;
  const r = await memtierd(`--pid=${p.pid}`, `--move-to=${missing}`);
  assertEquals(r.code, 5);
  assertEquals(
    r.stderr,
    `memtierd: Cannot move to node ${missing}: no such node (online nodes: ${online})\n`,
  );
});

Deno.test("a pid that does not exist exits 3", async () => {
  const r = await memtierd("--pid=4194304");
  assertEquals(r.code, 3);
  assertEquals(r.stderr, "memtierd: Cannot find process 4194304: no such process\n");
});

Deno.test("a kernel thread exits 7", async () => {
  const r = await memtierd("--pid=2");
  assertEquals(r.code, 7);
  assertIncludes(r.stderr, "kernel thread");
});

Deno.test("bad usage exits 2 without a stack trace", async () => {
  const r = await memtierd("--pid", "x1");
  assertEquals(r.code, 2);
  assertEquals(r.stderr.split("\n").length, 2);
});

globalThis.addEventListener("unload", () => Deno.removeSync(cacheDir, { recursive: true }));

/** Runs bin/memtierd through bash, for redirections Deno.Command cannot make. */
async function shell(script: string) {
  const out = await new Deno.Command("bash", {
    args: ["-c", script, BIN],
    clearEnv: true,
    env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin", MEMTIERD_CACHE_DIR: cacheDir },
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

Deno.test("standard output on a full device: exit 1 with one line", async () => {
  const r = await shell(`"$0" --version >/dev/full`);
  assertEquals([r.code, r.stderr], [
    1,
    "memtierd: Cannot write to standard output: no space left on device (ENOSPC)\n",
  ]);
});

Deno.test("a closed standard output: exit 1 with one line, not a silent 0", async () => {
  const r = await shell(`"$0" --version >&-`);
  assertEquals([r.code, r.stderr], [
    1,
    "memtierd: Cannot write to standard output: it is closed (EBADF)\n",
  ]);
  const devNull = await shell(`"$0" --version >/dev/null`);
  assertEquals(devNull.code, 0);
});

Deno.test("a reader that went away (broken pipe): exit 1 with one line", async () => {
  const r = await shell(`(sleep 0.3; exec "$0" --help) | true; echo "\${PIPESTATUS[0]}"`);
  assertEquals(r.stdout, "1\n");
  assertEquals(r.stderr, "memtierd: Cannot write to standard output: broken pipe (EPIPE)\n");
});

Deno.test("a zombie target exits 3, saying it has exited", async () => {
  const parent = new Deno.Command("sh", {
    args: ["-c", "sleep 0 & exec sleep 20"],
    stdout: "null",
    stderr: "null",
  }).spawn();
  try {
    let zombie = 0;
    for (let i = 0; i < 50 && !zombie; i++) {
      await new Promise((ok) => setTimeout(ok, 100));
      const children = Deno.readTextFileSync(`/proc/${parent.pid}/task/${parent.pid}/children`)
        .trim();
      const pid = Number(children.split(" ")[0]);
      if (pid && Deno.readTextFileSync(`/proc/${pid}/stat`).includes(") Z ")) zombie = pid;
    }
    assertOk(zombie > 0, "no zombie appeared");
    for (const args of [[`--pid=${zombie}`], [`--pid=${zombie}`, "--move-to=0"]]) {
      const r = await memtierd(...args);
      assertEquals(r.code, 3, r.stderr);
      assertIncludes(r.stderr, `process ${zombie}: it has exited (a zombie`);
    }
  } finally {
    parent.kill();
    await parent.status;
  }
});
