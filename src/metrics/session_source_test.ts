import type { PidWatcher, WatchedPid } from "../pidwatchers/pidwatcher.ts";
import type { Policy } from "../policies/policy.ts";
import { harness, PID } from "../prompt/_harness.ts";
import { assertEquals } from "../testing/assert.ts";
import { sessionMetricsSource } from "./session_source.ts";

function watcher(pids: number[]): PidWatcher {
  const watched: WatchedPid[] = pids.map((pid) => ({ pid, pidfd: null, startTicks: 1 }));
  return {
    setPidListener() {},
    poll() {},
    start() {},
    running: true,
    stop: () => Promise.resolve(),
    dump: () => "",
    configJson: () => "{}",
    watchedPids: () => watched,
  };
}

Deno.test("sessionMetricsSource() counts the pids of the policy's and the prompt's pidwatchers once each", () => {
  using h = harness();
  const src = sessionMetricsSource(h.session, h.session.opts.procfs);
  assertEquals(src.watchedPids(), []);
  const policy = { pidWatcher: () => watcher([30, 10]) } as Partial<Policy> as Policy;
  h.session.components.policy = { name: "age", config: {}, instance: policy, running: false };
  h.session.components.pidWatcher = {
    name: "pidlist",
    config: {},
    instance: watcher([10, 20]),
    running: true,
  };
  assertEquals(src.watchedPids(), [10, 20, 30]);
});

Deno.test("sessionMetricsSource() names the selected process and those with mover tasks as active", () => {
  using h = harness();
  const src = sessionMetricsSource(h.session, h.session.opts.procfs);
  assertEquals(src.activePids(), []);
  h.session.aranges = { pid: PID, ranges: [] };
  h.session.components.mover.addTask(77, new Float64Array([0x1000]), { kind: "swap" });
  assertEquals(src.activePids(), [77, PID]);
  assertEquals(src.mover().tasks().length, 1);
});
