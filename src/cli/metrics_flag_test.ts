import type { LineSource } from "../prompt/interact.ts";
import { assertEquals, assertIncludes, assertOk } from "../testing/assert.ts";
import { FakeKernel } from "../testing/fake_kernel.ts";
import { fakeSystem } from "../testing/fake_system.ts";
import { ExitCode } from "../common/exit_codes.ts";
import { testEnv } from "./_test_env.ts";
import { runCli } from "./run.ts";

const PID = 4242;
const BASE = 0x10000000;

function kernel(): FakeKernel {
  const k = new FakeKernel().addNode(0, 50000, [0, 1]).addNode(1, 50000, [2, 3]);
  k.addProcess(PID, "meme", [{ startAddr: BASE, pages: 1000, kind: "anon" }]);
  k.populate(PID, 0, 0, 1000);
  return k;
}

Deno.test("-prompt -metrics 0 serves the session's moves at /metrics while commands run", async () => {
  using sys = fakeSystem(kernel());
  const env = testEnv(sys, sys.syscalls);
  const lines = [`pages -pid ${PID}`, "mover -pages-to 1", "mover -wait"];
  let scraped = "";
  let i = 0;
  const source: LineSource = {
    async next() {
      if (i < lines.length) return lines[i++]!;
      if (scraped === "") {
        const url = /serving (http:\S+)/.exec(env.stderr())?.[1];
        assertOk(url, `no metrics URL in ${JSON.stringify(env.stderr())}`);
        const r = await fetch(url);
        scraped = await r.text();
      }
      return "q";
    },
    close() {},
  };
  const code = await runCli(["-prompt", "-metrics", "0"], {
    ...env,
    stdinLines: () => Promise.resolve(source),
  });
  assertEquals(code, ExitCode.OK, env.stderr());
  const sampleLines = scraped.split("\n").filter((l) => !l.startsWith("#"));
  assertIncludes(scraped, 'memtierd_build_info{version="0.1.0",build="source"} 1\n');
  assertEquals(sampleLines.filter((l) => l.startsWith("memtierd_moved_bytes_total")), [
    `memtierd_moved_bytes_total{pid="${PID}",node="1"} 4096000`,
  ]);
  // The selected process's memory, read from numa_maps at the scrape: all on node 1 now.
  assertEquals(sampleLines.filter((l) => l.startsWith("memtierd_process_node_memory_bytes")), [
    `memtierd_process_node_memory_bytes{pid="${PID}",node="1"} 4096000`,
  ]);
  assertIncludes(scraped, 'memtierd_mover_state{state="AllDone"} 1\n');
});

Deno.test("-metrics with a bad address, or without command mode, is a usage error in one line", async () => {
  using sys = fakeSystem(kernel());
  const cases: [string[], string][] = [
    [["-c", "nop", "-metrics", "99999"], 'memtierd: Invalid -metrics "99999": "99999" is no port'],
    [["-c", "nop", "-metrics", "[::1]"], 'memtierd: Invalid -metrics "[::1]": the port is missing'],
    [
      ["-metrics", "9101"],
      "memtierd: Flag -metrics needs command mode: add -prompt, -c COMMANDS or -f FILE",
    ],
    [[`--pid=${PID}`, "-metrics", "9101"], "memtierd: Flag -metrics is for command mode"],
  ];
  for (const [args, message] of cases) {
    const env = testEnv(sys);
    assertEquals(await runCli(args, env), ExitCode.USAGE, args.join(" "));
    assertIncludes(env.stderr(), message);
    assertEquals(env.stderr().split("\n").length, 2, env.stderr());
  }
});
