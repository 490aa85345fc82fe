import { assertEquals, assertOk } from "../testing/assert.ts";
import { FakeKernel } from "../testing/fake_kernel.ts";
import { fakeSystem } from "../testing/fake_system.ts";
import { testEnv } from "./_test_env.ts";
import { runCli } from "./run.ts";
import type { Clock } from "../time/clock.ts";

const yieldToLoop = () => new Promise((resolve) => setTimeout(resolve, 0));
async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 10_000 && !cond(); i++) await yieldToLoop();
  assertOk(cond(), "condition not reached");
}

/**
 * A system with process 100 and DAMON's sysfs as plain files: one kdamond,
 * off, with the files of one context already there (what writing
 * nr_contexts 1 makes in the kernel); a written state reads back as written
 * (its first line).
 */
function damonSystem() {
  const kernel = new FakeKernel().addNode(0, 1000, [0]);
  kernel.addProcess(100, "a", [{ startAddr: 0x10000000, pages: 64, kind: "anon" }]);
  kernel.populate(100, 0, 0, 64);
  const sys = fakeSystem(kernel);
  const k = `${sys.sysfs.root}/kernel/mm/damon/admin/kdamonds`;
  const files: Record<string, string> = {
    "nr_kdamonds": "1",
    "0/state": "off",
    "0/pid": "-1",
    "0/contexts/nr_contexts": "0",
  };
  for (
    const f of [
      "operations",
      "monitoring_attrs/intervals/sample_us",
      "monitoring_attrs/intervals/aggr_us",
      "monitoring_attrs/intervals/update_us",
      "monitoring_attrs/nr_regions/min",
      "monitoring_attrs/nr_regions/max",
      "targets/nr_targets",
      "targets/0/pid_target",
      "targets/0/regions/nr_regions",
      // The process's one anon range (fvaddr, as the kernel offers it).
      "targets/0/regions/0/start",
      "targets/0/regions/0/end",
      "schemes/nr_schemes",
    ]
  ) files[`0/contexts/0/${f}`] = "0";
  files["0/contexts/0/avail_operations"] = "vaddr fvaddr paddr";
  for (const f of ["action", "tried_regions/total_bytes"]) {
    files[`0/contexts/0/schemes/0/${f}`] = "0";
  }
  for (const f of ["sz", "nr_accesses", "age"]) {
    for (const m of ["min", "max"]) files[`0/contexts/0/schemes/0/access_pattern/${f}/${m}`] = "0";
  }
  for (const [rel, text] of Object.entries(files)) {
    const p = `${k}/${rel}`;
    Deno.mkdirSync(p.slice(0, p.lastIndexOf("/")), { recursive: true });
    Deno.writeTextFileSync(p, `${text}\n`);
  }
  // memtierd writes sysfs files in place (no truncate), as the kernel wants:
  // in a plain file a shorter text leaves the end of a longer one behind.
  const read = (rel: string) => Deno.readTextFileSync(`${k}/${rel}`).split("\n")[0]!;
  return { sys, read };
}

/** Time that never comes: sleeps end only when aborted, so the tracker runs no round. */
const stillClock: Clock = {
  now: () => 0,
  wallMs: () => 0,
  sleep: (_ms, signal) =>
    new Promise((resolve) => {
      if (signal?.aborted) resolve();
      else signal?.addEventListener("abort", () => resolve(), { once: true });
    }),
};

/** A stop signal the test sends, as main.ts makes one of SIGTERM. */
function withStop(env: ReturnType<typeof testEnv>) {
  const abort = new AbortController();
  let closed = false;
  Object.assign(env, {
    clock: stillClock,
    daemonSignals: () => ({
      stop: abort.signal,
      onReload: () => {},
      close: () => void (closed = true),
    }),
  });
  return { stop: () => abort.abort(), closed: () => closed };
}

Deno.test("SIGTERM at the prompt stops the damon tracker: its kdamond off, its context removed, exit 0", async () => {
  const d = damonSystem();
  using _ = d.sys;
  const env = testEnv(d.sys);
  const sig = withStop(env);
  const lines = ["tracker -create damon -start 100"];
  // Standard input that stays open after its one line, as a terminal would.
  env.stdinLines = () =>
    Promise.resolve({
      next: (ps1: string) => {
        env.out(ps1);
        const l = lines.shift();
        return l !== undefined ? Promise.resolve(l) : new Promise<string | null>(() => {});
      },
      close() {},
    });
  const exit = runCli(["-prompt"], env);
  await until(() => env.stdout().includes("tracker started"));
  assertEquals([d.read("0/state"), d.read("0/contexts/nr_contexts")], ["on", "1"]);
  assertEquals(d.read("0/contexts/0/targets/0/pid_target"), "100");
  sig.stop();
  assertEquals(await exit, 0);
  assertEquals([d.read("0/state"), d.read("0/contexts/nr_contexts")], ["off", "0"]);
  assertOk(sig.closed(), "signal handlers removed");
});

Deno.test("SIGTERM during -c stops the damon tracker the commands started, while a command still runs", async () => {
  const d = damonSystem();
  using _ = d.sys;
  const env = testEnv(d.sys);
  const sig = withStop(env);
  // The clock never advances: the sleep lasts until the signal.
  const exit = runCli(["-c", "tracker -create damon -start 100\ntime -sleep 1000"], env);
  await until(() => env.stdout().includes("tracker started"));
  assertEquals(d.read("0/state"), "on");
  sig.stop();
  assertEquals(await exit, 0);
  assertEquals([d.read("0/state"), d.read("0/contexts/nr_contexts")], ["off", "0"]);
});
