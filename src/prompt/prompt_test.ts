import { assertEquals, assertIncludes, assertOk } from "../testing/assert.ts";
import { BASE, fourNodeKernel, harness, PID } from "./_harness.ts";
import { interact, listLineSource } from "./interact.ts";

Deno.test("an unknown command prints one error and the prompt goes on", async () => {
  using h = harness();
  const text = await h.run("frobnicate -x", "nop");
  assertEquals(text, 'memtierd: unknown command "frobnicate" (try help)\n');
  assertEquals(h.prompt.firstErrorCode, 2);
});

Deno.test("help lists exactly the commands that exist, sorted", async () => {
  using h = harness();
  const text = await h.run("help");
  const names = text.split("\n").filter((l) => l.startsWith("        ") && !l.includes("<"))
    .map((l) => l.trim().split(/\s+/)[0]).filter((n) => n !== "pipe");
  assertEquals(names, [
    "arange",
    "help",
    "log",
    "mover",
    "nop",
    "pages",
    "picture",
    "pidwatcher",
    "policy",
    "q",
    "routines",
    "stats",
    "swap",
    "tiers",
    "time",
    "tracker",
  ]);
  assertIncludes(text, "[command] | <shell-command>");
});

Deno.test("COMMAND -h prints the command's flags", async () => {
  using h = harness();
  const text = await h.run("pages -h");
  assertIncludes(text, "Usage of pages:");
  assertIncludes(text, "-attrs ATTR[,ATTR...]");
  assertOk(!text.includes("InHeap"), "help must list only accepted attributes");
});

Deno.test("a bad flag value is one line naming the command and what is accepted", async () => {
  using h = harness();
  assertEquals(
    await h.run("pages -pid abc"),
    'memtierd: pages: Invalid -pid "abc": expected a process id, a whole number from 1 to 4194304\n',
  );
  assertEquals(
    await h.run("pages -pid 500 -attrs Dirty,NotDirty"),
    "memtierd: pages: Invalid -attrs: contradicting page requirements: Dirty,NotDirty\n",
  );
});

Deno.test("pages -pid selects present exclusive pages and pages shows their nodes", async () => {
  using h = harness();
  assertEquals(
    await h.run(`pages -pid ${PID}`),
    `searching for address ranges of pid ${PID}\nfound 2 address ranges\n` +
      `aranges = <2 address ranges of pid ${PID}>\npages = <1040 pages of pid ${PID}>\n`,
  );
  assertEquals(await h.run("pages"), `pages of pid ${PID}\nnode 0: 1040\n`);
});

Deno.test("pages -ranges intersects and -node filters by the current node", async () => {
  using h = harness();
  h.kernel.populate(PID, 1, 2, 100, 0);
  h.sys.sync();
  const text = await h.run(`pages -pid ${PID} -ranges ${BASE.toString(16)}+1M -node 2`);
  assertIncludes(text, "using 1 address ranges");
  assertIncludes(text, `pages = <100 pages of pid ${PID}>`);
});

Deno.test("pages -pm prints pagemap bits and PFNs of the first pages", async () => {
  using h = harness();
  const text = await h.run(`pages -pid ${PID} -pm 2`);
  const lines = text.trim().split("\n");
  assertEquals(lines.slice(-3, -2)[0], "bits: softdirty, exclusive, uffd_wp, file, swap, present");
  assertOk(/^[0-9a-f]+: bits: 010001 pfn: \d+$/.test(lines.at(-1)!), lines.at(-1));
});

Deno.test("pages -pk on a system without kpageflags says the kernel lacks it", async () => {
  using h = harness();
  assertIncludes(await h.run("pages -pk 5"), "kpageflags: this kernel does not provide it");
  assertEquals(h.prompt.firstErrorCode, 6);
});

Deno.test("pages -pk prints a frame's kpageflags; -si marks a frame idle and -pi reads it", async () => {
  using h = harness();
  const { procfs, sysfs } = h.session.opts;
  const flags = new Uint32Array(2 * 8);
  flags[2 * 3] = 0b1000000100000; // PFN 3: LRU, ANON
  Deno.writeFileSync(`${procfs.root}/kpageflags`, new Uint8Array(flags.buffer));
  Deno.mkdirSync(`${sysfs.root}/kernel/mm/page_idle`, { recursive: true });
  Deno.writeFileSync(`${sysfs.root}/kernel/mm/page_idle/bitmap`, new Uint8Array(8 * 4));
  const pk = (await h.run("pages -pk 3")).split("\n");
  assertEquals([pk[0], pk[5], pk[12]], ["LOCKED        0", "LRU           1", "ANON          1"]);
  assertEquals(await h.run("pages -pi 70"), "PFN 70 idle: false\n");
  assertEquals(
    await h.run("pages -si 70", "pages -pi 70", "pages -pi 71"),
    "PFN 70 idle: true\nPFN 71 idle: false\n",
  );
});

Deno.test("arange selects, splits, filters and lists ranges", async () => {
  using h = harness();
  const text = await h.run(`arange -pid ${PID} -split-length 512 -min-length 17 -ls`);
  assertEquals(
    text,
    `${BASE.toString(16)}-${(BASE + 512 * 4096).toString(16)} (2097152 B)\n` +
      `${(BASE + 512 * 4096).toString(16)}-${(BASE + 1024 * 4096).toString(16)} (2097152 B)\n` +
      "selected address ranges: 2\n",
  );
  assertIncludes(await h.run("arange"), "selected address ranges: 2");
});

Deno.test("mover -pages-to moves the selected pages; stats shows them moved", async () => {
  using h = harness();
  const text = await h.run(
    `pages -pid ${PID}`,
    "mover -pages-to 1",
    "mover -wait",
    "stats -t move_pages",
  );
  assertIncludes(text, "mover wait received: AllDone");
  assertEquals(h.kernel.pagesPerNode(PID).get(1), 1040);
  const row = text.trim().split("\n").at(-1)!.trim().split(/\s+/);
  assertEquals(row.slice(0, 4), [String(PID), "5", "1040", "1040"]);
  assertEquals(row[5], "1:0.004");
});

Deno.test("the mover moves Bandwidth x IntervalMs worth of pages per round", async () => {
  using h = harness(fourNodeKernel(4096));
  await h.run(`pages -pid ${PID}`, `mover -config '{"IntervalMs":100,"Bandwidth":4}'`);
  const t0 = h.clock.now();
  await h.run("mover -pages-to 2", "mover -wait");
  // 4 MB/s × 100 ms = 102.4 pages: 102 a round, so 4112 pages take 41
  // rounds, the last one 40 × 100 ms after the first.
  assertEquals(h.clock.now() - t0, 4000);
  assertEquals(h.kernel.pagesPerNode(PID).get(2), 4112);
  assertEquals(
    await h.run("stats -t events"),
    "table: events\n" +
      "   count timeint[s] latest[s ago] name\n" +
      "      41      0.100         0.000 Mover.round\n",
  );
});

Deno.test("mover -config keeps the defaults of fields it leaves out and rejects bad ones", async () => {
  using h = harness();
  assertEquals(
    await h.run(`mover -config '{"Bandwidth":50}' -config-dump`),
    '{"IntervalMs":10,"Bandwidth":50}\n',
  );
  assertEquals(
    await h.run("mover -config bandwidth:\\ 7 -config-dump"),
    '{"IntervalMs":10,"Bandwidth":7}\n',
  );
  assertEquals(
    await h.run(`mover -config '{"IntervalMs":0}'`),
    "memtierd: mover: IntervalMs: must be a whole number from 1 to 3600000 (got 0)\n",
  );
  assertEquals(
    await h.run(`mover -config '{"Speed":1}'`),
    "memtierd: mover: Speed: unknown key (accepted: IntervalMs, Bandwidth)\n",
  );
  assertEquals(
    await h.run(`mover -config {"IntervalMs":5}`),
    `memtierd: mover: "IntervalMs:5": unknown key (write 'field: value', or quote the JSON: '{"IntervalMs":...}')\n`,
  );
  assertEquals(await h.run("mover -config-dump"), '{"IntervalMs":10,"Bandwidth":7}\n');
});

Deno.test("mover tasks share the bandwidth by turns and can be removed", async () => {
  const k = fourNodeKernel(2048);
  k.addProcess(600, "other", [{ startAddr: BASE, pages: 2048, kind: "anon" }]);
  k.populate(600, 0, 0, 2048);
  using h = harness(k);
  await h.run(`mover -config '{"IntervalMs":10,"Bandwidth":10}'`); // 25 pages a round
  await h.run(
    `pages -pid ${PID}`,
    "mover -pages-to 1 -pause",
    "pages -pid 600",
    "mover -pages-to 3",
  );
  await h.run("mover -pause");
  const tasks = await h.run("mover -tasks");
  const lines = tasks.trim().split("\n");
  assertEquals(lines.length, 2);
  assertOk(
    /^0 {8}MoverTask\{pid: 500, next: [0-9a-f]+, page: \d+ out of 2064, dest: \[1\]\}$/.test(
      lines[0]!,
    ),
    lines[0],
  );
  const moved1 = h.kernel.pagesPerNode(PID).get(1) ?? 0;
  const moved3 = h.kernel.pagesPerNode(600).get(3) ?? 0;
  assertOk(moved3 > 0, "the second task got no turn");
  assertEquals(
    await h.run("mover -remove-task 0", "mover -tasks").then((t) => t.split("\n").length),
    2,
  );
  assertIncludes(await h.run("mover -remove-task 7"), "no task 7");
  await h.run("mover -continue", "mover -wait");
  assertEquals(h.kernel.pagesPerNode(PID).get(1) ?? 0, moved1);
  assertEquals(h.kernel.pagesPerNode(600).get(3), 2048);
});

Deno.test("mover -pages-to refuses a node without memory and needs selected pages", async () => {
  using h = harness();
  assertIncludes(await h.run("mover -pages-to 1"), "set pages before moving");
  await h.run(`pages -pid ${PID}`);
  assertIncludes(
    await h.run("mover -pages-to 9"),
    "Cannot move to node 9: no such node (online nodes: 0-3)",
  );
  assertEquals(h.prompt.firstErrorCode, 2);
});

Deno.test("mover -wait on a mover that never started returns at once", async () => {
  using h = harness();
  assertEquals(await h.run("mover -wait"), "mover wait received: NotRunning\n");
});

Deno.test("swap -out pages out, -status counts them, -in brings them back", async () => {
  using h = harness();
  const before = new Map(h.kernel.processes.get(PID)!.data);
  assertEquals(
    await h.run(`swap -pid ${PID} -out -status`),
    `${PID} 1040 / 1040 pages, 4 / 4 MB (100.0 %) swapped out\n`,
  );
  const vaddrs = await h.run(`swap -pid ${PID} -vaddrs`);
  assertIncludes(vaddrs, `${BASE.toString(16)}-${(BASE + 1024 * 4096).toString(16)} (4194304 B)`);
  assertEquals(
    await h.run(`swap -pid ${PID} -in -status`),
    `${PID} 0 / 1040 pages, 0 / 4 MB (0.0 %) swapped out\n`,
  );
  assertEquals(h.kernel.processes.get(PID)!.data, before);
  const table = await h.run("stats -t process_madvise -f csv");
  assertEquals(table.split("\n")[2], `${PID},1,1040,1040,0.003967,0.003967`);
});

Deno.test("swap -out -mover swaps through the mover and -ranges limits it", async () => {
  using h = harness();
  await h.run(`swap -pid ${PID} -out -mover -ranges ${BASE.toString(16)}+400k`, "mover -wait");
  assertIncludes(await h.run(`swap -pid ${PID} -status`), `${PID} 100 / 1040 pages`);
});

Deno.test("swap needs a pid and says how to give one", async () => {
  using h = harness();
  assertIncludes(
    await h.run("swap -out"),
    "missing pids, add -pid=PID, -pids=PID[,PID...] or -pid-cgroups",
  );
  assertIncludes(await h.run("swap -pids 1,x -out"), 'Invalid -pids "x"');
});

Deno.test("stats tables in csv have the Go columns", async () => {
  using h = harness();
  await h.run(`pages -pid ${PID}`, "mover -pages-to 2", "mover -wait");
  const csv = await h.run("stats -f csv");
  for (
    const header of [
      "count,timeint[s],latest[s ago],name",
      "pid,calls,req[pages],ok[pages],ok[G],PAGEOUT[G]",
      "pid,calls,req[pages],ok[pages],moved[G],targetnode:moved[G]",
      "pid,pages,size[G],errno,error",
      "pid,scans,tot[pages],avg[s],last,max[s],avg[G],last[G],a+w[%],last",
    ]
  ) assertIncludes(csv, `\n${header}\n`);
  assertIncludes(csv, `${PID},5,1040,1040,0.003967,2:0.004`);
  assertIncludes(await h.run(`stats -lm ${PID}`), `move_pages(pid=${PID}, pagecount=16,`);
  assertEquals(await h.run(`stats -le ${PID}`), `no moves with errors of pid ${PID}\n`);
});

Deno.test("stats -dump moves records raw move_pages calls", async () => {
  using h = harness();
  assertEquals(await h.run("stats -dump moves start"), "recording moves started\n");
  await h.run(`pages -pid ${PID}`, "mover -pages-to 3", "mover -wait");
  const recs = (await h.run("stats -dump moves new")).trim().split("\n");
  assertEquals(recs.length, 5);
  assertIncludes(recs[0]!, "dest=3) => (return=0 on_dest=256 on_other=0 [errno:pagecount]=map[])");
  assertEquals(await h.run("stats -dump moves new"), "\n");
  assertEquals(await h.run("stats -dump moves stop"), "recording moves stopped\n");
});

Deno.test("stats with an unknown -f, -t or -dump fails with one error line, exit 2", async () => {
  for (
    const [line, message] of [
      ["stats -f xml", 'stats: Invalid -f "xml": expected txt or csv'],
      [
        "stats -t events,bogus",
        'stats: Invalid -t "bogus": expected events, process_madvise, move_pages, ' +
        "move_pages_errors, memory_scans, mover_dropped_tasks or policy_decisions",
      ],
      [
        "stats -dump foo",
        'stats: Invalid -dump arguments "foo": expected moves start, moves new or moves stop',
      ],
      [
        "stats -dump moves new",
        "stats: Cannot dump new moves: not recording (start with stats -dump moves start)",
      ],
    ]
  ) {
    using h = harness();
    await h.prompt.runLine(line!);
    assertEquals([h.out(), h.err()], [`memtierd: ${message}\n`, `memtierd: ${message}\n`]);
    assertEquals(h.prompt.firstErrorCode, 2);
  }
});

Deno.test("a pipe sends a command's output to the shell; a quoted | is not a pipe", async () => {
  using h = harness();
  const help = await h.run("help");
  assertEquals(await h.run("help | grep mover"), `shell(grep mover) got ${help.length} bytes\n`);
  assertEquals(h.shellCalls[0]!.command, " grep mover");
  assertIncludes(h.shellCalls[0]!.input, "manage mover");
  await h.run('log -i "a | b"');
  assertEquals(h.shellCalls.length, 1);
  assertIncludes(h.log(), "INFO: a | b\n");
});

Deno.test("time keeps stopwatches and sleeps on the session's clock", async () => {
  using h = harness();
  await h.run("time -start a,b");
  h.clock.advance(1500);
  assertEquals(await h.run("time -elapsed a"), "1.500000\n");
  await h.run("time -sleep 0.25");
  assertEquals(await h.run("time -stop b"), 'stopwatch "b" stopped at 1.750000\n');
  assertEquals(await h.run("time -elapsed b"), 'stopwatch "b" not started\n');
  assertIncludes(
    await h.run("time -sleep -1"),
    'Invalid -sleep "-1": expected seconds, from 0 to 864000',
  );
  assertIncludes(await h.run("time -sleep 1e20"), 'Invalid -sleep "1e20"');
});

Deno.test("log writes levels, copies or captures prompt output, and -f quits", async () => {
  using h = harness();
  await h.run("log -d dbg -e bad");
  assertEquals(h.log(), "DEBUG: dbg\nERROR: bad\n");
  assertIncludes(await h.run("log -prefix X"), "cannot set prefix");
  await h.run("log -copy -prefix P:");
  assertEquals(await h.run("time -elapsed z"), 'stopwatch "z" not started\n');
  assertIncludes(h.log(), 'INFO: P:stopwatch "z" not started');
  await h.run("log -capture");
  assertEquals(await h.run("time -elapsed z"), "");
  const r = await h.prompt.runLine("log -f boom");
  assertEquals(r.quit, true);
});

Deno.test("interact shows the prompt, echoes, and stops at q with quit.", async () => {
  using h = harness();
  let out = "";
  await interact(h.prompt, listLineSource(["nop", "q", "nop"], (t) => (out += t)), true);
  assertEquals(out + h.out(), "memtierd> memtierd> " + "" + h.out());
  assertEquals(h.out(), "nop\nq\nquit.\n");
});

Deno.test("interact says quit: EOF when its input ends", async () => {
  using h = harness();
  await interact(h.prompt, listLineSource([], () => {}), false);
  assertEquals(h.out(), "quit: EOF\nquit.\n");
});

Deno.test("a syntax error in a line is one error line", async () => {
  using h = harness();
  assertEquals(await h.run(`log -i "open`), 'memtierd: unterminated quoted (") string\n');
  assertEquals(h.prompt.firstErrorCode, 2);
});

Deno.test("pages -node refuses a node that is not online (exit 5) and selects nothing", async () => {
  using h = harness();
  await h.prompt.runLine(`pages -pid ${PID} -node 9`);
  assertEquals(
    h.err(),
    "memtierd: pages: Cannot select pages on node 9: no such node (online nodes: 0-3)\n",
  );
  assertEquals(h.prompt.firstErrorCode, 5);
  assertEquals(h.session.pages, undefined);
});

Deno.test("swap -in -out together is a usage error that says what is accepted", async () => {
  using h = harness();
  await h.prompt.runLine(`swap -pid ${PID} -in -out`);
  assertEquals(
    h.err(),
    "memtierd: swap: Cannot swap in and out at once: give -in or -out, not both\n",
  );
  assertEquals(h.prompt.firstErrorCode, 2);
  assertEquals(h.kernel.calls.filter((c) => c.syscall === "process_madvise").length, 0);
});

Deno.test("a mover task whose process exits: mover -wait and stats report it, exit 3", async () => {
  using h = harness();
  h.kernel.processes.get(PID)!.exitAfterMoveCalls = 1;
  const text = await h.run(
    `pages -pid ${PID}`,
    `mover -config '{"IntervalMs":10,"Bandwidth":10}'`, // 25 pages a round
    "mover -pages-to 1",
    "mover -wait",
  );
  assertEquals(
    text.split("\n").slice(-3),
    [
      "mover wait received: AllDone (1 task dropped: pid 500 exited)",
      "memtierd: mover: task 0 dropped: pid 500 exited",
      "",
    ],
  );
  assertEquals(h.prompt.firstErrorCode, 3);
  assertIncludes(
    h.log(),
    "WARN: mover: dropped task 0 of pid 500 with 1015 of 1040 pages left: pid 500 exited\n",
  );
  assertEquals(
    await h.run("stats -t mover_dropped_tasks"),
    "table: mover dropped tasks\n" +
      "     pid     task left[pages]   dest reason\n" +
      "     500        0        1015      1 pid 500 exited\n",
  );
  // Reported once: a second wait has nothing new to say.
  assertEquals(await h.run("mover -wait"), "mover wait received: AllDone\n");
});

Deno.test("mover -wait after 66 dropped tasks names the first 64 and counts the 2 more", async () => {
  using h = harness();
  h.kernel.processes.get(PID)!.exitAfterMoveCalls = 1;
  const text = await h.run(
    `pages -pid ${PID}`,
    ...Array.from({ length: 66 }, () => "mover -pages-to 1"),
    "mover -wait",
  );
  const line = text.split("\n").slice(-3)[0]!;
  assertEquals(
    [line.slice(0, 62), line.slice(-13)],
    ["mover wait received: AllDone (66 tasks dropped: pid 500 exited", ", and 2 more)"],
  );
});
