import { assertEquals, assertOk } from "../../testing/assert.ts";
import { harness } from "../_harness.ts";

Deno.test("policy -ls lists the policies; -create stub keeps the prompt's own mover", async () => {
  using h = harness();
  const mover = h.session.components.mover;
  assertEquals(await h.run("policy -ls"), "age\nheat\nratio\nstub\n");
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
    await h.run("policy -create avoid-oom"),
    'memtierd: policy: policy "avoid-oom" is not available in this version of memtierd (available: age, heat, ratio, stub)\n',
  );
  assertEquals(
    await h.run("policy -create nope"),
    'memtierd: policy: unknown policy "nope" (available: age, heat, ratio, stub)\n',
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
    await h.run(`routines -config '{"IntervalMs":50,"IntervalCommand":["nop"]}' -config-dump`),
    '{"IntervalMs":50,"IntervalCommand":["nop"],"IntervalCommandRunner":"","PageOutMB":0,' +
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
