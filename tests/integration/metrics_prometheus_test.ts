/**
 * Integration test of `-metrics`: the built bin/memtierd in command mode
 * swaps out and moves pages of a child process it is given (on this
 * one-node host: a move to node 0, where the pages are, and a
 * process_madvise page-out, which the kernel accepts without swap), while
 * a real Prometheus server (Debian's `prometheus`, started here on
 * loopback with a temporary config and storage folder) scrapes it every
 * second. The exposition text passes `promtool check metrics`, and
 * Prometheus' HTTP API returns the moved- and swapped-bytes series with
 * the values /metrics shows.
 *
 * Needs `prometheus` and `promtool` (tools/setup-debian.sh installs them).
 * Every process started here is ended by its pid.
 */
import { assertEquals, assertIncludes, assertOk } from "../../src/testing/assert.ts";

const BIN = new URL("../../bin/memtierd", import.meta.url).pathname;
const dec = new TextDecoder();
const enc = new TextEncoder();

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

async function until<T>(what: string, seconds: number, get: () => Promise<T | undefined>) {
  const end = Date.now() + seconds * 1000;
  for (;;) {
    try {
      const v = await get();
      if (v !== undefined) return v;
    } catch {
      // not up yet
    }
    if (Date.now() > end) throw new Error(`${what}: not within ${seconds} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The value of the sample line `series` (name and labels, exactly) in exposition text. */
function sampleValue(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

Deno.test("a Prometheus server scraping memtierd -metrics returns its moved and swapped bytes", async () => {
  const tmp = Deno.makeTempDirSync({ prefix: "memtierd-prom-" });
  const children: Deno.ChildProcess[] = [];
  const inputs: WritableStreamDefaultWriter<Uint8Array>[] = [];
  const start = (cmd: string, args: string[], stdin: "piped" | "null" = "null") => {
    const c = new Deno.Command(cmd, { args, stdin, stdout: "piped", stderr: "piped" }).spawn();
    children.push(c);
    return c;
  };
  try {
    // A child holding 16 MiB of written memory.
    const holder = start(Deno.execPath(), [
      "eval",
      `const a = new Uint8Array(16 * 1048576); for (let i = 0; i < a.length; i += 4096) a[i] = 1;
       Object.assign(globalThis, { keep: a }); console.log("ready");
       for await (const _ of Deno.stdin.readable) {}`,
    ], "piped");
    inputs.push(holder.stdin.getWriter());
    const reader = holder.stdout.getReader();
    assertIncludes(dec.decode((await reader.read()).value), "ready");
    reader.releaseLock();
    const pid = holder.pid;

    const metricsPort = freePort();
    const memtierd = new Deno.Command(BIN, {
      args: ["-prompt", "-metrics", `127.0.0.1:${metricsPort}`],
      clearEnv: true,
      env: { PATH: "/usr/bin:/bin", HOME: "/nonexistent", MEMTIERD_CACHE_DIR: `${tmp}/cache` },
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    children.push(memtierd);
    const commands = memtierd.stdin.getWriter();
    inputs.push(commands);
    await commands.write(enc.encode(
      `pages -pid ${pid}\nmover -pages-to 0\nmover -wait\nswap -pid ${pid} -out\n`,
    ));
    const url = `http://127.0.0.1:${metricsPort}/metrics`;
    const moved = `memtierd_moved_bytes_total{pid="${pid}",node="0"}`;
    const swapped = `memtierd_swapped_out_bytes_total{pid="${pid}"}`;
    const text = await until("memtierd's /metrics with both series", 30, async () => {
      const t = await (await fetch(url)).text();
      return sampleValue(t, moved) && sampleValue(t, swapped) ? t : undefined;
    });
    // Every page of the 16 MiB was on node 0 already, and was advised out.
    assertOk(sampleValue(text, moved)! >= 16 * 1048576, `${moved} ${sampleValue(text, moved)}`);
    assertOk(
      sampleValue(text, swapped)! >= 16 * 1048576,
      `${swapped} ${sampleValue(text, swapped)}`,
    );
    assertIncludes(text, 'memtierd_build_info{version="0.1.0",build="');

    const check = new Deno.Command("promtool", {
      args: ["check", "metrics"],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const w = check.stdin.getWriter();
    await w.write(enc.encode(text));
    await w.close();
    const checked = await check.output();
    assertEquals(
      { code: checked.code, out: dec.decode(checked.stdout) + dec.decode(checked.stderr) },
      { code: 0, out: "" },
    );

    const promPort = freePort();
    Deno.writeTextFileSync(
      `${tmp}/prometheus.yml`,
      `global: {scrape_interval: 1s, evaluation_interval: 1s}
scrape_configs:
  - job_name: memtierd
    static_configs: [{targets: ["127.0.0.1:${metricsPort}"]}]
`,
    );
    const prometheus = start("prometheus", [
      `--config.file=${tmp}/prometheus.yml`,
      `--storage.tsdb.path=${tmp}/data`,
      `--web.listen-address=127.0.0.1:${promPort}`,
    ]);
    const query = async (q: string) => {
      const r = await fetch(
        `http://127.0.0.1:${promPort}/api/v1/query?query=${encodeURIComponent(q)}`,
      );
      const j = await r.json();
      return j.data?.result?.[0] as { metric: Record<string, string>; value: [number, string] };
    };
    const series = await until(
      "Prometheus' result for the swapped bytes",
      60,
      () => query(swapped),
    );
    assertEquals(series.metric, {
      __name__: "memtierd_swapped_out_bytes_total",
      instance: `127.0.0.1:${metricsPort}`,
      job: "memtierd",
      pid: String(pid),
    });
    assertEquals(Number(series.value[1]), sampleValue(text, swapped));
    const movedSeries = await query(moved);
    assertEquals(movedSeries.metric.node, "0");
    assertEquals(Number(movedSeries.value[1]), sampleValue(text, moved));
    const up = await query(`up{job="memtierd"}`);
    assertEquals(up.value[1], "1");

    await commands.write(enc.encode("q\n"));
    const status = await memtierd.status;
    assertEquals(status.code, 0);
    prometheus.kill("SIGTERM");
  } finally {
    for (const w of inputs) await w.close().catch(() => {});
    for (const c of children) {
      try {
        c.kill("SIGKILL");
      } catch {
        // already exited
      }
      await c.status;
      await c.stdout.cancel().catch(() => {});
      await c.stderr.cancel().catch(() => {});
    }
    Deno.removeSync(tmp, { recursive: true });
  }
});
