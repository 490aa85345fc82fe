import { ConfigError } from "../config/config_error.ts";
import { UnsupportedError } from "../errors.ts";
import { assertEquals, assertIncludes, assertThrows } from "../testing/assert.ts";
import { flattenCounters, rangeHeats } from "./counters.ts";
import { FinderTracker, finderTrackerFactory } from "./finder.ts";
import { IdlePageTracker, idlePageTrackerFactory } from "./idlepage.ts";
import { trackerRegistry } from "./mod.ts";
import type { MultiTracker } from "./multi.ts";
import { SoftDirtyTracker, softDirtyTrackerFactory } from "./softdirty.ts";
import type { TrackerCounter } from "./tracker.ts";
import { BASE, fakeComponentDeps, HEAP, PAGE, PID, trackerFixture } from "./_test_deps.ts";
import { FakeKernel } from "../testing/fake_kernel.ts";
import { fakeSystem } from "../testing/fake_system.ts";
import { realClock } from "../time/clock.ts";
import type { PagemapSource } from "../procfs/pagemap.ts";
import { loadAllComponents } from "../_test_components.ts";

await loadAllComponents();

const counter = (
  startAddr: number,
  endAddr: number,
  accesses: number,
  writes: number,
  reads = 0,
  pid = PID,
): TrackerCounter => ({ pid, range: { startAddr, endAddr }, accesses, reads, writes });

/** A page tracker's counter: it counts since the end of the pass before (0 on these tests' clock). */
const paged = (
  startAddr: number,
  endAddr: number,
  accesses: number,
  writes: number,
  sinceMs = 0,
) => ({
  ...counter(startAddr, endAddr, accesses, writes),
  sinceMs,
});

/** The counters with a hit (the others are there too, at 0). */
const written = (cs: TrackerCounter[]) => cs.filter((c) => c.accesses || c.reads || c.writes);

Deno.test("softdirty and idlepage configs: Go defaults for omitted keys, errors name the key and the accepted values", () => {
  assertEquals(softDirtyTrackerFactory.parse(undefined, "tracker softdirty"), {
    PagesInRegion: 512,
    MaxCountPerRegion: 1,
    ScanIntervalMs: 5000,
    RegionsUpdateMs: 10000,
    PagemapReadahead: 0,
    SkipPageProb: 0,
    TrackReferenced: false,
  });
  assertEquals(idlePageTrackerFactory.parse('{"pagesinregion": 64}', "tracker idlepage"), {
    PagesInRegion: 64,
    MaxCountPerRegion: 1,
    ScanIntervalMs: 5000,
    RegionsUpdateMs: 10000,
    PagemapReadahead: 0,
    KpageflagsReadahead: 0,
    BitmapReadahead: 0,
  });
  assertEquals(finderTrackerFactory.parse(undefined, "tracker finder"), {
    RegionsUpdateMs: 5000,
    ReportAccesses: 0,
  });
  assertThrows(
    () => softDirtyTrackerFactory.parse('{"PagesInRegion": 0}', "tracker softdirty"),
    ConfigError,
    "tracker softdirty: PagesInRegion: must be a whole number from 1 to 262144 (got 0)",
  );
  assertThrows(
    () => idlePageTrackerFactory.parse('{"SkipPageProb": 5}', "tracker idlepage"),
    ConfigError,
    "SkipPageProb",
  );
  assertThrows(
    () => finderTrackerFactory.parse('{"PagemapBitPresent": "yes"}', "tracker finder"),
    ConfigError,
    "PagemapBitPresent: must be true or false",
  );
});

Deno.test("softdirty counts regions written since the last scan, not read ones; counters add up until reset", () => {
  using f = trackerFixture();
  const t = new SoftDirtyTracker(
    softDirtyTrackerFactory.parse({ PagesInRegion: 256 }, "softdirty"),
    f.deps,
  );
  t.addPids([f.watched()]);
  t.scan(); // primes: clears soft-dirty bits
  assertEquals(t.getCounters(), []);
  f.sys.access(PID, BASE, BASE + 10 * PAGE, true);
  f.sys.access(PID, BASE + 300 * PAGE, BASE + 310 * PAGE, false);
  t.scan();
  // Every region scanned has a counter, 0 where nothing was written (as in Go).
  assertEquals(t.getCounters(), [
    paged(HEAP, HEAP + 16 * PAGE, 0, 0),
    paged(BASE, BASE + 256 * PAGE, 0, 1),
    paged(BASE + 256 * PAGE, BASE + 512 * PAGE, 0, 0),
    paged(BASE + 512 * PAGE, BASE + 768 * PAGE, 0, 0),
    paged(BASE + 768 * PAGE, BASE + 1024 * PAGE, 0, 0),
  ]);
  t.scan(); // nothing written since: no change
  assertEquals(written(t.getCounters()), [paged(BASE, BASE + 256 * PAGE, 0, 1)]);
  f.sys.access(PID, BASE + 5 * PAGE, BASE + 6 * PAGE, true);
  f.sys.access(PID, BASE + 1000 * PAGE, BASE + 1001 * PAGE, true);
  t.scan();
  assertEquals(written(t.getCounters()), [
    paged(BASE, BASE + 256 * PAGE, 0, 2),
    paged(BASE + 768 * PAGE, BASE + 1024 * PAGE, 0, 1),
  ]);
  const scans = f.stats.scans().get(PID)!;
  // A region's scan ends at its first written page (MaxCountPerRegion 1):
  // 16 + 1 + 3 * 256, then 16 + 1024, then 16 + 6 + 256 + 256 + 233.
  assertEquals([scans.count, scans.sumScanned, scans.sumWritten], [3, 785 + 1040 + 767, 3]);
  t.resetCounters();
  assertEquals(t.getCounters(), []);
});

Deno.test("a page tracker's counter says since when it counts: the end of the pass before the one that made it", () => {
  using f = trackerFixture();
  const t = new SoftDirtyTracker(
    softDirtyTrackerFactory.parse({ PagesInRegion: 512, RegionsUpdateMs: 0 }, "softdirty"),
    f.deps,
  );
  t.addPids([f.watched()]);
  f.clock.advance(1500);
  t.scan(); // primes at 1,500 ms
  f.clock.advance(2000);
  f.sys.access(PID, BASE, BASE + PAGE, true);
  t.scan(); // counts since 1,500 ms
  assertEquals(t.getCounters(), [
    paged(HEAP, HEAP + 16 * PAGE, 0, 0, 1500),
    paged(BASE, BASE + 512 * PAGE, 0, 1, 1500),
    paged(BASE + 512 * PAGE, BASE + 1024 * PAGE, 0, 0, 1500),
  ]);
  t.resetCounters();
  f.clock.advance(2000);
  t.scan(); // counters made anew count since the pass at 3,500 ms
  assertEquals(t.getCounters().map((c) => c.sinceMs), [3500, 3500, 3500]);
});

Deno.test("softdirty MaxCountPerRegion 0 counts every written page of a region", () => {
  using f = trackerFixture();
  const t = new SoftDirtyTracker(
    softDirtyTrackerFactory.parse({ PagesInRegion: 256, MaxCountPerRegion: 0 }, "softdirty"),
    f.deps,
  );
  t.addPids([f.watched()]);
  t.scan();
  f.sys.access(PID, BASE + 256 * PAGE, BASE + 266 * PAGE, true);
  f.sys.access(PID, HEAP, HEAP + 3 * PAGE, true);
  t.scan();
  assertEquals(written(t.getCounters()), [
    paged(HEAP, HEAP + 16 * PAGE, 0, 3),
    paged(BASE + 256 * PAGE, BASE + 512 * PAGE, 0, 10),
  ]);
});

Deno.test("softdirty drops a process that exits, quietly, with its counters", () => {
  using f = trackerFixture();
  const t = new SoftDirtyTracker(softDirtyTrackerFactory.parse({}, "softdirty"), f.deps);
  t.addPids([f.watched()]);
  t.scan();
  f.sys.access(PID, BASE, BASE + PAGE, true);
  t.scan();
  assertEquals(written(t.getCounters()).length, 1);
  f.sys.kernel.exit(PID);
  f.sys.sync();
  t.scan();
  assertEquals([t.pids(), t.getCounters(), f.log()], [[], [], ""]);
});

Deno.test("softdirty TrackReferenced is taken and says in one log line it is not supported", () => {
  using f = trackerFixture();
  new SoftDirtyTracker(
    softDirtyTrackerFactory.parse({ TrackReferenced: true }, "softdirty"),
    f.deps,
  );
  assertEquals(f.log().trim().split("\n").length, 1);
  assertIncludes(f.log(), "TrackReferenced is not supported");
});

Deno.test("idlepage counts regions read or written since the last scan; THP tails do not count, their head does", () => {
  using f = trackerFixture(true);
  // BASE+512..+1024 pages: one THP-like compound page (head, then tails).
  const proc = f.sys.kernel.processes.get(PID)!;
  for (let i = 512; i < 1024; i++) {
    proc.pages.get(BASE / PAGE + i)!.kpf = i === 512
      ? (1 << 15) | (1 << 22)
      : (1 << 16) | (1 << 22);
  }
  f.sys.sync();
  const t = new IdlePageTracker(
    idlePageTrackerFactory.parse({ PagesInRegion: 256, MaxCountPerRegion: 0 }, "idlepage"),
    f.deps,
  );
  t.addPids([f.watched()]);
  t.scan(); // primes: marks every scanned frame idle
  t.scan();
  assertEquals(t.getCounters().length, 5); // heap and 4 regions, all 0
  assertEquals(written(t.getCounters()), []);
  f.sys.access(PID, BASE + 3 * PAGE, BASE + 7 * PAGE, false); // read
  f.sys.access(PID, BASE + 300 * PAGE, BASE + 301 * PAGE, true); // write
  f.sys.access(PID, BASE + 800 * PAGE, BASE + 900 * PAGE, false); // tails only
  t.scan();
  assertEquals(written(t.getCounters()), [
    paged(BASE, BASE + 256 * PAGE, 4, 0),
    paged(BASE + 256 * PAGE, BASE + 512 * PAGE, 1, 0),
  ]);
  f.sys.access(PID, BASE + 512 * PAGE, BASE + 513 * PAGE, false); // the head
  f.sys.access(PID, BASE + 3 * PAGE, BASE + 4 * PAGE, false);
  t.scan();
  assertEquals(written(t.getCounters()), [
    paged(BASE, BASE + 256 * PAGE, 5, 0),
    paged(BASE + 256 * PAGE, BASE + 512 * PAGE, 1, 0),
    paged(BASE + 512 * PAGE, BASE + 768 * PAGE, 1, 0),
  ]);
  f.sys.kernel.exit(PID);
  f.sys.sync();
  t.scan();
  assertEquals([t.pids(), t.getCounters()], [[], []]);
});

Deno.test("idlepage counts the right regions when the frames of a chunk are scattered", () => {
  using f = trackerFixture(true);
  // Page i of the 1024 at BASE gets frame (331 * i) % 1024: neighbouring
  // pages 331 frames apart, so the chunk is sorted by frame before reading.
  const frame = (i: number) => (331 * i) % 1024;
  const procfs = new Proxy(f.deps.procfs, {
    get(target, prop) {
      if (prop === "openPagemap") {
        return (pid: number): PagemapSource => {
          const src = target.openPagemap(pid);
          return {
            read(startAddr, pages, into) {
              const n = src.read(startAddr, pages, into);
              for (let k = 0; k < n; k++) {
                const page = startAddr / PAGE + k - BASE / PAGE;
                if (page >= 0 && page < 1024) into[2 * k] = frame(page);
              }
              return n;
            },
            close: () => src.close(),
          };
        };
      }
      const v = Reflect.get(target, prop, target);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
  const t = new IdlePageTracker(
    idlePageTrackerFactory.parse({ PagesInRegion: 256, MaxCountPerRegion: 0 }, "idlepage"),
    { ...f.deps, procfs },
  );
  t.addPids([f.watched()]);
  t.scan(); // primes
  t.scan();
  assertEquals(written(t.getCounters()), []);
  // Pages 3..6 and 700 used: their frames' idle bits cleared.
  const path = `${f.deps.sysfs.root}/kernel/mm/page_idle/bitmap`;
  const bytes = Deno.readFileSync(path);
  for (const page of [3, 4, 5, 6, 700]) {
    const pfn = frame(page);
    bytes[pfn >> 3] = bytes[pfn >> 3]! & ~(1 << (pfn & 7));
  }
  Deno.writeFileSync(path, bytes);
  t.scan();
  assertEquals(written(t.getCounters()), [
    paged(BASE, BASE + 256 * PAGE, 4, 0),
    paged(BASE + 512 * PAGE, BASE + 768 * PAGE, 1, 0),
  ]);
  t.scan();
  assertEquals(written(t.getCounters()).map((c) => c.accesses), [4, 1], "marked idle again");
});

Deno.test("idlepage leaves out frames past the bitmap's last whole word and keeps tracking the process", () => {
  using f = trackerFixture(true);
  // The kernel returns whole 64-frame words only; here there are 8 of them:
  // the frames of BASE+512 pages and up (PFN 512 and up) have no idle bits.
  Deno.truncateSync(`${f.deps.sysfs.root}/kernel/mm/page_idle/bitmap`, 64);
  const t = new IdlePageTracker(
    idlePageTrackerFactory.parse({ PagesInRegion: 256, MaxCountPerRegion: 0 }, "idlepage"),
    f.deps,
  );
  t.addPids([f.watched()]);
  t.scan();
  t.scan();
  f.sys.access(PID, BASE + 3 * PAGE, BASE + 7 * PAGE, false);
  f.sys.access(PID, BASE + 600 * PAGE, BASE + 700 * PAGE, false);
  t.scan();
  assertEquals([t.pids(), written(t.getCounters())], [[PID], [
    paged(BASE, BASE + 256 * PAGE, 4, 0),
  ]]);
});

Deno.test("idlepage start without the bitmap says the kernel lacks CONFIG_IDLE_PAGE_TRACKING", () => {
  using f = trackerFixture(false);
  const t = new IdlePageTracker(idlePageTrackerFactory.parse({}, "idlepage"), f.deps);
  assertThrows(() => t.start(), UnsupportedError, "CONFIG_IDLE_PAGE_TRACKING");
});

Deno.test("idlepage start warns when NUMA balancing is on", async () => {
  using f = trackerFixture(true);
  Deno.mkdirSync(`${f.deps.procfs.root}/sys/kernel`, { recursive: true });
  Deno.writeTextFileSync(`${f.deps.procfs.root}/sys/kernel/numa_balancing`, "1\n");
  const t = new IdlePageTracker(idlePageTrackerFactory.parse({}, "idlepage"), f.deps);
  t.start();
  await t.stop();
  assertIncludes(f.log(), "numa_balancing is 1");
});

Deno.test("finder reports whole ranges with ReportAccesses; pagemap-bit filters give the runs that pass", () => {
  using f = trackerFixture();
  const t = new FinderTracker(finderTrackerFactory.parse({ ReportAccesses: 42 }, "finder"), f.deps);
  t.addPids([f.watched()]);
  assertEquals(t.getCounters(), [
    counter(HEAP, HEAP + 16 * PAGE, 42, 0),
    counter(BASE, BASE + 1024 * PAGE, 42, 0),
  ]);
  const proc = f.sys.kernel.processes.get(PID)!;
  for (let i = 100; i < 200; i++) proc.pages.get(BASE / PAGE + i)!.swapped = true;
  f.sys.sync();
  const filtered = (cfg: Record<string, unknown>) => {
    const ft = new FinderTracker(finderTrackerFactory.parse(cfg, "finder"), f.deps);
    ft.addPids([f.watched()]);
    return ft.getCounters().map((c) => [c.range.startAddr, c.range.endAddr]);
  };
  assertEquals(filtered({ PagemapBitPresent: false }), [[BASE + 100 * PAGE, BASE + 200 * PAGE]]);
  assertEquals(filtered({ PagemapBitPresent: true }), [
    [HEAP, HEAP + 16 * PAGE],
    [BASE, BASE + 100 * PAGE],
    [BASE + 200 * PAGE, BASE + 1024 * PAGE],
  ]);
  f.sys.access(PID, BASE + 10 * PAGE, BASE + 12 * PAGE, true);
  assertEquals(filtered({ PagemapBitSoftDirty: true }), [[BASE + 10 * PAGE, BASE + 12 * PAGE]]);
  assertEquals(
    t.dump(["regions"]),
    `pid 500: ${HEAP.toString(16)}-${
      (HEAP + 16 * PAGE).toString(16)
    } (65536 B)\npid 500: 10000000-10400000 (4194304 B)`,
  );
});

Deno.test("finder RegionsUpdateMs 0 reads the ranges every time; 5000 keeps them for 5 s", () => {
  using f = trackerFixture();
  const every = new FinderTracker(finderTrackerFactory.parse({ RegionsUpdateMs: 0 }, "f"), f.deps);
  const kept = new FinderTracker(finderTrackerFactory.parse({}, "f"), f.deps);
  every.addPids([f.watched()]);
  kept.addPids([f.watched()]);
  assertEquals([every.getCounters().length, kept.getCounters().length], [2, 2]);
  f.sys.kernel.processes.get(PID)!.vmas.push({
    startAddr: BASE + 0x1000000,
    pages: 4,
    kind: "anon",
  });
  f.sys.kernel.populate(PID, 2, 0, 4);
  f.sys.sync();
  assertEquals([every.getCounters().length, kept.getCounters().length], [3, 2]);
  f.clock.advance(5000);
  assertEquals(kept.getCounters().length, 3);
});

Deno.test("flattening splits overlapping counters at their boundaries and sums a/r/w per piece", () => {
  const flat = flattenCounters([
    counter(0x1000, 0x5000, 1, 0),
    counter(0x3000, 0x7000, 0, 2, 1),
    counter(0x4000, 0x5000, 10, 0),
    counter(0x9000, 0xa000, 3, 3),
    counter(0x3000, 0x7000, 5, 5, 5, 501),
  ]);
  assertEquals(flat, [
    counter(0x1000, 0x3000, 1, 0),
    counter(0x3000, 0x4000, 1, 2, 1),
    counter(0x4000, 0x5000, 11, 2, 1),
    counter(0x5000, 0x7000, 0, 2, 1),
    counter(0x9000, 0xa000, 3, 3),
    counter(0x3000, 0x7000, 5, 5, 5, 501),
  ]);
  assertEquals(rangeHeats(flat).map((h) => [h.pid, h.range.startAddr, h.range.endAddr, h.heat]), [
    [PID, 0x1000, 0x3000, 1],
    [PID, 0x3000, 0x4000, 4],
    [PID, 0x4000, 0x5000, 14],
    [PID, 0x5000, 0x7000, 3],
    [PID, 0x9000, 0xa000, 6],
    [501, 0x3000, 0x7000, 15],
  ]);
});

Deno.test("multi builds its trackers through the registry and flattens their counters", () => {
  using f = trackerFixture();
  const factory = trackerRegistry.get("multi")!;
  const cfg = factory.parse(
    {
      Trackers: [
        { name: "softdirty", config: '{"PagesInRegion": 256}' },
        { name: "finder", config: { ReportAccesses: 1 } },
      ],
    },
    "tracker multi",
  );
  const t = factory.create(cfg, f.deps) as MultiTracker;
  t.addPids([f.watched()]);
  const sd = t.trackers[0] as SoftDirtyTracker;
  sd.scan();
  f.sys.access(PID, BASE + 260 * PAGE, BASE + 261 * PAGE, true);
  sd.scan();
  assertEquals(t.getCounters(), [
    counter(HEAP, HEAP + 16 * PAGE, 1, 0),
    counter(BASE, BASE + 256 * PAGE, 1, 0),
    counter(BASE + 256 * PAGE, BASE + 512 * PAGE, 1, 1),
    counter(BASE + 512 * PAGE, BASE + 768 * PAGE, 1, 0),
    counter(BASE + 768 * PAGE, BASE + 1024 * PAGE, 1, 0),
  ]);
  assertEquals(
    t.dump(["regions"]).split("\n")[0],
    "tracker 0: TrackerSoftDirty: dump accepts: raw start|new|stop",
  );
  assertEquals(
    t.configJson(),
    '{"Trackers":[{"name":"softdirty","config":{"PagesInRegion":256,"MaxCountPerRegion":1,"ScanIntervalMs":5000,"RegionsUpdateMs":10000,"PagemapReadahead":0,"SkipPageProb":0,"TrackReferenced":false}},{"name":"finder","config":{"RegionsUpdateMs":5000,"ReportAccesses":1}}]}',
  );
  assertThrows(
    () => factory.parse({ Trackers: [{ name: "nosuch" }] }, "tracker multi"),
    ConfigError,
    'tracker multi: Trackers.0.name: unknown tracker "nosuch"',
  );
  assertThrows(
    () =>
      factory.parse(
        { Trackers: [{ name: "softdirty", config: { ScanIntervalMs: -1 } }] },
        "tracker multi",
      ),
    ConfigError,
    "tracker multi: Trackers.0.config.ScanIntervalMs: must be a whole number from 1 to 3600000 (got -1)",
  );
});

/**
 * A softdirty tracker over pid 500 with three 64-page ranges far apart
 * (three pagemap chunks), whose pagemap reads take 60 ms each (more than a
 * scan slice), on the real clock; `reads` and `open` count what it did.
 */
function slowScanFixture() {
  const k = new FakeKernel().addNode(0, 100000, [0]);
  k.addProcess(
    PID,
    "meme",
    [0, 1, 2].map((i) => ({ startAddr: BASE + i * 0x1000000, pages: 64, kind: "anon" as const })),
  );
  for (let i = 0; i < 3; i++) k.populate(PID, i, 0, 64);
  const sys = fakeSystem(k);
  const { deps } = fakeComponentDeps(sys, realClock);
  const counts = { reads: 0, open: 0 };
  const procfs = new Proxy(sys.procfs, {
    get(target, prop) {
      if (prop === "openPagemap") {
        return (pid: number): PagemapSource => {
          const src = target.openPagemap(pid);
          counts.open++;
          return {
            read(startAddr, pages, into) {
              const until = performance.now() + 60;
              while (performance.now() < until) {
                // a slow kernel
              }
              counts.reads++;
              return src.read(startAddr, pages, into);
            },
            close() {
              counts.open--;
              src.close();
            },
          };
        };
      }
      const v = Reflect.get(target, prop, target);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
  const t = new SoftDirtyTracker(
    softDirtyTrackerFactory.parse({ PagesInRegion: 64, ScanIntervalMs: 60000 }, "softdirty"),
    { ...deps, procfs },
  );
  t.addPids([{ pid: PID, pidfd: null, startTicks: k.processes.get(PID)!.startTicks }]);
  return { t, counts, [Symbol.dispose]: () => sys[Symbol.dispose]() };
}

/** A timer's turn: what the prompt's input waits for. */
function nextTimer(): Promise<void> {
  return new Promise((r) => setTimeout(r, 0));
}

Deno.test("a page tracker's loop gives the event loop a turn during a long scan: a timer set at start runs after the first pagemap chunk, not after the scan", async () => {
  using f = slowScanFixture();
  f.t.start();
  await nextTimer();
  assertEquals(f.counts.reads, 1, "chunks read when the timer ran");
  for (let i = 0; i < 1000 && f.counts.reads < 3; i++) await nextTimer();
  assertEquals(f.counts.reads, 3, "the scan went on to its end");
  await f.t.stop();
  assertEquals(f.counts.open, 0, "pagemap files left open");
});

Deno.test("a page tracker stopped during a scan leaves it at the next slice and closes the pagemap", async () => {
  using f = slowScanFixture();
  f.t.start();
  await nextTimer();
  await f.t.stop();
  assertEquals([f.counts.reads, f.counts.open], [1, 0]);
});

Deno.test("a page tracker forgets the counters of regions a process unmapped (V8 maps its heap anew: they piled up)", () => {
  using f = trackerFixture();
  const t = new SoftDirtyTracker(
    softDirtyTrackerFactory.parse({ PagesInRegion: 512, RegionsUpdateMs: 0 }, "softdirty"),
    f.deps,
  );
  t.addPids([f.watched()]);
  t.scan();
  t.scan();
  const ranges = () => t.getCounters().map((c) => [c.range.startAddr, c.range.endAddr]);
  assertEquals(ranges(), [
    [HEAP, HEAP + 16 * PAGE],
    [BASE, BASE + 512 * PAGE],
    [BASE + 512 * PAGE, BASE + 1024 * PAGE],
  ]);
  // The anonymous mapping goes; another one comes at a new address.
  const p = f.sys.kernel.processes.get(PID)!;
  const moved = BASE + 4096 * PAGE;
  p.vmas[1] = { startAddr: moved, pages: 512, kind: "anon" };
  f.sys.kernel.populate(PID, 1, 0, 512);
  f.sys.sync();
  t.scan();
  assertEquals(ranges(), [[HEAP, HEAP + 16 * PAGE], [moved, moved + 512 * PAGE]]);
});
