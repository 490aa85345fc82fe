import { ProcessGoneError } from "../errors.ts";
import { ProcFs } from "../procfs/proc_fs.ts";
import { SysFs } from "../sysfs/sys_fs.ts";
import type { NumaNode } from "../sysfs/sys_fs.ts";
import { assertEquals, assertThrows } from "../testing/assert.ts";
import { parseMemoryTiers, readMemoryTiers } from "./memory_tiers.ts";
import { parseNodeAccess } from "./node_access.ts";
import { nodeSpecField, parseNodeSpec, resolveNodes, resolveNodeSpec } from "./node_spec.ts";
import * as v from "valibot";
import { parseWithSchema } from "../config/schema.ts";
import { ConfigError } from "../config/config_error.ts";
import { renderTiers, tiersJson } from "./render.ts";
import { readTierTopology, tiersFromDistances, type TierTopology } from "./tier_topology.ts";

const hmat4 = new URL("../../tests/fixtures/sys-hmat4", import.meta.url).pathname;
const oneNode = new URL("../../tests/fixtures/sys-1node", import.meta.url).pathname;

Deno.test("readTierTopology() reads the kernel's two HMAT tiers fastest first, with latency and bandwidth", () => {
  const t = readTierTopology(new SysFs({ root: hmat4 }));
  assertEquals(t.source, "kernel");
  assertEquals(t.tiers, [{ id: 4, nodes: [0, 1] }, { id: 450, nodes: [2, 3] }]);
  const n2 = t.nodes.find((n) => n.id === 2)!;
  assertEquals(n2.cpus, []);
  assertEquals(n2.memTotalBytes, 515924 * 1024);
  assertEquals(n2.memFreeBytes, 509460 * 1024);
  assertEquals(n2.access, {
    initiators: [0],
    readLatencyNs: 100,
    writeLatencyNs: 100,
    readBandwidthMBps: 1024,
    writeBandwidthMBps: 1024,
  });
  assertEquals(t.nodes.find((n) => n.id === 1)!.access?.readLatencyNs, 10);
});

Deno.test("renderTiers() prints a line per node, tier ids on each tier's first node", () => {
  const text = renderTiers(readTierTopology(new SysFs({ root: hmat4 })));
  assertEquals(
    text,
    "2 memory tiers from the kernel (memory_tierN: a larger N is slower), fastest first:\n" +
      "tier  node  cpus  free / total MB  latency r/w ns  bandwidth r/w MB/s  initiators\n" +
      "   4     0  0       610.0 / 754.6           10/10         10240/10240  0\n" +
      "         1  1       584.3 / 718.3           10/10         10240/10240  1\n" +
      " 450     2  -       497.5 / 503.8         100/100           1024/1024  0\n" +
      "         3  -       486.7 / 501.7         100/100           1024/1024  0\n",
  );
});

Deno.test("readTierTopology() without memory_tiering guesses from distances and says so in one line", () => {
  const t = readTierTopology(new SysFs({ root: oneNode }));
  assertEquals(t.source, "distances");
  assertEquals(t.tiers, [{ id: 0, nodes: [0] }]);
  const first = renderTiers(t).split("\n")[0]!;
  assertEquals(
    first,
    `no memory tiers in ${oneNode}/devices/virtual/memory_tiering: tiers guessed from node ` +
      "distances (CPU-less nodes slower); fastest first:",
  );
  assertEquals(readMemoryTiers(oneNode), null);
});

function node(id: number, cpus: number[], distances: number[], hasMemory = true): NumaNode {
  return { id, online: true, hasMemory, cpus, memTotalBytes: 0, memFreeBytes: 0, distances };
}

Deno.test("tiersFromDistances() puts CPU nodes first, then CPU-less nodes by distance, memory-less nowhere", () => {
  assertEquals(
    tiersFromDistances([
      node(0, [0, 1], [10, 21, 30, 17, 21]),
      node(1, [2, 3], [21, 10, 30, 17, 21]),
      node(2, [], [30, 30, 10, 30, 30]),
      node(3, [], [17, 17, 30, 10, 30]),
      node(4, [4], [21, 21, 30, 30, 10], false),
    ]),
    [{ id: 0, nodes: [0, 1] }, { id: 1, nodes: [3] }, { id: 2, nodes: [2] }],
  );
});

Deno.test("parseMemoryTiers() sorts by tier id, drops empty tiers and names a bad nodelist", () => {
  assertEquals(parseMemoryTiers([[450, "2-3\n"], [4, "0-1\n"], [100, "\n"]]), [
    { id: 4, nodes: [0, 1] },
    { id: 450, nodes: [2, 3] },
  ]);
  assertThrows(
    () => parseMemoryTiers([[4, "zero"]]),
    SyntaxError,
    'Cannot parse memory_tier4/nodelist: "zero"',
  );
});

Deno.test("parseNodeAccess() leaves out values the kernel reports as 0 and refuses non-numbers", () => {
  assertEquals(
    parseNodeAccess(
      ["node1", "node0", "read_latency"],
      new Map([["read_latency", "0\n"], ["read_bandwidth", "2048\n"]]),
    ),
    { initiators: [0, 1], readBandwidthMBps: 2048 },
  );
  assertThrows(
    () => parseNodeAccess([], new Map([["write_latency", "fast"]]), "node2/access0/initiators"),
    SyntaxError,
    'Cannot parse node2/access0/initiators/write_latency: "fast"',
  );
});

Deno.test("tiersJson() gives each tier its nodes with CPUs, memory and access", () => {
  const j = tiersJson(readTierTopology(new SysFs({ root: hmat4 }))) as {
    source: string;
    tiers: { id: number; nodes: { node: number; cpus: number[] }[] }[];
    noTier: unknown[];
  };
  assertEquals(j.source, "kernel");
  assertEquals(j.tiers.map((t) => [t.id, t.nodes.map((n) => n.node)]), [[4, [0, 1]], [450, [
    2,
    3,
  ]]]);
  assertEquals(j.tiers[0]!.nodes[1]!.cpus, [1]);
  assertEquals(j.noTier, []);
});

// --- node specs

Deno.test("parseNodeSpec() takes node numbers, ranges and tier words, alone or in lists", () => {
  assertEquals(parseNodeSpec([3, 2], "IdleNumas"), { nodes: [2, 3], words: [] });
  assertEquals(parseNodeSpec("2-3", "IdleNumas"), { nodes: [2, 3], words: [] });
  assertEquals(parseNodeSpec(["Slower", 1], "IdleNumas"), {
    nodes: [1],
    words: [{ kind: "slower" }],
  });
  assertEquals(parseNodeSpec("local, tier:450", "ActiveNumas"), {
    nodes: [],
    words: [{ kind: "local" }, { kind: "tier", id: 450 }],
  });
  assertEquals(parseNodeSpec([], "IdleNumas"), { nodes: [], words: [] });
});

Deno.test("parseNodeSpec() names the key and what is accepted for a bad item", () => {
  const accepted = "expected node numbers (2, 2-3) or tier words " +
    "(fastest, slowest, local, slower, faster, tier:N)";
  assertThrows(
    () => parseNodeSpec("slowr", "IdleNumas"),
    SyntaxError,
    `Cannot use IdleNumas "slowr": ${accepted}`,
  );
  assertThrows(() => parseNodeSpec([-1], "IdleNumas"), SyntaxError, "Cannot use IdleNumas -1");
  assertThrows(() => parseNodeSpec("tier:", "X"), SyntaxError, 'Cannot use X "tier:"');
  assertThrows(() => parseNodeSpec("3-1", "X"), SyntaxError, 'Cannot use X "3-1"');
  assertThrows(() => parseNodeSpec("1024", "X"), SyntaxError, 'Cannot use X "1024"');
  // 1e20 + 1 is 1e20: expanding such a "range" would never end.
  assertThrows(
    () => parseNodeSpec("99999999999999999999", "X"),
    SyntaxError,
    'Cannot use X "99999999999999999999"',
  );
  assertThrows(() => parseNodeSpec("", "X"), SyntaxError, 'Cannot use X ""');
  assertThrows(() => parseNodeSpec(true, "X"), SyntaxError, "Cannot use X true");
});

/** Three tiers: DRAM 0-1 (CPUs 0, 1), CXL 2-3, far memory 4; node 5 has a CPU and no memory. */
const THREE: TierTopology = {
  source: "kernel",
  tiers: [{ id: 4, nodes: [0, 1] }, { id: 8, nodes: [2, 3] }, { id: 450, nodes: [4] }],
  nodes: [
    node(0, [0], []),
    node(1, [1], []),
    node(2, [], []),
    node(3, [], []),
    node(4, [], []),
    node(5, [5], [], false),
  ],
};

function resolve(text: string, memsAllowed: number[], cpusAllowed?: number[]): number[] {
  return resolveNodeSpec(
    parseNodeSpec(text, "X"),
    cpusAllowed ? { memsAllowed, cpusAllowed } : { memsAllowed },
    THREE,
  );
}

Deno.test("resolveNodeSpec(): fastest and slowest are the outer tiers the process may use", () => {
  assertEquals(resolve("fastest", [0, 1, 2, 3, 4]), [0, 1]);
  assertEquals(resolve("slowest", [0, 1, 2, 3, 4]), [4]);
  assertEquals(resolve("slowest", [0, 1, 3]), [3]);
  assertEquals(resolve("fastest", [1, 2]), [1]);
  assertEquals(resolve("fastest", [3, 4]), [3]);
});

Deno.test("resolveNodeSpec(): slower and faster step from the tier of the process's CPUs", () => {
  assertEquals(resolve("slower", [0, 1, 2, 3, 4]), [2, 3]);
  // The CXL tier is out of its cpuset: the next slower one it may use.
  assertEquals(resolve("slower", [0, 1, 4]), [4]);
  assertEquals(resolve("slower", [0, 1]), []);
  assertEquals(resolve("faster", [0, 1, 2, 3, 4]), []);
  // CPUs on node 5 only (no memory, no tier): home is the fastest tier.
  assertEquals(resolve("slower", [0, 1, 2, 3, 4], [5]), [2, 3]);
});

Deno.test("resolveNodeSpec(): local is the memory of the process's CPUs' nodes; tier:N one tier", () => {
  assertEquals(resolve("local", [0, 1, 2], [1]), [1]);
  assertEquals(resolve("local", [0, 2], [1]), []);
  assertEquals(resolve("local", [0, 1, 2]), [0, 1]);
  assertEquals(resolve("tier:8", [0, 1, 3]), [3]);
  assertEquals(resolve("tier:9", [0, 1, 2, 3, 4]), []);
  // Numbers stay as given, whatever the cpuset.
  assertEquals(resolve("local,4", [0, 1], [0]), [0, 4]);
});

Deno.test("resolveNodes() reads Mems_allowed_list and Cpus_allowed_list of the process", () => {
  const dir = Deno.makeTempDirSync({ prefix: "memtierd-tiers-" });
  try {
    Deno.mkdirSync(`${dir}/77`);
    Deno.writeTextFileSync(
      `${dir}/77/status`,
      "Name:\tmeme\nCpus_allowed_list:\t1\nMems_allowed_list:\t0-2\n",
    );
    const deps = { procfs: new ProcFs({ root: dir }), sysfs: new SysFs({ root: hmat4 }) };
    assertEquals(resolveNodes(parseNodeSpec("slower", "IdleNumas"), 77, deps), [2]);
    assertEquals(resolveNodes(parseNodeSpec("local", "ActiveNumas"), 77, deps), [1]);
    assertEquals(resolveNodes(parseNodeSpec([2, 3], "IdleNumas"), 78, deps), [2, 3]);
    assertThrows(() => resolveNodes(parseNodeSpec("slower", "X"), 78, deps), ProcessGoneError);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("nodeSpecField() in a config schema takes numbers or tier words and names the key otherwise", () => {
  const schema = v.strictObject({ IdleNumas: v.optional(nodeSpecField(), []) });
  assertEquals(parseWithSchema(schema, "idlenumas: slower", "age").IdleNumas, {
    nodes: [],
    words: [{ kind: "slower" }],
  });
  assertEquals(parseWithSchema(schema, "IdleNumas: [2, 3]", "age").IdleNumas, {
    nodes: [2, 3],
    words: [],
  });
  assertEquals(parseWithSchema(schema, "{}", "age").IdleNumas, { nodes: [], words: [] });
  assertThrows(
    () => parseWithSchema(schema, "IdleNumas: [slow]", "age"),
    ConfigError,
    "age: IdleNumas: must be node numbers (2, 2-3) or tier words (fastest, slowest, local, " +
      "slower, faster, tier:N), or a list of them",
  );
});
