/**
 * Integration tests of `-metrics` against hostile local clients: the built
 * bin/memtierd, run under a low file limit (`ulimit -n`) so that a flood
 * of connections reaches it in a few dozen, and a slowloris (connections
 * that send their request a byte at a time and never finish). memtierd
 * must stay up, say so in one warning line without a stack trace, and
 * answer /metrics once the clients are gone.
 *
 * Bounded: at most 300 connections, each test well under a minute. Every
 * process started here is ended by its pid.
 */
import { assertEquals, assertOk } from "../../src/testing/assert.ts";

const BIN = new URL("../../bin/memtierd", import.meta.url).pathname;
const dec = new TextDecoder();
const enc = new TextEncoder();
const cacheDir = Deno.makeTempDirSync({ prefix: "memtierd-cache-" });

/** memtierd -prompt -metrics on a free loopback port under `ulimit -n nofile`. */
async function startDaemon(nofile: number) {
  const child = new Deno.Command("/bin/sh", {
    args: ["-c", `ulimit -n ${nofile} && exec "$0" -prompt -metrics 127.0.0.1:0`, BIN],
    clearEnv: true,
    env: { PATH: "/usr/bin:/bin", HOME: "/nonexistent", MEMTIERD_CACHE_DIR: cacheDir },
    stdin: "piped",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let stderr = "";
  const reading = (async () => {
    for await (const chunk of child.stderr) stderr += dec.decode(chunk);
  })();
  let exited: Deno.CommandStatus | undefined;
  child.status.then((s) => exited = s);
  const end = Date.now() + 60_000;
  let port = 0;
  while (port === 0) {
    const m = /metrics: serving http:\/\/127\.0\.0\.1:(\d+)\/metrics/.exec(stderr);
    if (m) port = Number(m[1]);
    else if (exited || Date.now() > end) throw new Error(`memtierd did not serve: ${stderr}`);
    else await new Promise((r) => setTimeout(r, 100));
  }
  return {
    port,
    stderr: () => stderr,
    exited: () => exited,
    async [Symbol.asyncDispose]() {
      if (!exited) child.kill("SIGTERM");
      await child.stdin.close().catch(() => {});
      await child.status;
      await reading;
    },
  };
}

/** GET /metrics on its own connection: the status line, or the error. */
async function scrape(port: number): Promise<string> {
  try {
    const r = await fetch(`http://127.0.0.1:${port}/metrics`);
    const text = await r.text();
    return text.includes("memtierd_build_info") ? `${r.status}` : `${r.status} without metrics`;
  } catch (e) {
    return `failed: ${e instanceof Error ? e.message : e}`;
  }
}

/** Scrapes until one answers 200 or `seconds` pass: the last answer. */
async function scrapeUntilOk(port: number, seconds: number): Promise<string> {
  const end = Date.now() + seconds * 1000;
  let last = "";
  while (Date.now() < end) {
    last = await scrape(port);
    if (last === "200") return last;
    await new Promise((r) => setTimeout(r, 200));
  }
  return last;
}

/** Resolves when the server ends `conn`: "closed", or "open" after `ms`. */
async function closedWithin(conn: Deno.Conn, ms: number): Promise<string> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<string>((r) => timer = setTimeout(() => r("open"), ms));
  const closed = (async () => {
    const buf = new Uint8Array(1024);
    try {
      while (await conn.read(buf) !== null) {
        // an answer: read to its end
      }
    } catch {
      // reset: closed as well
    }
    return "closed";
  })();
  try {
    return await Promise.race([closed, late]);
  } finally {
    clearTimeout(timer);
  }
}

Deno.test("a flood of 300 idle connections under ulimit -n 64 does not end memtierd -metrics", async () => {
  await using d = await startDaemon(64);
  const conns: Deno.TcpConn[] = [];
  try {
    // More than the descriptors left to it: accepts fail with EMFILE.
    for (let i = 0; i < 300; i++) {
      conns.push(await Deno.connect({ hostname: "127.0.0.1", port: d.port }));
    }
    await new Promise((r) => setTimeout(r, 1000));
    assertEquals(d.exited(), undefined, d.stderr());
  } finally {
    for (const c of conns) c.close();
  }
  assertEquals(await scrapeUntilOk(d.port, 30), "200", d.stderr());
  assertEquals(d.exited(), undefined);
  const err = d.stderr();
  assertOk(!/Uncaught|^\s+at /m.test(err), `a stack trace on stderr: ${err}`);
  assertOk(
    /WARN: metrics: cannot accept a connection: Too many open files \(os error 24\); trying again every 100 ms\n/
      .test(err),
    `no warning of the failed accepts: ${err}`,
  );
  // One warning for the flood, not one per failed accept.
  assertEquals(err.match(/cannot accept a connection/g)?.length, 1, err);
});

Deno.test("a slowloris of 40 connections is closed within the header timeout; /metrics answers meanwhile", async () => {
  await using d = await startDaemon(1024);
  const slow: Deno.TcpConn[] = [];
  let dripping = true;
  try {
    for (let i = 0; i < 40; i++) {
      slow.push(await Deno.connect({ hostname: "127.0.0.1", port: d.port }));
    }
    // One byte a second from each, a request head that never ends.
    const drip = (async () => {
      const text = enc.encode(
        "GET /metrics HTTP/1.1\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
      );
      for (let i = 0; dripping && i < text.length; i++) {
        await Promise.all(slow.map((c) => c.write(text.subarray(i, i + 1)).catch(() => 0)));
        await new Promise((r) => setTimeout(r, 1000));
      }
    })();
    assertEquals(await scrape(d.port), "200");
    // The header timeout is 5 s; 20 s is a bound on a busy machine, not a measure.
    const ends = await Promise.all(slow.map((c) => closedWithin(c, 20_000)));
    dripping = false;
    await drip;
    assertEquals(ends.filter((e) => e === "open").length, 0);
  } finally {
    dripping = false;
    for (const c of slow) c.close();
  }
  assertEquals(await scrape(d.port), "200");
  assertEquals(d.exited(), undefined, d.stderr());
  assertOk(!/Uncaught|^\s+at /m.test(d.stderr()), d.stderr());
});
