import { assertEquals } from "../../testing/assert.ts";
import { harness, PID } from "../_harness.ts";

Deno.test("tiers prints the guessed tiers of a kernel without memory_tiering, fastest first", async () => {
  using h = harness();
  const lines = (await h.run("tiers")).split("\n");
  assertEquals(lines[0]!.endsWith("(CPU-less nodes slower); fastest first:"), true);
  // Node 0 holds pid 500's 1040 pages (4.1 MB).
  assertEquals(lines.slice(1), [
    "tier  node  cpus  free / total MB  latency r/w ns  bandwidth r/w MB/s  initiators",
    "   0     0  0       386.6 / 390.6               -                   -  -",
    "         1  1       390.6 / 390.6               -                   -  -",
    "   1     2  -       195.3 / 195.3               -                   -  -",
    "         3  -       195.3 / 195.3               -                   -  -",
    "",
  ]);
});

Deno.test("tiers -resolve SPEC -pid P prints the nodes a tier word gives that process", async () => {
  using h = harness();
  assertEquals(
    await h.run(`tiers -resolve slower -pid ${PID}`),
    `slower for pid ${PID}: nodes 2-3\n`,
  );
  assertEquals(
    await h.run(`tiers -resolve fastest,3 -pid ${PID}`),
    `fastest,3 for pid ${PID}: nodes 0-1,3\n`,
  );
  assertEquals(
    await h.run(`tiers -resolve faster -pid ${PID}`),
    `faster for pid ${PID}: no nodes\n`,
  );
});

Deno.test("tiers -resolve without -pid, or with a bad word, is a usage error", async () => {
  using h = harness();
  assertEquals(
    await h.run("tiers -resolve slower"),
    "memtierd: tiers: Flag -resolve needs -pid PID\n",
  );
  assertEquals(
    await h.run(`tiers -resolve quick -pid ${PID}`),
    'memtierd: tiers: Cannot use -resolve "quick": expected node numbers (2, 2-3) or tier words ' +
      "(fastest, slowest, local, slower, faster, tier:N)\n",
  );
  assertEquals(h.prompt.firstErrorCode, 2);
  assertEquals(
    await h.run("tiers -resolve slower -pid 999"),
    "memtierd: tiers: Cannot find process 999: no such process\n",
  );
});
