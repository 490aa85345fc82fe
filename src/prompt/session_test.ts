import type { Policy } from "../policies/policy.ts";
import type { Routine } from "../routines/routine.ts";
import { assertEquals, assertIncludes } from "../testing/assert.ts";
import { harness } from "./_harness.ts";

function fakeRoutine(name: string, stopped: string[], fails = false): Routine {
  return {
    setPolicy() {},
    start() {},
    stop() {
      stopped.push(name);
      return fails ? Promise.reject(new Error("stuck")) : Promise.resolve();
    },
    dump: () => "",
    configJson: () => "{}",
  };
}

function fakePolicy(stopped: string[]): Policy {
  return {
    start() {},
    stop() {
      stopped.push("policy");
      return Promise.resolve();
    },
    dump: () => "",
    configJson: () => "{}",
    mover: () => null,
    tracker: () => null,
    pidWatcher: () => null,
  };
}

Deno.test("Session.close() stops running routines, then the policy, then the mover, past a failing stop", async () => {
  using h = harness();
  const stopped: string[] = [];
  const c = h.session.components;
  const slot = <T>(name: string, instance: T) => ({ name, config: {}, instance, running: true });
  c.routines.push(
    slot("statactions", fakeRoutine("r0", stopped, true)),
    slot("statactions", fakeRoutine("r1", stopped)),
    { ...slot("statactions", fakeRoutine("r2", stopped)), running: false },
  );
  c.policy = slot("stub", fakePolicy(stopped));
  c.mover.start();
  assertEquals(c.mover.status, "Paused");
  await h.session.close();
  assertEquals(stopped, ["r0", "r1", "policy"]);
  assertEquals(c.mover.status, "NotRunning");
  assertIncludes(h.log(), "ERROR: Cannot stop routine 0: stuck");
});
