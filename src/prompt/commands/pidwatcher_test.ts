import { assertEquals } from "../../testing/assert.ts";
import { harness } from "../_harness.ts";

Deno.test("pidwatcher -ls lists the pidwatchers; without one it says how to create one", async () => {
  using h = harness();
  assertEquals(await h.run("pidwatcher -ls"), "cgroups\nfilter\npidlist\nproc\nstub\n");
  assertEquals(
    await h.run("pidwatcher -poll"),
    "memtierd: pidwatcher: no pidwatcher, create one with -create NAME [-config CONFIG]\n",
  );
  assertEquals(h.prompt.firstErrorCode, 2);
});

Deno.test("pidwatcher -listener log prints AddPids and RemovePids as processes come and go", async () => {
  using h = harness();
  assertEquals(
    await h.run("pidwatcher -create proc -listener log -poll"),
    "pidwatcher created\npidwatcher: AddPids([500])\n",
  );
  h.kernel.addProcess(501, "meme", []);
  h.kernel.addProcess(502, "meme", []);
  h.sys.sync();
  assertEquals(await h.run("pidwatcher -poll"), "pidwatcher: AddPids([501 502])\n");
  h.kernel.processes.get(500)!.exited = true;
  h.kernel.processes.get(502)!.exited = true;
  h.sys.sync();
  assertEquals(
    await h.run("pidwatcher -poll", "pidwatcher -poll"),
    "pidwatcher: RemovePids([500 502])\n",
  );
  assertEquals(await h.run("pidwatcher -config-dump"), '{"IntervalMs":5000}\n');
  assertEquals(h.prompt.firstErrorCode, 0);
});

Deno.test("pidwatcher -create filter waits for -config; -config-file takes YAML", async () => {
  using h = harness();
  h.kernel.addProcess(501, "bash", []);
  h.sys.sync();
  assertEquals(
    await h.run("pidwatcher -create filter -poll"),
    "pidwatcher created\n" +
      "memtierd: pidwatcher: pidwatcher filter is not configured (filter: Source: missing: this key is required): give it -config JSON\n",
  );
  const file = Deno.makeTempFileSync({ suffix: ".yaml" });
  try {
    Deno.writeTextFileSync(
      file,
      "source:\n  name: proc\n  config: |\n    intervalms: 100\nfilters:\n  - procexeregexp: /meme$\n",
    );
    assertEquals(
      await h.run(`pidwatcher -config-file ${file} -listener log -poll -config-dump`),
      `pidwatcher configured successfully from "${file}"\n` +
        '{"Source":{"name":"proc","config":{"IntervalMs":100}},"Filters":[{"ProcExeRegexp":"/meme$"}]}\n' +
        "pidwatcher: AddPids([500])\n",
    );
  } finally {
    Deno.removeSync(file);
  }
});

Deno.test("pidwatcher config errors and a tracker listener are one line each, exit 2", async () => {
  using h = harness();
  assertEquals(
    await h.run(
      "pidwatcher -create cgroups -config '{\"IntervalMs\": 0}'",
      "pidwatcher -create nosuch",
      "pidwatcher -create stub -listener tracker",
      "pidwatcher -config-file /nonexistent.yaml",
    ),
    "pidwatcher created\n" +
      "memtierd: pidwatcher: cgroups: IntervalMs: must be a whole number from 1 to 3600000 (got 0)\n" +
      'memtierd: pidwatcher: creating pidwatcher failed: invalid pidwatcher name "nosuch" (accepted: cgroups, filter, pidlist, proc, stub)\n' +
      "memtierd: pidwatcher: -listener tracker: no tracker, create one with tracker -create NAME\n" +
      "memtierd: pidwatcher: reading file \"/nonexistent.yaml\" failed: No such file or directory (os error 2): open '/nonexistent.yaml'\n",
  );
  assertEquals(h.prompt.firstErrorCode, 2);
});

Deno.test("pidwatcher -start on a pidlist reports its pids; -dump shows what it holds; -stop closes pidfds", async () => {
  using h = harness();
  await h.run("pidwatcher -create pidlist -config pids:\\ [500] -listener log");
  assertEquals(await h.run("pidwatcher -start"), "pidwatcher: AddPids([500])\n");
  assertEquals(
    await h.run("pidwatcher -dump"),
    "pidwatcher pidlist: listener: set\n" +
      'config: {"Pids":[500]}\n' +
      "reported pids: 1\n" +
      "  pid 500: running, start 100 ticks, pidfd 100\n\n",
  );
  await h.run("pidwatcher -stop");
  assertEquals(h.kernel.openPidfds, 0);
});

Deno.test("pidwatcher -dump acts on a policy's pidwatcher; changing its config or listener is refused", async () => {
  using h = harness();
  const config = JSON.stringify({
    PidWatcher: { name: "pidlist", config: { Pids: [500] } },
    Tracker: { name: "softdirty" },
    IdleDurationMs: 10000,
    IdleNumas: [1],
  });
  await h.run(`policy -create age -config '${config}' -start`);
  assertEquals(
    (await h.run("pidwatcher -dump")).split("\n").slice(0, 4),
    [
      "pidwatcher pidlist: listener: set",
      'config: {"Pids":[500]}',
      "reported pids: 1",
      "  pid 500: running, start 100 ticks, pidfd 100",
    ],
  );
  const refused =
    "memtierd: pidwatcher: this is the policy's pidwatcher: change it in the policy's " +
    "config, or -create one of the prompt's own\n";
  assertEquals(await h.run("pidwatcher -config '{\"Pids\":[1]}'"), refused);
  assertEquals(await h.run("pidwatcher -listener log"), refused);
  await h.run("policy -stop");
  await h.run("policy -create stub");
  assertEquals(
    await h.run("pidwatcher -dump"),
    "memtierd: pidwatcher: no pidwatcher, create one with -create NAME [-config CONFIG]\n",
  );
});
