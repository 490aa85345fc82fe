import { assertEquals, assertOk } from "../../testing/assert.ts";
import { harness, PID } from "../_harness.ts";
import { builtinCommands } from "./mod.ts";
import { freshPromptRunner } from "./routines.ts";

Deno.test("policy -ls lists the policies; -create stub keeps the prompt's own mover", async () => {
  using h = harness();
  const mover = h.session.components.mover;
  assertEquals(await h.run("policy -ls"), "age\navoid-oom\ndemote-idle\nheat\nratio\nstub\n");
  assertEquals(await h.run("policy -create stub -config-dump"), "policy created\n{}\n");
  assertOk(h.session.components.mover === mover, "the stub has no mover: the prompt keeps its own");
  assertEquals(await h.run("mover -config-dump"), '{"IntervalMs":10,"Bandwidth":100}\n');
  assertEquals(await h.run("policy -start -dump", "policy -stop"), "\n\npolicy stopped\n");
});

Deno.test("policy errors say what exists, with Go's words", async () => {
  using h = harness();
  assertEquals(
    await h.run("policy -start"),
    "memtierd: policy: no policy, create one with -create NAME\n",
  );
  assertEquals(
    await h.run("policy -create nope"),
    'memtierd: policy: unknown policy "nope" (available: age, avoid-oom, demote-idle, heat, ratio, stub)\n',
  );
  assertEquals(
    await h.run("policy -create stub -config '{\"x\":1}'"),
    "policy created\nmemtierd: policy: config failed: x: unknown key (no keys are accepted here)\n",
  );
  assertEquals(h.prompt.firstErrorCode, 2);
});

Deno.test("routines: create, configure, select, start, dump and stop, with Go's messages", async () => {
  using h = harness();
  assertEquals(await h.run("routines -ls"), "statactions\nstub\n");
  assertEquals(
    await h.run("routines -dump"),
    "memtierd: routines: no routines, create one with -create NAME\n",
  );
  assertEquals(
    await h.run("routines -create statactions -start"),
    "routine 0 created, started using it\n" +
      "memtierd: routines: start failed: cannot start without configuration\n",
  );
  assertEquals(
    await h.run(`routines -config '{"intervalms":0,"intervalcommand":["x"]}'`),
    "memtierd: routines: config failed: intervalms: must be a whole number from 1 to 3600000 (got 0)\n",
  );
  assertEquals(
    await h.run(`routines -config '{"IntervalMs":50,"IntervalCommand":["/nonexistent/nop"]}'`),
    'memtierd: routines: config failed: IntervalCommand: cannot run "/nonexistent/nop": no such file\n',
  );
  assertEquals(
    await h.run(`routines -config '{"IntervalMs":50,"IntervalCommand":["true"]}' -config-dump`),
    '{"IntervalMs":50,"IntervalCommand":["true"],"IntervalCommandRunner":"","PageOutMB":0,' +
      '"PageOutCommand":[],"PageOutCommandRunner":"","Timestamp":"","TimestampAfter":""}\n',
  );
  assertEquals(await h.run("routines -create stub"), "routine 1 created, started using it\n");
  assertEquals(
    await h.run("routines -use 2"),
    "memtierd: routines: invalid routine 2, the last one is 1\n",
  );
  assertEquals(
    await h.run("routines -use 0 -start -dump -stop"),
    // As in Go, -stop runs before -dump.
    'routine 0 stopped\nroutine "statactions": running=false\n\n',
  );
  assertEquals(await h.run("routines -use 1 -dump"), "\n\n");
});

Deno.test("a statactions routine's memtier command acts on the policy it runs beside: policy -dump accessed prints its table", async () => {
  using h = harness();
  await h.run(
    `policy -create age -config '{"PidWatcher":{"name":"pidlist","config":{"Pids":[${PID}]}},` +
      `"Tracker":{"name":"softdirty","config":{"PagesInRegion":512,"ScanIntervalMs":1000}},` +
      `"IntervalMs":1000}' -start`,
  );
  await h.run(
    `routines -create statactions -config '{"IntervalMs":3000,` +
      `"IntervalCommand":["policy","-dump","accessed","0,1m,30m"],"IntervalCommandRunner":"memtier"}' -start`,
  );
  // The routine's first run is one IntervalMs after its start.
  for (let i = 0; i < 10 && !h.out().includes("table:"); i++) await h.clock.sleep(500);
  await h.run("routines -stop", "policy -stop");
  const out = h.out();
  assertEquals(
    out.slice(out.indexOf("table:")).split("\n"),
    [
      "table: time since last access",
      "     pid lastaccs>=[s] lastaccs<[s]    pages   mem[G] pidmem[%]",
      "     500         0.000       60.000     1040    0.004    100.00",
      "     500        60.000     1800.000        0    0.000      0.00",
      "",
      "routine 0 stopped",
      "policy stopped",
      "",
    ],
    h.err(),
  );
});

Deno.test("a routine's prompt runner gives the command's error line back, not to the error stream", async () => {
  using h = harness();
  let out = "";
  let err = "";
  const runner = freshPromptRunner(
    h.session.opts,
    builtinCommands(),
    { out: (t) => (out += t), err: (t) => (err += t) },
    h.session.components.mover,
  );
  assertEquals(await runner.runArgs(["stats", "-t", "nosuchtable"], null), {
    code: 2,
    error: 'stats: Invalid -t "nosuchtable": expected events, process_madvise, move_pages, ' +
      "move_pages_errors, memory_scans, mover_dropped_tasks or policy_decisions",
  });
  assertEquals(await runner.runLine("nop", null), { code: 0, error: "" });
  assertEquals(err, "");
  assertEquals(out, "");
});
