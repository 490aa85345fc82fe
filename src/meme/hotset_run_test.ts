import { SyscallError } from "../ffi/syscall_error.ts";
import { assertEquals } from "../testing/assert.ts";
import { parseHotsetArgs } from "./hotset.ts";
import { type HotsetEnv, runHotset } from "./hotset_run.ts";

const BASE = 0x7f0000000000;

interface FakeMachine {
  nowMs: number;
  /** The node of each page of the working set. */
  nodes: Int32Array;
  out: string[];
  /** The working set's words, once the workload allocated them. */
  words: Int32Array | undefined;
}

/**
 * A fake machine: node 0 is the fast tier (it has the CPU), node 1 the slow
 * one; every page starts on node 1 and node 0 has 20 pages free. The clock
 * moves only when the workload sleeps; `at` runs a step of a fake tiering
 * once the clock reaches its time.
 */
function fakeMachine(at: [number, (m: FakeMachine) => void][] = []) {
  const m: FakeMachine = { nowMs: 0, nodes: new Int32Array(40).fill(1), out: [], words: undefined };
  const files: Record<string, string> = {
    "/sys/devices/system/node/has_cpu": "0\n",
    "/sys/devices/system/node/has_memory": "0-1\n",
    "/sys/devices/system/node/node0/meminfo": "Node 0 MemFree:  80 kB\n",
  };
  const env: HotsetEnv = {
    out: (line) => m.out.push(line),
    now: () => m.nowMs,
    sleep: (ms) => {
      m.nowMs += ms;
      for (const [t, step] of at) if (m.nowMs === t) step(m);
      return Promise.resolve();
    },
    readText: (path) => {
      const text = files[path];
      if (text === undefined) throw new Deno.errors.NotFound(path);
      return text;
    },
    addressOf: (buffer) => {
      m.words = new Int32Array(buffer);
      return BASE;
    },
    movePages: (addrs, nodes, status) => {
      for (let i = 0; i < addrs.length; i++) {
        const page = (addrs[i]! - BASE) / 4096;
        if (nodes) m.nodes[page] = nodes[i]!;
        status[i] = m.nodes[page]!;
      }
    },
    waitStart: () => Promise.resolve(),
  };
  return { m, env };
}

// 40 pages: hot 4 (10 %), 80 % of the touches: 1 cold page a round; the hot
// set is pages 36-39, after 2 s pages 32-35; 10 rounds a second.
const ARGS = [
  "-ws=160k",
  "-hot=10",
  "-hot-access=80",
  "-shift=2s",
  "-ttl=3s",
  "-pause=100ms",
  "-fast-reserve=0",
];

Deno.test("runHotset() places cold pages on the fast tier, reports what move_pages says each second, and verifies the data", async () => {
  // The fake tiering promotes the first hot set at 0.5 s.
  const { m, env } = fakeMachine([[500, (m) => m.nodes.fill(0, 36, 40)]]);
  assertEquals(await runHotset(parseHotsetArgs([...ARGS, "-write"]), env), 0);
  // Cold pages 0-19 on the fast node (its 20 free pages), the rest slow:
  // phase 0's cold pages are 0-35, 20 of them fast; phase 1's are 0-31 and
  // 36-39, 24 of them fast once the first hot set was promoted.
  assertEquals(m.out.filter((l) => /^(hotset: (t=|end|pages)|ready|verify)/.test(l)), [
    "hotset: pages per node 0:20 1:20",
    "ready: 40 pages",
    "hotset: t=0.0 accesses=0 phase=0 hot_fast=0.000 cold_slow=0.444 hit=0.111 absent=0",
    "hotset: t=1.0 accesses=50 phase=0 hot_fast=1.000 cold_slow=0.444 hit=0.911 absent=0",
    "hotset: t=2.0 accesses=100 phase=1 hot_fast=0.000 cold_slow=0.333 hit=0.133 absent=0",
    "hotset: t=3.0 accesses=150 phase=1 hot_fast=0.000 cold_slow=0.333 hit=0.133 absent=0",
    "hotset: pages per node at the end 0:24 1:16",
    "hotset: end least_moves=4 to_fast=4 to_slow=0 pingpong_sampled=0/40",
    "verify: OK 40 pages in 1 arrays",
  ]);
});

Deno.test("runHotset() counts a sampled page that went back and forth between the tiers", async () => {
  const { m, env } = fakeMachine([
    [500, (m) => m.nodes[39] = 0],
    [1500, (m) => m.nodes[39] = 1],
    [2500, (m) => m.nodes[39] = 0],
  ]);
  assertEquals(await runHotset(parseHotsetArgs(ARGS), env), 0);
  assertEquals(
    m.out.find((l) => l.startsWith("hotset: end ")),
    "hotset: end least_moves=1 to_fast=1 to_slow=0 pingpong_sampled=1/40",
  );
});

Deno.test("runHotset() says which page lost its data, and fails", async () => {
  const { m, env } = fakeMachine([[1500, (m) => m.words![7 * 1024 + 3] = 0x12345678]]);
  assertEquals(await runHotset(parseHotsetArgs(ARGS), env), 1);
  const verify = m.out.find((l) => l.startsWith("verify: "))!;
  assertEquals(
    verify.replace(/expected 0x[0-9a-f]+/, "expected X"),
    "verify: FAILED 1 of 40 pages differ from the pattern; first at offset 0x700c: expected X, found 0x12345678",
  );
});

Deno.test("runHotset() refuses -place cold-fast on a machine without a slow node", async () => {
  const { env } = fakeMachine();
  const readText = env.readText;
  env.readText = (p) => p.endsWith("has_memory") ? "0\n" : readText(p);
  const { m } = { m: [] as string[] };
  env.out = (l) => m.push(l);
  assertEquals(await runHotset(parseHotsetArgs(ARGS), env), 5);
  assertEquals(
    m.at(-1),
    "hotset: Cannot place cold-fast: no slow-tier node (a node with memory and no CPU)",
  );
});

Deno.test("runHotset() places what fits when a fast node turns out full (ENOMEM), and runs on", async () => {
  const { m, env } = fakeMachine();
  const movePages = env.movePages;
  // Node 0 takes 15 pages, not the 20 its MemFree promised: then move_pages
  // fails with ENOMEM, the statuses after the last page it moved unwritten.
  env.movePages = (addrs, nodes, status) => {
    if (nodes?.[0] !== 0) return movePages(addrs, nodes, status);
    const room = 15 - m.nodes.filter((n) => n === 0).length;
    movePages(addrs.subarray(0, room), nodes.subarray(0, room), status.subarray(0, room));
    throw new SyscallError("move_pages", 12);
  };
  assertEquals(await runHotset(parseHotsetArgs(ARGS), env), 0);
  assertEquals(m.out.filter((l) => /^hotset: (placed|pages per node \d)/.test(l)), [
    "hotset: placed cold-fast (5 pages did not move)",
    "hotset: pages per node 0:15 1:25",
  ]);
});
