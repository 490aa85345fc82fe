import { assertEquals, assertOk } from "../testing/assert.ts";
import { FakeKernel } from "../testing/fake_kernel.ts";
import { fakeSystem } from "../testing/fake_system.ts";
import { addProcess, cgroupTree, recorder, testDeps } from "./_test_deps.ts";
import { CgroupsPidWatcher } from "./cgroups.ts";
import { ProcPidWatcher } from "./proc.ts";

/** A fake kernel with processes 1001..1004 of the fixture host (plus init). */
function fixtureKernel(): FakeKernel {
  const k = new FakeKernel();
  for (const pid of [1, 1001, 1002, 1003, 1004]) addProcess(k, pid);
  return k;
}

Deno.test("cgroups reports the pids below its cgroups once, and a bad path once", () => {
  const kernel = fixtureKernel();
  const { deps, log } = testDeps(kernel);
  const w = new CgroupsPidWatcher({
    IntervalMs: 5000,
    Cgroups: ["/sys/fs/cgroup/app.slice", "/sys/fs/cgroup/notacgroup"],
  }, deps);
  const l = recorder();
  w.setPidListener(l);
  w.poll();
  w.poll();
  assertEquals(l.calls, ["add [1001 1002 1003]"]);
  assertEquals(log, [
    'WARN: pidwatcher cgroups: invalid path "/sys/fs/cgroup/notacgroup": not a cgroup (no cgroup.procs)',
  ]);
  assertEquals(l.last.map((p) => [p.pid, p.startTicks]), [[1001, 52000], [1002, 52010], [
    1003,
    52100,
  ]]);
  assertEquals(kernel.openPidfds, 3);
});

Deno.test("cgroups reports pids that join and leave its cgroups, and closes their pidfds", () => {
  const kernel = new FakeKernel();
  for (const pid of [700, 701, 702]) addProcess(kernel, pid);
  using sys = fakeSystem(kernel);
  using tree = cgroupTree();
  const { deps } = testDeps(kernel, sys.procfs, tree.root);
  tree.set("app", [700]);
  tree.set("app/sub", [701]);
  tree.set("other", [702]);
  const w = new CgroupsPidWatcher({ IntervalMs: 5000, Cgroups: ["/sys/fs/cgroup/app"] }, deps);
  const l = recorder();
  w.setPidListener(l);
  w.poll();
  tree.set("app/sub", [701, 702]); // 702 moved in
  tree.set("other", []);
  w.poll();
  tree.set("app", []); // 700 left
  w.poll();
  tree.remove("app/sub"); // the cgroup is gone with its pids
  w.poll();
  assertEquals(l.calls, ["add [700 701]", "add [702]", "remove [700]", "remove [701 702]"]);
  assertEquals(kernel.openPidfds, 0);
});

Deno.test("a pid number taken by a new process is reported as the old one removed and the new added", () => {
  const kernel = new FakeKernel();
  addProcess(kernel, 700);
  using sys = fakeSystem(kernel);
  using tree = cgroupTree();
  tree.set("app", [700]);
  const { deps } = testDeps(kernel, sys.procfs, tree.root);
  const w = new CgroupsPidWatcher({ IntervalMs: 5000, Cgroups: ["/sys/fs/cgroup/app"] }, deps);
  const l = recorder();
  w.setPidListener(l);
  w.poll();
  const first = l.last[0]!;
  assertEquals(first.startTicks, 100);
  // pid 700 exits and a new process gets the same number, in the same cgroup.
  kernel.processes.get(700)!.exited = true;
  addProcess(kernel, 700, "other");
  sys.sync();
  const calls: string[] = [];
  w.setPidListener({
    addPids: (p) => calls.push(`add ${p.map((x) => `${x.pid}@${x.startTicks}`)}`),
    removePids: (p) => calls.push(`remove ${p.map((x) => `${x.pid}@${x.startTicks}`)}`),
  });
  w.poll();
  assertEquals(calls, ["remove 700@100", "add 700@101"]);
  assertEquals(kernel.openPidfds, 1);
});

Deno.test("a watched process whose pidfd says it exited is removed even while /proc still lists it", () => {
  const kernel = new FakeKernel();
  addProcess(kernel, 700);
  addProcess(kernel, 701);
  using sys = fakeSystem(kernel);
  using tree = cgroupTree();
  tree.set("app", [700, 701]);
  const { deps } = testDeps(kernel, sys.procfs, tree.root);
  const w = new CgroupsPidWatcher({ IntervalMs: 5000, Cgroups: ["/sys/fs/cgroup/app"] }, deps);
  const l = recorder();
  w.setPidListener(l);
  w.poll();
  kernel.processes.get(701)!.exited = true; // a zombie: /proc/701 and cgroup.procs not updated
  w.poll();
  w.poll();
  assertEquals(l.calls, ["add [700 701]", "remove [701]"]);
  assertEquals(kernel.openPidfds, 1);
});

Deno.test("a pid that exits before it can be held by a pidfd is not reported", () => {
  const kernel = new FakeKernel();
  addProcess(kernel, 700);
  using sys = fakeSystem(kernel);
  using tree = cgroupTree();
  tree.set("app", [700, 999]); // 999: listed, but no such process
  const { deps } = testDeps(kernel, sys.procfs, tree.root);
  const w = new CgroupsPidWatcher({ IntervalMs: 5000, Cgroups: ["/sys/fs/cgroup/app"] }, deps);
  const l = recorder();
  w.setPidListener(l);
  w.poll();
  assertEquals(l.calls, ["add [700]"]);
});

Deno.test("without a listener, new and gone pids are warned about as in Go", () => {
  const kernel = fixtureKernel();
  const { deps, log } = testDeps(kernel);
  const w = new CgroupsPidWatcher(
    { IntervalMs: 5000, Cgroups: ["/sys/fs/cgroup/user.slice"] },
    deps,
  );
  w.poll();
  assertEquals(log, [
    "WARN: pidwatcher cgroups: ignoring new pids [1004] because nobody is listening",
  ]);
});

Deno.test("start reports at once and then every IntervalMs; stop ends the loop, closes pidfds and notifies nothing", async () => {
  const kernel = new FakeKernel();
  for (const pid of [700, 701]) addProcess(kernel, pid);
  using sys = fakeSystem(kernel);
  using tree = cgroupTree();
  tree.set("app", [700]);
  const { deps, clock } = testDeps(kernel, sys.procfs, tree.root);
  const w = new CgroupsPidWatcher({ IntervalMs: 1000, Cgroups: ["/sys/fs/cgroup/app"] }, deps);
  const at: string[] = [];
  w.setPidListener({
    addPids: (p) => at.push(`${clock.now()} add ${p.map((x) => x.pid)}`),
    removePids: (p) => at.push(`${clock.now()} remove ${p.map((x) => x.pid)}`),
  });
  await w.start();
  assertOk(w.running);
  await clock.settle(); // the first round
  tree.set("app", [700, 701]);
  await clock.advance(1000);
  tree.set("app", [701]);
  await clock.advance(1000);
  await w.stop();
  assertEquals(w.running, false);
  assertEquals(at, ["0 add 700", "1000 add 701", "2000 remove 700"]);
  assertEquals(kernel.openPidfds, 0);
  // Reported anew after a restart: stop forgot them.
  await w.start();
  await clock.settle();
  await w.stop();
  assertEquals(at.at(-1), "2000 add 701");
});

Deno.test("start and stop called without waiting leave one loop, or none when stop came last", async () => {
  const kernel = new FakeKernel();
  const { deps, clock } = testDeps(kernel);
  let scans = 0;
  class Counting extends CgroupsPidWatcher {
    protected override findPids(): number[] {
      scans++;
      return [];
    }
  }
  const w = new Counting({ IntervalMs: 1000, Cgroups: ["/sys/fs/cgroup/app.slice"] }, deps);
  w.setPidListener(recorder());
  await w.start();
  void w.stop();
  await w.start(); // waits for the stop, then starts one loop
  await clock.settle();
  scans = 0;
  await clock.advance(3000);
  assertEquals(scans, 3); // one loop: one scan per interval
  void w.stop();
  void w.start();
  await w.stop(); // the last call wins
  scans = 0;
  await clock.advance(5000);
  assertEquals([w.running, scans], [false, 0]);
});

Deno.test("proc reports processes that run a program, not kernel threads", () => {
  const kernel = fixtureKernel();
  const { deps } = testDeps(kernel);
  const w = new ProcPidWatcher({ IntervalMs: 5000 }, deps);
  const l = recorder();
  w.setPidListener(l);
  w.poll();
  assertEquals(l.calls, ["add [1 1001 1002 1003 1004]"]);
});

Deno.test("proc reports processes started and exited between polls", () => {
  const kernel = new FakeKernel();
  addProcess(kernel, 700);
  kernel.addProcess(3, "kworker/0:1", [], true);
  using sys = fakeSystem(kernel);
  const { deps } = testDeps(kernel, sys.procfs);
  const w = new ProcPidWatcher({ IntervalMs: 5000 }, deps);
  const l = recorder();
  w.setPidListener(l);
  w.poll();
  addProcess(kernel, 701);
  sys.sync();
  w.poll();
  kernel.processes.get(700)!.exited = true;
  sys.sync();
  w.poll();
  assertEquals(l.calls, ["add [700]", "add [701]", "remove [700]"]);
  assertEquals(kernel.openPidfds, 1);
});
