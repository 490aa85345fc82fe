import { assertEquals } from "../testing/assert.ts";
import { FakeClock } from "../time/clock.ts";
import { formatMoveRecord, renderStats } from "./render.ts";
import { Stats } from "./stats.ts";

function statsWithOneMove(): Stats {
  const stats = new Stats(new FakeClock());
  stats.recordMove({
    pid: 42,
    toNode: 1,
    addrs: new Float64Array([0x1000, 0x2000, 0x3000]),
    status: new Int32Array([1, 0, -16]),
    result: 0,
  });
  return stats;
}

Deno.test("renderStats() prints the move_pages tables with the Go columns, in txt and csv", () => {
  const stats = statsWithOneMove();
  assertEquals(
    renderStats(stats, "txt", ["move_pages"]),
    "table: move_pages syscalls\n" +
      "     pid    calls req[pages]  ok[pages] moved[G] targetnode:moved[G]\n" +
      "      42        1          3          1    0.000 1:0.000",
  );
  assertEquals(
    renderStats(stats, "csv", ["move_pages_errors"]),
    "table: move_pages syscall errors in page statuses\n" +
      "pid,pages,size[G],errno,error\n" +
      "42,1,0.000004,16,device or resource busy",
  );
});

Deno.test("formatMoveRecord() gives the Go text of a move_pages call", () => {
  const m = statsWithOneMove().lastMove(42)!;
  assertEquals(
    formatMoveRecord(m),
    "move_pages(pid=42, pagecount=3, firstpage=1000 dest=1) => (return=0 on_dest=1 on_other=1 [errno:pagecount]=map[16:1])",
  );
});

Deno.test("renderStats() lists policy decisions per policy, pid and destination, dry runs apart", () => {
  const clock = new FakeClock();
  const stats = new Stats(clock);
  stats.recordPolicyDecision({ policy: "age", pid: 42, dest: -1, pages: 262144, dryRun: false });
  stats.recordPolicyDecision({ policy: "age", pid: 42, dest: -1, pages: 262144, dryRun: false });
  stats.recordPolicyDecision({ policy: "age", pid: 7, dest: 2, pages: 1000, dryRun: true });
  clock.advance(2500);
  assertEquals(
    renderStats(stats, "txt", ["policy_decisions"]),
    "table: policy decisions\n" +
      "      policy      pid  dest decisions      pages   mem[G]  last[s] dryrun\n" +
      "         age        7     2         1       1000    0.004      2.5    yes\n" +
      "         age       42    -1         2     524288    2.000      2.5     no",
  );
  assertEquals(renderStats(new Stats(clock), "txt").includes("policy decisions"), false);
});
