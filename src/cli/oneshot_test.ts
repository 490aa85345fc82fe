import { Errno } from "../ffi/errno.ts";
import { SyscallError } from "../ffi/syscall_error.ts";
import type { Syscalls } from "../ffi/syscalls.ts";
import { assertEquals, assertIncludes } from "../testing/assert.ts";
import { FakeKernel, type FakeStep } from "../testing/fake_kernel.ts";
import { fakeSystem } from "../testing/fake_system.ts";
import { testEnv } from "./_test_env.ts";
import { ExitCode } from "../common/exit_codes.ts";
import { runCli } from "./run.ts";

const BASE = 0x10000000;
const ANON = BASE + 0x1000000;
const PID = 4242;

/** Nodes 0-3; a heap of 64 pages on node 0, an anon mapping of 3000 pages, half on 0, half on 1. */
function kernel(): FakeKernel {
  const k = new FakeKernel().addNode(0, 50000, [0]).addNode(1, 50000, [1]).addNode(2, 25000)
    .addNode(3, 25000);
  k.addProcess(PID, "app", [
    { startAddr: BASE, pages: 64, kind: "heap" },
    { startAddr: ANON, pages: 3000, kind: "anon" },
  ]);
  k.populate(PID, 0, 0, 64);
  k.populate(PID, 1, 0, 1500);
  k.populate(PID, 1, 1, 1500, 1500);
  return k;
}

async function run(args: string[], k = kernel(), wrap?: (s: Syscalls) => Syscalls) {
  using sys = fakeSystem(k);
  const env = testEnv(sys, wrap ? wrap(sys.syscalls) : sys.syscalls);
  const code = await runCli(args, env);
  return { code, out: env.stdout(), err: env.stderr(), kernel: k };
}

const row = (out: string, node: string) =>
  out.split("\n").find((l) => l.trimStart().startsWith(`${node} `))!.trim().split(/\s+/);

Deno.test("status from numa_maps: no move_pages and no pagemap, header and 'all' row agree", async () => {
  const k = kernel();
  k.processes.get(PID)!.pages.get(BASE / 4096)!.zero = true; // a page read, never written
  const r = await run([`--pid=${PID}`], k);
  assertEquals(r.code, 0);
  assertEquals(k.calls.length, 0);
  assertIncludes(r.out, `pid ${PID} (app): 3,063 movable pages (12.0 MB) in 2 anon/heap ranges\n`);
  assertEquals(row(r.out, "all").slice(0, 3), ["all", "3,063", "12.0"]);
  assertEquals(row(r.out, "0").slice(5, 7), ["1,563", "6.1"]);
  assertEquals(r.out.includes("EFAULT"), false);
  assertEquals(r.out.includes("on no node"), false);
});

Deno.test("status --exact leaves the shared zero page out and names it", async () => {
  const k = kernel();
  k.processes.get(PID)!.pages.get(BASE / 4096)!.zero = true;
  const r = await run([`--pid=${PID}`, "--exact"], k);
  assertEquals(r.code, 0);
  assertIncludes(r.out, "3,063 movable pages (12.0 MB) in 2 anon/heap ranges, page by page\n");
  assertIncludes(
    r.out,
    "\n1 page mapped to the kernel's shared zero page (read, never written): not counted, " +
      "nothing to move\n",
  );
  const j = JSON.parse((await run([`--pid=${PID}`, "--exact", "--output=json"], k)).out);
  assertEquals([j.view, j.movablePages, j.zeroPages, j.sharedPages, j.unlocatedPages], [
    "exact",
    3063,
    1,
    0,
    0,
  ]);
});

Deno.test("status counts a hugetlb mapping in 4 KiB pages (numa_maps counts 2 MiB pages)", async () => {
  const k = kernel();
  k.processes.get(PID)!.vmas.push({
    startAddr: BASE + 0x8000000,
    pages: 1024,
    kind: "anon",
    hugePageKiB: 2048,
  });
  k.populate(PID, 2, 2, 1024);
  const j = JSON.parse((await run([`--pid=${PID}`, "--output=json"], k)).out);
  assertEquals(j.nodes[2].movablePages, 1024);
  assertEquals(j.nodes[2].numaMapsBytes, 4 * 1024 * 1024);
  assertEquals(j.movablePages, 3064 + 1024);
});

Deno.test("a move where every page is already on the target makes no system call", async () => {
  const k = kernel();
  k.populate(PID, 1, 0, 3000);
  const r = await run([`--pid=${PID}`, "--move-to=0", "--output=json"], k);
  assertEquals(r.code, 0);
  assertEquals(k.calls.length, 0);
  const j = JSON.parse(r.out);
  assertEquals([j.alreadyOnTargetPages, j.plannedPages, j.movedPages], [3064, 0, 0]);
  assertEquals(j.mappings, { skipped: 2, movedWhole: 0, located: 0 });
});

Deno.test("a move locates pages only in mappings whose pages are on several nodes", async () => {
  const r = await run([`--pid=${PID}`, "--move-to=1", "--output=json"]);
  assertEquals(r.code, 0);
  const j = JSON.parse(r.out);
  assertEquals(j.mappings, { skipped: 0, movedWhole: 1, located: 1 });
  assertEquals([j.locatedPages, j.plannedPages, j.movedPages], [3000, 1564, 1564]);
  const queried = r.kernel.calls.filter((c) => c.query).reduce((n, c) => n + c.pages, 0);
  assertEquals(queried, 3000);
  assertEquals(r.kernel.pagesPerNode(PID).get(1), 3064);
});

Deno.test("a move stays in fixed batches: no call takes more pages than a batch", async () => {
  const k = kernel();
  k.processes.get(PID)!.vmas.push({ startAddr: BASE + 0x8000000, pages: 40000, kind: "anon" });
  k.populate(PID, 2, 0, 20000);
  k.populate(PID, 2, 2, 20000, 20000);
  const r = await run([`--pid=${PID}`, "--move-to=0", "--batch-pages=512"], k);
  assertEquals(r.code, 0);
  assertEquals(Math.max(...k.calls.filter((c) => !c.query).map((c) => c.pages)), 512);
  assertEquals(Math.max(...k.calls.filter((c) => c.query).map((c) => c.pages)), 4096);
  assertEquals([...k.pagesPerNode(PID)], [[0, 43064]]);
});

Deno.test("--move-from moves exactly the pages that were on that node", async () => {
  const k = kernel();
  for (const [node, first] of [[0, 0], [1, 700], [2, 1400], [3, 2100]]) {
    k.populate(PID, 1, node!, 700, first!);
  }
  const r = await run([`--pid=${PID}`, "--move-from=2", "--move-to=3", "--output=json"], k);
  assertEquals(r.code, 0);
  assertEquals(JSON.parse(r.out).movedPages, 700);
  // The last 200 pages of the mapping stayed on node 1 from the start.
  assertEquals([...k.pagesPerNode(PID)].sort(), [[0, 764], [1, 900], [3, 1400]]);
});

Deno.test("under --count, pages shared with other processes go last; the zero page never", async () => {
  const k = kernel();
  const p = k.processes.get(PID)!;
  for (let i = 0; i < 10; i++) p.pages.get(BASE / 4096 + i)!.shared = true;
  p.pages.get(BASE / 4096 + 10)!.zero = true;
  const few = await run([`--pid=${PID}`, "--move-to=2", "--count=60", "--output=json"], k);
  assertEquals(few.code, 0);
  const j = JSON.parse(few.out);
  assertEquals([j.plannedPages, j.sharedPlannedPages, j.movedPages, j.failures], [60, 0, 60, {}]);
  const all = await run([`--pid=${PID}`, "--move-to=2", "--output=json"], k);
  assertEquals(all.code, ExitCode.INCOMPLETE);
  const a = JSON.parse(all.out);
  assertEquals([a.sharedPlannedPages, a.zeroPages, a.failures], [10, 1, { EACCES: 10 }]);
});

Deno.test("'at most 1 page' is singular, and shared pages are counted as pages", async () => {
  const k = kernel();
  k.processes.get(PID)!.pages.get(BASE / 4096)!.shared = true;
  const r = await run([`--pid=${PID}`, "--move-to=2", "--count=1"], k);
  assertIncludes(r.out, "to node 2, at most 1 page\n");
  const s = await run([`--pid=${PID}`, "--exact"], k);
  assertIncludes(
    s.out,
    "in 2 anon/heap ranges, page by page; 1 page shared with other processes\n",
  );
});

Deno.test("a process name with control characters is escaped in text; JSON keeps it exactly", async () => {
  const k = kernel();
  k.processes.get(PID)!.comm = "a\nb\x1b[2J\x9bc";
  const r = await run([`--pid=${PID}`], k);
  assertIncludes(r.out, `pid ${PID} (a\\nb\\x1b[2J\\x9bc): `);
  const j = await run([`--pid=${PID}`, "--output=json"], k);
  // deno-lint-ignore no-control-regex -- no raw control character may reach the terminal
  assertEquals(/[\x00-\x09\x0b-\x1f\x7f-\x9f]/.test(j.out), false);
  assertEquals(JSON.parse(j.out).comm, "a\nb\x1b[2J\x9bc");
  const m = await run([`--pid=${PID}`, "--move-to=2", "--count=1"], k);
  assertIncludes(m.out, "move pid 4242 (a\\nb\\x1b[2J\\x9bc) to node 2");
});

for (const flag of ["-echo", "-debug", "-l=stdout"]) {
  Deno.test(`--pid with ${flag} is a usage error, not silently ignored`, async () => {
    const r = await run([`--pid=${PID}`, flag]);
    assertEquals(r.code, ExitCode.USAGE);
    assertIncludes(r.err, `Flag ${flag.split("=")[0]} is for command mode (-prompt, -c, -f)`);
    assertEquals(r.out, "");
  });
}

Deno.test("the nodes are checked before the process is read: a zombie with a bad node is exit 5", async () => {
  const k = kernel();
  k.exit(PID, true);
  const r = await run([`--pid=${PID}`, "--move-to=9"], k);
  assertEquals(r.code, ExitCode.BAD_NODE);
});

Deno.test("a node outside the process's cpuset is refused before any page is read", async () => {
  const k = kernel();
  k.processes.get(PID)!.memsAllowed = [0, 1];
  const r = await run([`--pid=${PID}`, "--move-to=3"], k);
  assertEquals(r.code, ExitCode.BAD_NODE);
  assertEquals(
    r.err,
    `memtierd: Cannot move to node 3: process ${PID} may not use it (its allowed memory ` +
      "nodes, cpuset.mems: 0-1)\n",
  );
  assertEquals(k.calls.length, 0);
});

Deno.test("a zombie target: exit 3, saying it has exited and has no memory", async () => {
  const k = kernel();
  k.exit(PID, true);
  for (
    const args of [[`--pid=${PID}`], [`--pid=${PID}`, "--exact"], [`--pid=${PID}`, "--move-to=2"]]
  ) {
    const r = await run(args, k);
    assertEquals(r.code, ExitCode.NO_PROCESS, args.join(" "));
    assertEquals(
      r.err,
      `memtierd: Cannot use process ${PID}: it has exited (a zombie waiting for its parent), ` +
        "so it has no memory to show or move\n",
    );
  }
});

/** [what, arguments, the step at which the process exits, its count]. */
const EXITS: [string, string[], FakeStep, number][] = [
  ["status", [], "stat", 1],
  ["status", [], "maps", 1],
  ["status", [], "numa_maps", 1],
  ["status --exact", ["--exact"], "pagemap", 1],
  ["status --exact", ["--exact"], "pagemap-read", 1],
  ["status --exact", ["--exact"], "pagemap-read", 2],
  ["status --exact", ["--exact"], "locate", 1],
  ["move", ["--move-to=1"], "stat", 1],
  ["move", ["--move-to=1"], "status", 1],
  ["move", ["--move-to=1"], "maps", 1],
  ["move", ["--move-to=1"], "numa_maps", 1],
  ["move", ["--move-to=1"], "pagemap", 1],
  ["move", ["--move-to=1"], "pagemap-read", 1],
  ["move", ["--move-to=1"], "pagemap-read", 2],
  ["move", ["--move-to=1"], "locate", 1],
  ["move", ["--move-to=2", "--batch-pages=1000"], "move", 1],
  ["move", ["--move-to=2", "--batch-pages=1000"], "move", 2],
  ["move, the status after", ["--move-to=2"], "stat", 2],
  ["move, the status after", ["--move-to=2"], "numa_maps", 2],
];

for (const [what, args, step, count] of EXITS) {
  for (const zombie of [false, true]) {
    const how = zombie ? "becomes a zombie" : "exits";
    Deno.test(`${what}: a process that ${how} at ${step} #${count} gives exit 3`, async () => {
      const k = kernel();
      k.processes.get(PID)!.exitAt = { step, count, zombie };
      const r = await run([`--pid=${PID}`, ...args], k);
      assertEquals(r.code, ExitCode.NO_PROCESS, r.err + r.out);
      if (r.out === "") {
        assertEquals(r.err.trimEnd().split("\n").length, 1);
        assertIncludes(r.err, `${PID}`);
      } else {
        assertIncludes(r.out, `process ${PID} exited during the move`);
        assertEquals(r.err, "");
      }
    });
  }
}

Deno.test("a move cut short by an exit reports what was moved and what was not tried", async () => {
  const k = kernel();
  k.processes.get(PID)!.exitAt = { step: "move", count: 2, zombie: true };
  const r = await run([`--pid=${PID}`, "--move-to=2", "--batch-pages=1000", "--output=json"], k);
  assertEquals(r.code, ExitCode.NO_PROCESS);
  const j = JSON.parse(r.out);
  // Chosen so far: the 1000 moved and the 1000 handed to the call that found it gone.
  assertEquals([j.plannedPages, j.movedPages, j.notAttemptedPages, j.processExited, j.after], [
    2000,
    1000,
    1000,
    true,
    null,
  ]);
});

Deno.test("move_pages EINVAL for a process that is still there is a failure, not 'exited'", async () => {
  const r = await run([`--pid=${PID}`, "--move-to=2"], kernel(), (s) => ({
    ...s,
    movePages: () => {
      throw new SyscallError("move_pages", Errno.EINVAL);
    },
  }));
  assertEquals(r.code, ExitCode.FAILURE);
});
