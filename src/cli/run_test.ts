import { Errno } from "../ffi/errno.ts";
import { SyscallError } from "../ffi/syscall_error.ts";
import type { Syscalls } from "../ffi/syscalls.ts";
import { ProcFs } from "../procfs/proc_fs.ts";
import type { PagemapFile } from "../procfs/pagemap.ts";
import { assertEquals, assertIncludes } from "../testing/assert.ts";
import { FakeKernel } from "../testing/fake_kernel.ts";
import { fakeSystem } from "../testing/fake_system.ts";
import { testEnv } from "./_test_env.ts";
import { ExitCode } from "../common/exit_codes.ts";
import { runCli } from "./run.ts";

const BASE = 0x10000000;
const PID = 4242;

/** Four nodes as in the seed's VM: 0 and 1 with CPUs, 2 and 3 without; node 4 has no memory. */
function seedKernel(pages = 3000): FakeKernel {
  const k = new FakeKernel()
    .addNode(0, 50000, [0, 1])
    .addNode(1, 50000, [2, 3])
    .addNode(2, 25000)
    .addNode(3, 25000)
    .addNode(4, 0);
  k.addProcess(PID, "python3", [
    { startAddr: BASE, pages: 64, kind: "heap" },
    { startAddr: BASE + 0x1000000, pages, kind: "anon" },
    { startAddr: BASE + 0x4000000, pages: 8, kind: "file", path: "/usr/lib/lib c.so" },
  ]);
  k.populate(PID, 0, 0, 64);
  k.populate(PID, 1, 0, pages / 2);
  k.populate(PID, 1, 1, pages / 2, pages / 2);
  k.populate(PID, 2, 0, 8);
  k.addProcess(2, "kthreadd", [], true);
  return k;
}

async function run(args: string[], k = seedKernel(), syscalls?: Syscalls) {
  using sys = fakeSystem(k);
  const env = testEnv(sys, syscalls ?? sys.syscalls);
  const code = await runCli(args, env);
  return { code, out: env.stdout(), err: env.stderr(), kernel: k };
}

Deno.test("memtierd --pid=P lists every online node with the process's pages on it", async () => {
  const r = await run([`--pid=${PID}`]);
  assertEquals(r.code, ExitCode.OK);
  assertIncludes(r.out, `pid ${PID} (python3): 3,064 movable pages`);
  // Nodes 2-3 have no CPUs; node 4 no memory. Free memory is the fake
  // kernel's capacity less the pages placed there (file pages included).
  assertEquals(r.out.split("\n").slice(1), [
    "node  cpus  free / total MB  movable pages  movable MB  numa_maps MB",
    "   0  0-1     189.2 / 195.3          1,564         6.1           6.1",
    "   1  2-3     189.5 / 195.3          1,500         5.9           5.9",
    "   2  -         97.7 / 97.7              0         0.0           0.0",
    "   3  -         97.7 / 97.7              0         0.0           0.0",
    "   4  -           no memory              0         0.0           0.0",
    " all                                 3,064        12.0          12.0",
    "",
  ]);
});

Deno.test("memtierd --pid P --output json gives stable keys per node", async () => {
  const r = await run(["--pid", String(PID), "--output", "json"]);
  const j = JSON.parse(r.out);
  assertEquals(Object.keys(j), [
    "pid",
    "comm",
    "pageSizeBytes",
    "ranges",
    "movablePages",
    "sharedPages",
    "unlocatedPages",
    "unlocatedByErrno",
    "numaMapsBytes",
    "nodes",
    "view",
    "zeroPages",
  ]);
  assertEquals([j.view, j.sharedPages, j.zeroPages, j.unlocatedPages], [
    "numa_maps",
    null,
    null,
    0,
  ]);
  assertEquals(j.nodes.map((n: { movablePages: number }) => n.movablePages), [1564, 1500, 0, 0, 0]);
  assertEquals(j.numaMapsBytes, (3064 + 8) * 4096);
  assertEquals(j.nodes[2].cpus, "");
});

Deno.test("--move-to=2 --count=1000 moves 1000 pages that were not on node 2", async () => {
  const r = await run([`-pid`, String(PID), "-move-to", "2", "-count", "1000"]);
  assertEquals(r.code, ExitCode.OK);
  assertEquals(r.kernel.pagesPerNode(PID).get(2), 1000);
  assertIncludes(r.out, "moved              1,000");
  assertIncludes(r.out, "after:");
});

Deno.test("--move-from=1 --move-to=3 takes pages only from node 1", async () => {
  const r = await run([
    `--pid=${PID}`,
    "--move-from=1",
    "--move-to=3",
    "--count=600",
    "--output=json",
  ]);
  assertEquals(r.code, ExitCode.OK);
  const per = r.kernel.pagesPerNode(PID);
  assertEquals([per.get(0), per.get(1), per.get(3)], [1564 + 8, 900, 600]); // + 8 file pages
  const j = JSON.parse(r.out);
  assertEquals(j.notOnSourcePages, 1564);
  assertEquals(j.movedPages, 600);
  assertEquals(j.after.nodes[3].movablePages, 600);
});

Deno.test("a move with no --count moves every page not yet on the node", async () => {
  const r = await run([`--pid=${PID}`, "--move-to=0", "--output=json"]);
  const j = JSON.parse(r.out);
  assertEquals([j.alreadyOnTargetPages, j.plannedPages, j.movedPages], [1564, 1500, 1500]);
  assertEquals(j.request, { toNode: 0, fromNode: null, countPages: null });
});

Deno.test("a move where some pages fail exits 8 and reports them by reason", async () => {
  const k = seedKernel();
  const p = k.processes.get(PID)!;
  for (let i = 0; i < 10; i++) p.pages.get(BASE / 4096 + i)!.busy = true;
  const r = await run([`--pid=${PID}`, "--move-to=2", "--output=json"], k);
  assertEquals(r.code, ExitCode.INCOMPLETE);
  const j = JSON.parse(r.out);
  assertEquals(j.failures, { EBUSY: 10 });
  assertEquals(j.movedPages, 3054);
});

Deno.test("a move to a full node reports NOT_MIGRATED with the node's free memory", async () => {
  const k = seedKernel(60000);
  const r = await run([`--pid=${PID}`, "--move-to=3"], k);
  assertEquals(r.code, ExitCode.INCOMPLETE);
  assertIncludes(r.out, "NOT_MIGRATED");
  assertIncludes(r.out, "node 3 has 0.0 MB free");
});

Deno.test("a process that exits during the move: exit 3, with what was done", async () => {
  const k = seedKernel();
  k.processes.get(PID)!.exitAfterMoveCalls = 1;
  const r = await run([`--pid=${PID}`, "--move-to=2", "--batch-pages=1000"], k);
  assertEquals(r.code, ExitCode.NO_PROCESS);
  assertIncludes(r.out, "moved              1,000");
  assertIncludes(r.out, "process 4242 exited during the move");
});

const ERRORS: [string, string[], number, string][] = [
  ["no --pid", ["--move-to=1"], ExitCode.USAGE, "Missing --pid"],
  ["malformed pid", ["--pid=12a"], ExitCode.USAGE, 'Invalid --pid "12a": expected a process id'],
  ["pid zero", ["--pid=0"], ExitCode.USAGE, "a whole number from 1 to 4194304"],
  ["unknown flag", ["--pid=1", "--moveto=2"], ExitCode.USAGE, "Unknown flag --moveto (accepted:"],
  ["stray argument", ["--pid=1", "now"], ExitCode.USAGE, 'Unexpected argument "now"'],
  [
    "no such pid",
    ["--pid=31337"],
    ExitCode.NO_PROCESS,
    "Cannot find process 31337: no such process",
  ],
  ["kernel thread", ["--pid=2"], ExitCode.KERNEL_THREAD, "pid 2 (kthreadd): it is a kernel thread"],
  [
    "missing node",
    [`--pid=${PID}`, "--move-to=9"],
    ExitCode.BAD_NODE,
    "node 9: no such node (online nodes: 0-4)",
  ],
  [
    "node without memory",
    [`--pid=${PID}`, "--move-to=4"],
    ExitCode.BAD_NODE,
    "it has no memory (nodes with memory: 0-3)",
  ],
  [
    "missing source node",
    [`--pid=${PID}`, "--move-from=7", "--move-to=1"],
    ExitCode.BAD_NODE,
    "Cannot move from node 7: no such node",
  ],
  [
    "same nodes",
    [`--pid=${PID}`, "--move-from=1", "--move-to=1"],
    ExitCode.USAGE,
    "same node as --move-to",
  ],
  [
    "count zero",
    [`--pid=${PID}`, "--move-to=1", "--count=0"],
    ExitCode.USAGE,
    'Invalid --count "0"',
  ],
  [
    "count negative",
    [`--pid=${PID}`, "--move-to=1", "--count=-3"],
    ExitCode.USAGE,
    'Invalid --count "-3"',
  ],
  [
    "count fraction",
    [`--pid=${PID}`, "--move-to=1", "--count=2.5"],
    ExitCode.USAGE,
    'Invalid --count "2.5"',
  ],
  [
    "count huge",
    [`--pid=${PID}`, "--move-to=1", "--count=99999999999"],
    ExitCode.USAGE,
    "from 1 to 4294967296",
  ],
  [
    "count without move",
    [`--pid=${PID}`, "--count=5"],
    ExitCode.USAGE,
    "Flag --count needs --move-to",
  ],
  ["bad output", [`--pid=${PID}`, "--output=xml"], ExitCode.USAGE, "expected text or json"],
  [
    "node not a number",
    [`--pid=${PID}`, "--move-to=two"],
    ExitCode.USAGE,
    'Invalid --move-to "two": expected a node id',
  ],
];

for (const [what, args, code, message] of ERRORS) {
  Deno.test(`bad input (${what}): one line, exit ${code}`, async () => {
    const r = await run(args);
    assertEquals(r.code, code);
    assertIncludes(r.err, message);
    assertEquals(r.err.trimEnd().split("\n").length, 1);
    assertEquals(r.err.startsWith("memtierd: "), true);
    assertEquals(r.out, "");
  });
}

Deno.test("pagemap refused to root without CAP_SYS_PTRACE: exit 4, naming the capability", async () => {
  const k = seedKernel();
  k.self.capEff = 0x1ffffffffffn & ~(1n << 19n); // all but CAP_SYS_PTRACE
  k.processes.get(PID)!.uid = 1000;
  using sys = fakeSystem(k);
  class Refusing extends ProcFs {
    override openPagemap(pid: number): PagemapFile {
      throw this.fileError(pid, "pagemap", new Deno.errors.PermissionDenied("denied"));
    }
  }
  const env = testEnv(sys);
  const code = await runCli([`--pid=${PID}`, "--exact"], {
    ...env,
    procfs: new Refusing({ root: sys.procfs.root }),
  });
  assertEquals(code, ExitCode.PERMISSION);
  assertEquals(
    env.stderr(),
    `memtierd: Cannot read ${sys.procfs.root}/${PID}/pagemap: permission denied; memtierd ` +
      "runs as root but lacks CAP_SYS_PTRACE, which reading another user's memory map needs " +
      "(a container or capsh may have dropped it)\n",
  );
});

function failingSyscalls(k: FakeKernel, errno: number, onMove: boolean): Syscalls {
  return {
    movePages: (pid, addrs, nodes, status, flags) => {
      if (!onMove || nodes !== null) throw new SyscallError("move_pages", errno);
      return k.movePages(pid, addrs, nodes, status, flags);
    },
    pidfdOpen: (p) => k.pidfdOpen(p),
    processMadvise: (...a) => k.processMadvise(...a),
    close: (fd) => k.close(fd),
  };
}

Deno.test("move_pages refused (EPERM) to a user: exit 4, run as root for CAP_SYS_PTRACE", async () => {
  const k = seedKernel();
  k.self = { uid: 1000, capEff: 0n };
  const r = await run([`--pid=${PID}`, "--move-to=1"], k, failingSyscalls(k, Errno.EPERM, true));
  assertEquals(r.code, ExitCode.PERMISSION);
  assertIncludes(
    r.err,
    "operation not permitted; run memtierd as root (acting on another user's process needs " +
      "CAP_SYS_PTRACE)",
  );
});

Deno.test("move_pages refused (EPERM) to root with CAP_SYS_PTRACE: a security module, not 'run as root'", async () => {
  const k = seedKernel();
  const r = await run([`--pid=${PID}`, "--move-to=1"], k, failingSyscalls(k, Errno.EPERM, true));
  assertEquals(r.code, ExitCode.PERMISSION);
  assertIncludes(r.err, "memtierd has CAP_SYS_PTRACE, which acting on a process that is not ");
  assertEquals(r.err.includes("run memtierd as root"), false);
});

Deno.test("a kernel without move_pages (ENOSYS): exit 6", async () => {
  const k = seedKernel();
  const r = await run([`--pid=${PID}`, "--exact"], k, failingSyscalls(k, Errno.ENOSYS, false));
  assertEquals(r.code, ExitCode.UNSUPPORTED);
  assertIncludes(r.err, "this kernel has no move_pages system call");
});

Deno.test("a kernel without NUMA: exit 6", async () => {
  using sys = fakeSystem(seedKernel());
  Deno.removeSync(`${sys.sysfs.nodeDir}`, { recursive: true });
  const env = testEnv(sys);
  assertEquals(await runCli([`--pid=${PID}`], env), ExitCode.UNSUPPORTED);
  assertIncludes(env.stderr(), "this kernel has no NUMA support");
});

Deno.test("--help and --version print and exit 0", async () => {
  const h = await run(["--help"]);
  assertEquals(h.code, 0);
  assertIncludes(h.out, "memtierd --pid=PID --move-to=NODE");
  assertIncludes(h.out, "Exit codes:");
  const v = await run(["-version"]);
  assertIncludes(v.out, "memtierd version information:\n  - version: ");
});

Deno.test("the signals held at start act by default in the one-shot modes, not in command mode", async () => {
  const config = Deno.makeTempFileSync({ suffix: ".yaml" });
  Deno.writeTextFileSync(config, "policy:\n  name: stub\n");
  const released = async (args: string[]) => {
    using sys = fakeSystem(seedKernel());
    let calls = 0;
    const env = { ...testEnv(sys), defaultSignals: () => void calls++ };
    await runCli(args, env);
    return calls;
  };
  try {
    assertEquals(await released(["--version"]), 1);
    assertEquals(await released([`--pid=${PID}`]), 1);
    assertEquals(await released(["-check", "-config", config]), 1);
    assertEquals(await released(["-c", "nop"]), 0);
  } finally {
    Deno.removeSync(config);
  }
});

Deno.test("-c runs its lines in order, then -f, then stdin with -prompt", async () => {
  const k = seedKernel();
  using sys = fakeSystem(k);
  const file = Deno.makeTempFileSync();
  Deno.writeTextFileSync(file, "mover -pages-to 2\nmover -wait\n");
  const env = testEnv(sys, sys.syscalls, ["stats -t move_pages -f csv", "q", "nop"]);
  const code = await runCli(["-c", `pages -pid ${PID}`, "-f", file, "-prompt", "-echo"], env);
  Deno.removeSync(file);
  assertEquals(code, 0);
  const out = env.stdout();
  assertIncludes(out, `pages -pid ${PID}\nsearching for address ranges of pid ${PID}`);
  assertIncludes(out, "mover -wait\nmover wait received: AllDone\n");
  assertIncludes(out, `memtierd> stats -t move_pages -f csv\ntable: move_pages syscalls\n`);
  assertIncludes(out, `\n${PID},12,3064,3064,0.011688,2:0.012\n`);
  assertIncludes(out, "memtierd> q\nquit.\n");
  assertEquals(k.pagesPerNode(PID).get(2), 3064);
});

Deno.test("command mode exits with the first failed command's code", async () => {
  const r = await run(["-c", "nop\npages -pid 31337\nfrobnicate"]);
  assertEquals(r.code, ExitCode.NO_PROCESS);
  assertEquals(r.err.trimEnd().split("\n").length, 2);
  assertIncludes(r.err, "memtierd: pages: Cannot find process 31337: no such process");
});

Deno.test("command mode: log -f ends memtierd with exit 1", async () => {
  const r = await run(["-c", "log -f stop\nnop", "-l", "stdout"]);
  assertEquals(r.code, ExitCode.FAILURE);
  assertIncludes(r.out, "ERROR: fatal: stop\n");
});

Deno.test("command mode: a missing -f file or a mixed mode is a usage error", async () => {
  const missing = await run(["-f", "/nonexistent/cmds"]);
  assertEquals(missing.code, ExitCode.USAGE);
  assertIncludes(missing.err, 'Cannot read commands from -f "/nonexistent/cmds"');
  const mixed = await run(["-prompt", `--pid=${PID}`]);
  assertEquals(mixed.code, ExitCode.USAGE);
  assertIncludes(mixed.err, "Flag --pid is for the one-shot mode");
  const nothing = await run([]);
  assertIncludes(nothing.err, "Nothing to do: give --pid=PID");
  const stray = await run(["-echo"]);
  assertIncludes(stray.err, "Flag -echo needs command mode");
});

Deno.test("a present page move_pages cannot place (ENOENT) is reported in the exact view only", async () => {
  const k = seedKernel();
  const sys: Syscalls = {
    movePages(pid, addrs, nodes, status, flags) {
      const r = k.movePages(pid, addrs, nodes, status, flags);
      if (nodes === null && addrs[0] === BASE) status[0] = -Errno.ENOENT; // swapped out since
      return r;
    },
    pidfdOpen: (p) => k.pidfdOpen(p),
    processMadvise: (...a) => k.processMadvise(...a),
    close: (fd) => k.close(fd),
  };
  const exact = await run([`--pid=${PID}`, "--exact"], k, sys);
  assertIncludes(
    exact.out,
    "\n1 page present at the scan but not when located (ENOENT 1): swapped out or unmapped since\n",
  );
  const j = JSON.parse((await run([`--pid=${PID}`, "--exact", "--output=json"], k, sys)).out);
  assertEquals([j.unlocatedPages, j.unlocatedByErrno, j.movablePages], [1, { ENOENT: 1 }, 3063]);
  const dflt = await run([`--pid=${PID}`], k, sys);
  assertEquals(dflt.out.includes("present at the scan"), false);
});

Deno.test("command mode: a mover task dropped because its process exited makes the exit code 3", async () => {
  const k = seedKernel();
  k.processes.get(PID)!.exitAfterMoveCalls = 1;
  using sys = fakeSystem(k);
  const env = testEnv(sys, sys.syscalls);
  // No mover -wait: the session ends with the mover's work unreported.
  const code = await runCli(
    ["-c", `pages -pid ${PID}\nmover -pages-to 2\ntime -sleep 1\nq`],
    env,
  );
  assertEquals(code, ExitCode.NO_PROCESS);
  assertIncludes(env.stderr(), "WARN: mover: dropped task 0 of pid 4242");
});
