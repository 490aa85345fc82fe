import { PermissionError } from "../../errors.ts";
import { assertEquals } from "../../testing/assert.ts";
import type { SoftDirtyTracker } from "../../trackers/softdirty.ts";
import { BASE, harness, PID } from "../_harness.ts";

const PAGE = 4096;

Deno.test("tracker -ls lists the trackers; without one it says how to create one", async () => {
  using h = harness();
  assertEquals(await h.run("tracker -ls"), "damon\nfinder\nidlepage\nmulti\nsoftdirty\nstub\n");
  assertEquals(
    await h.run("tracker -counters"),
    "memtierd: tracker: no tracker, create one with -create NAME [-config CONFIG]\n",
  );
  assertEquals(
    await h.run("tracker -create nosuch"),
    'memtierd: tracker: creating tracker failed: invalid tracker name "nosuch" (accepted: damon, finder, idlepage, multi, softdirty, stub)\n',
  );
  assertEquals(h.prompt.firstErrorCode, 2);
});

Deno.test("tracker softdirty from the prompt: -counters sorted by accesses, -heat merges equal heat, -reset, -dump raw", async () => {
  using h = harness();
  assertEquals(
    await h.run(`tracker -create softdirty -config '{"PagesInRegion":256,"MaxCountPerRegion":0}'`),
    "tracker created\ntracker configured successfully\n",
  );
  // The scan loop runs on the harness's clock, which does not wait: scans
  // are run here by hand.
  const t = h.session.components.tracker?.instance as SoftDirtyTracker;
  t.addPids([{ pid: PID, pidfd: null, startTicks: h.kernel.processes.get(PID)!.startTicks }]);
  t.scan();
  assertEquals(
    await h.run("tracker -counters -dump raw start"),
    "no counter entries\nraw recording started\n\n",
  );
  h.sys.access(PID, BASE, BASE + 2 * PAGE, true);
  h.sys.access(PID, BASE + 256 * PAGE, BASE + 258 * PAGE, true);
  h.sys.access(PID, BASE + 600 * PAGE, BASE + 601 * PAGE, true);
  t.scan();
  assertEquals(
    await h.run("tracker -counters"),
    // Regions without writes are counters too (0), as in the Go memtierd.
    "a=0 r=0 w=0 AddrRanges{pid=500 ranges=ff00000-ff10000 (65536 B)}\n" +
      "a=0 r=0 w=0 AddrRanges{pid=500 ranges=10300000-10400000 (1048576 B)}\n" +
      "a=0 r=0 w=1 AddrRanges{pid=500 ranges=10200000-10300000 (1048576 B)}\n" +
      "a=0 r=0 w=2 AddrRanges{pid=500 ranges=10000000-10100000 (1048576 B)}\n" +
      "a=0 r=0 w=2 AddrRanges{pid=500 ranges=10100000-10200000 (1048576 B)}\n",
  );
  assertEquals(
    await h.run("tracker -heat"),
    "ff00000-ff10000 (65536 B) 0\n10000000-10200000 (2097152 B) 2\n" +
      "10200000-10300000 (1048576 B) 1\n10300000-10400000 (1048576 B) 0\n",
  );
  const raw = (await h.run("tracker -dump raw new")).split("\n");
  assertEquals(raw[0], "           timestamp      pid             addr    pages     accs   writes");
  assertEquals(raw.slice(1, 3).map((l) => l.slice(21)), [
    "     500          ff00000       16        0        0",
    "     500         10000000      256        0        2",
  ]);
  assertEquals(
    await h.run("tracker -reset", "tracker -counters"),
    "tracker counters reset\nno counter entries\n",
  );
  assertEquals(
    await h.run("tracker -config-dump"),
    '{"PagesInRegion":256,"MaxCountPerRegion":0,"ScanIntervalMs":5000,"RegionsUpdateMs":10000,"PagemapReadahead":0,"SkipPageProb":0,"TrackReferenced":false}\n',
  );
  assertEquals(h.prompt.firstErrorCode, 0);
});

Deno.test("tracker finder -counters and -dump regions print the Go lines", async () => {
  using h = harness();
  await h.run(`tracker -create finder -config '{"ReportAccesses":42}'`);
  assertEquals(await h.run(`tracker -start ${PID}`), "tracker started\n");
  assertEquals(
    await h.run("tracker -counters"),
    "a=42 r=0 w=0 AddrRanges{pid=500 ranges=ff00000-ff10000 (65536 B)}\n" +
      "a=42 r=0 w=0 AddrRanges{pid=500 ranges=10000000-10400000 (4194304 B)}\n",
  );
  assertEquals(
    await h.run("tracker -heat"),
    "ff00000-ff10000 (65536 B) 42\n10000000-10400000 (4194304 B) 42\n",
  );
  assertEquals(
    await h.run("tracker -dump regions"),
    "pid 500: ff00000-ff10000 (65536 B)\npid 500: 10000000-10400000 (4194304 B)\n\n",
  );
});

Deno.test("tracker errors are one line: bad config, bad pid, missing process, missing file", async () => {
  using h = harness();
  assertEquals(
    await h.run(
      "tracker -create softdirty",
      `tracker -config '{"ScanIntervalMs":0}'`,
      "tracker -start 12x",
      "tracker -start 4000",
      "tracker -config-file /nonexistent.json",
      "tracker -create idlepage",
      `tracker -start ${PID}`,
    ),
    "tracker created\n" +
      "memtierd: tracker: tracker configuration error: tracker softdirty: ScanIntervalMs: must be a whole number from 1 to 3600000 (got 0)\n" +
      'memtierd: tracker: invalid pid: "12x"\n' +
      "memtierd: tracker: start failed: no process 4000\n" +
      "memtierd: tracker: reading file \"/nonexistent.json\" failed: No such file or directory (os error 2): open '/nonexistent.json'\n" +
      "tracker created\n" +
      `memtierd: tracker: start failed: tracker idlepage: ${h.sys.sysfs.root}/kernel/mm/page_idle/bitmap is missing: this kernel lacks idle page tracking (CONFIG_IDLE_PAGE_TRACKING); use the softdirty or damon tracker, or \`make vm-kernel\`\n`,
  );
  assertEquals(h.prompt.firstErrorCode, 2);
});

Deno.test("tracker -start of a process memtierd may not read: the permission error, exit 4, nothing started", async () => {
  using h = harness();
  const procfs = h.session.opts.procfs;
  procfs.maps = (pid: number) => {
    throw new PermissionError(`Cannot read /proc/${pid}/maps: permission denied`, "run as root");
  };
  assertEquals(
    await h.run("tracker -create softdirty", `tracker -start ${PID}`),
    "tracker created\n" +
      `memtierd: tracker: Cannot read /proc/${PID}/maps: permission denied; run as root\n`,
  );
  assertEquals(h.prompt.firstErrorCode, 4);
  assertEquals((h.session.components.tracker?.instance as SoftDirtyTracker).running, false);
});

Deno.test("pidwatcher -listener tracker feeds the session's tracker", async () => {
  using h = harness();
  await h.run(`tracker -create finder -config '{"ReportAccesses":1}'`);
  assertEquals(
    await h.run("pidwatcher -create pidlist -config pids:\\ [500] -listener tracker -poll"),
    "pidwatcher created\npidwatcher configured successfully\n",
  );
  assertEquals((await h.run("tracker -counters")).split("\n").length, 3);
  await h.run("pidwatcher -stop");
});
