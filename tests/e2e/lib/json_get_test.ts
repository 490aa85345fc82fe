import { assertEquals } from "../../../src/testing/assert.ts";
import { jsonGet } from "./json_get.ts";

const MOVE = {
  movedPages: 100000,
  failures: { NOT_MIGRATED: 3 },
  after: { nodes: [{ node: 0, movablePages: 5 }, { node: 2, movablePages: 100000 }] },
};

Deno.test("jsonGet() follows keys, indexes and [key=value] picks", () => {
  assertEquals(jsonGet(MOVE, "movedPages"), 100000);
  assertEquals(jsonGet(MOVE, "failures.NOT_MIGRATED"), 3);
  assertEquals(jsonGet(MOVE, "after.nodes.1.node"), 2);
  assertEquals(jsonGet(MOVE, "after.nodes[node=2].movablePages"), 100000);
});

Deno.test("jsonGet() gives undefined for what is not there", () => {
  assertEquals(jsonGet(MOVE, "failures.EBUSY"), undefined);
  assertEquals(jsonGet(MOVE, "after.nodes[node=7].movablePages"), undefined);
  assertEquals(jsonGet(MOVE, "movedPages.x"), undefined);
  assertEquals(jsonGet(null, "a"), undefined);
});
