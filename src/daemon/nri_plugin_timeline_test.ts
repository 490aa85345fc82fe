/**
 * Where the time of nri-plugins' own memtierd test goes, in memtierd's
 * logic alone: the class move-idle-to-node2 of its e2e test
 * (tests/fixtures/nri-plugins/e2e-move-idle.yaml), rendered as the plugin
 * renders it, run by the daemon on the fake kernel with a step clock (no
 * start-up, no scan or move takes time): the cgroups pidwatcher finds the
 * container's shell, the idlepage tracker primes and counts, the age policy
 * waits IdleDurationMs and queues, the mover moves. The VM test
 * (tests/e2e/suites/nri) adds what start-up, scans and moves cost there.
 */
import YAML from "yaml";
import { parseDaemonConfig } from "./config_file.ts";
import { Daemon } from "./daemon.ts";
import { Logger } from "../log/logger.ts";
import { Mover } from "../mover/mover.ts";
import { cgroupTree, StepClock } from "../pidwatchers/_test_deps.ts";
import type { RoutineDeps } from "../routines/routine.ts";
import { Stats } from "../stats/stats.ts";
import { assertEquals } from "../testing/assert.ts";
import { FakeKernel } from "../testing/fake_kernel.ts";
import { fakeSystem } from "../testing/fake_system.ts";
import { loadAllComponents } from "../_test_components.ts";

await loadAllComponents();

const PID = 4321;
const BASE = 0x10000000;
/** The pod's shell: 13,981,016 bytes of base64 text, 3,414 pages. */
const TEXT_PAGES = 3414;
const CGROUP = "/sys/fs/cgroup/kubepods.slice/kubepods-besteffort.slice/" +
  "kubepods-besteffort-pod0.slice/cri-containerd-c0.scope";

function renderedClass(): string {
  const text = Deno.readTextFileSync(
    new URL("../../tests/fixtures/nri-plugins/e2e-move-idle.yaml", import.meta.url),
  );
  const cls = (YAML.parse(text) as { classes: { memtierdconfig: string }[] }).classes[0]!;
  return cls.memtierdconfig.replaceAll("$CGROUP2_ABS_PATH", CGROUP);
}

Deno.test("the plugin's move-idle class: the container's idle text reaches node 2 4 s after start, in memtierd's logic", async () => {
  const config = renderedClass();
  parseDaemonConfig(config, "memtierd.config.yaml"); // as the plugin writes it
  const k = new FakeKernel().addNode(0, 100000, [0]).addNode(1, 100000, [1])
    .addNode(2, 100000);
  k.pageFrames = true;
  k.addProcess(PID, "sh", [{ startAddr: BASE, pages: TEXT_PAGES, kind: "anon" }]);
  k.populate(PID, 0, 0, TEXT_PAGES);
  using sys = fakeSystem(k);
  using cgroups = cgroupTree();
  cgroups.set(CGROUP.replace("/sys/fs/cgroup/", ""), [PID]);
  const clock = new StepClock();
  const stats = new Stats(clock);
  let log = "";
  const logger = new Logger((t) => log += t, { debug: true });
  const syscalls = () => sys.syscalls;
  const deps: RoutineDeps = {
    clock,
    procfs: sys.procfs,
    sysfs: sys.sysfs,
    syscalls,
    logger,
    stats,
    cgroupRoot: cgroups.root,
    mover: new Mover({ syscalls, clock, stats, logger }),
    prompt: {
      runArgs: () => Promise.resolve({ code: 0, error: "" }),
      runLine: () => Promise.resolve({ code: 0, error: "" }),
    },
    exec: () => Promise.reject(new Error("no exec in this test")),
    out: () => {},
  };
  const daemon = new Daemon({ file: "memtierd.config.yaml", readTextFile: () => config, deps });
  await daemon.start();
  const onNode2 = () =>
    [...k.processes.get(PID)!.pages.values()].filter((p) => p.node === 2).length;
  const seen: string[] = [];
  let last = -1;
  for (let ms = 0; ms <= 20_000; ms += 250) {
    if (ms > 0) await clock.advance(250);
    const n = onNode2();
    if (n !== last) seen.push(`${ms} ms: ${n}`);
    last = n;
  }
  await daemon.stop();
  // The first scan primes at once (the pidwatcher polled before it), the
  // next counts at 2 s: no access since the priming pass ended at 0 s. The
  // policy round at 2 s first sees the ranges, idle since 0 s, so for more
  // than 3000 ms at the round at 4 s (it waited until 6 s when a new range
  // counted as changed when first seen); the mover takes 1,024 pages per
  // 20 ms round at 200 MB/s (the samples are 250 ms apart).
  assertEquals(seen, ["0 ms: 0", "4000 ms: 1024", "4250 ms: 3414"], log);
});
