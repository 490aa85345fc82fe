import { assertEquals } from "../testing/assert.ts";
import { FakeClock } from "../time/clock.ts";
import { MAX_DROPPED_TASK_RECORDS, Stats } from "./stats.ts";

/** Records one of each per-process figure for `pid`. */
function recordAll(stats: Stats, pid: number): void {
  stats.recordMove({
    pid,
    toNode: 1,
    addrs: new Float64Array([0x1000]),
    status: new Int32Array([1]),
    result: 0,
  });
  stats.recordMadvise(pid, 21, 4, 0);
  stats.recordScan(pid, 100, 10, 2, 1);
  stats.recordPolicyDecision({ policy: "age", pid, dest: 1, pages: 1, dryRun: false });
}

function pidsHeld(stats: Stats) {
  return {
    moves: [...stats.moves().keys()],
    madvise: [...stats.madvise().keys()],
    scans: [...stats.scans().keys()],
    decisions: stats.policyDecisions().map((d) => d.pid),
  };
}

const both = { moves: [42, 43], madvise: [42, 43], scans: [42, 43], decisions: [42, 43] };
const only43 = { moves: [43], madvise: [43], scans: [43], decisions: [43] };

Deno.test("Stats drops an exited process's figures 5 minutes after it first finds it gone, and keeps a living one's", () => {
  const clock = new FakeClock();
  const living = new Set([42, 43]);
  const stats = new Stats(clock, { alive: (pid) => living.has(pid) });
  recordAll(stats, 42);
  recordAll(stats, 43);
  living.delete(42);
  clock.advance(9_999);
  assertEquals(pidsHeld(stats), both);
  clock.advance(1); // 10 s: the first look finds 42 gone
  assertEquals(pidsHeld(stats), both);
  clock.advance(5 * 60_000 - 1); // a look 1 ms short of 5 minutes later
  assertEquals(pidsHeld(stats), both);
  clock.advance(9_999); // no look yet (they are 10 s apart)
  assertEquals(pidsHeld(stats), both);
  clock.advance(1); // the next look, 5 minutes and 10 s after
  assertEquals(pidsHeld(stats), only43);
  assertEquals(stats.processCount(), 1);
  clock.advance(3_600_000);
  assertEquals(pidsHeld(stats), only43);
});

Deno.test("Stats keeps a pid found gone once if a process has it again before the 5 minutes end", () => {
  const clock = new FakeClock();
  const living = new Set([42]);
  const stats = new Stats(clock, { alive: (pid) => living.has(pid) });
  recordAll(stats, 42);
  living.delete(42);
  clock.advance(10_000); // found gone
  assertEquals(stats.processCount(), 1);
  living.add(42); // pid reused
  clock.advance(10_000);
  assertEquals(stats.processCount(), 1);
  clock.advance(10 * 60_000);
  assertEquals(stats.moves().get(42)!.calls, 1);
});

Deno.test("Stats under churn of 10,000 short-lived processes holds only those that ended in the last 5 minutes", () => {
  const clock = new FakeClock();
  const living = new Set<number>();
  const stats = new Stats(clock, { alive: (pid) => living.has(pid) });
  // One new process a second, living 3 s.
  for (let pid = 1000; pid < 11_000; pid++) {
    living.add(pid);
    recordAll(stats, pid);
    living.delete(pid - 3);
    clock.advance(1000);
  }
  // At 10,000 s: 3 alive; gone, a process is found at the next look (every
  // 10 s) and dropped 300 s later: pids ending at 9,700 s or later are held
  // (found at 9,710 s or later), 300 of them.
  const held = stats.processCount();
  assertEquals(held, 303);
  assertEquals(stats.moves().size, held);
  assertEquals(stats.policyDecisions().length, held);
});

Deno.test("Stats keeps the latest dropped mover tasks, their total count and the first one's exit code", () => {
  const stats = new Stats(new FakeClock());
  for (let i = 0; i < MAX_DROPPED_TASK_RECORDS + 10; i++) {
    stats.recordDroppedTask({
      taskId: i,
      pid: 1000 + i,
      dest: 1,
      pagesLeft: 1,
      reason: `pid ${1000 + i} exited`,
      exitCode: i === 0 ? 3 : 1,
    });
  }
  assertEquals(stats.droppedTaskCount(), MAX_DROPPED_TASK_RECORDS + 10);
  assertEquals(stats.droppedTasks().length, MAX_DROPPED_TASK_RECORDS);
  assertEquals(stats.droppedTasks()[0]!.taskId, 10);
  assertEquals(stats.firstDropExitCode(), 3);
});
