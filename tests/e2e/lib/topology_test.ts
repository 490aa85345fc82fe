import { assertEquals, assertThrows } from "../../../src/testing/assert.ts";
import { layoutTopology, parseMemMiB, parseTopology, qemuArgs } from "./topology.ts";

const SEED = '[{"cores": 2, "mem": "4G", "nodes": 2}, {"cores":0, "mem":"2G", "nodes": 2}]';

function layout(json: string) {
  return layoutTopology(parseTopology(json));
}

Deno.test("layoutTopology() lays out the seed README's topology: 2 x 4 CPUs / 4G, 2 x 2G mem-only", () => {
  const t = layout(SEED);
  assertEquals(
    t.nodes.map((n) => [n.id, n.cpus, n.memMiB]),
    [[0, [0, 1, 2, 3], 4096], [1, [4, 5, 6, 7], 4096], [2, [], 2048], [3, [], 2048]],
  );
  assertEquals(t.cpuCount, 8);
  assertEquals(t.memMiB, 12288);
  assertEquals(t.smp, { sockets: 1, dies: 2, cores: 2, threads: 2 });
  assertEquals(t.distances, [
    [10, 11, 21, 21],
    [11, 10, 21, 21],
    [21, 21, 10, 11],
    [21, 21, 11, 10],
  ]);
});

Deno.test("qemuArgs() gives QEMU the seed topology's CPUs, memory, nodes and distances", () => {
  const args = qemuArgs(layout(SEED));
  assertEquals(args.slice(0, 6), [
    "-machine",
    "pc",
    "-smp",
    "cpus=8,sockets=1,dies=2,cores=2,threads=2",
    "-m",
    "size=12288M",
  ]);
  const numa = args.filter((_, i) => args[i - 1] === "-numa");
  assertEquals(numa.slice(0, 4), [
    "node,nodeid=0,memdev=mem0,cpus=0-3",
    "node,nodeid=1,memdev=mem1,cpus=4-7",
    "node,nodeid=2,memdev=mem2",
    "node,nodeid=3,memdev=mem3",
  ]);
  assertEquals(numa.length, 4 + 12);
  assertEquals(numa.includes("dist,src=2,dst=3,val=11"), true);
  assertEquals(numa.includes("dist,src=3,dst=0,val=21"), true);
  const objects = args.filter((_, i) => args[i - 1] === "-object");
  assertEquals(objects[2], "memory-backend-ram,id=mem2,size=2048M");
});

Deno.test("layoutTopology() makes packages x dies x nodes nodes per group (the Go n4c16)", () => {
  const t = layout('[{"mem":"2G","cores":2,"nodes":2,"packages":2}]');
  assertEquals(t.nodes.length, 4);
  assertEquals(t.cpuCount, 16);
  assertEquals(t.smp, { sockets: 2, dies: 2, cores: 2, threads: 2 });
  assertEquals(t.nodes.map((n) => n.packageId), [0, 0, 1, 1]);
  assertEquals(t.distances[0], [10, 11, 21, 21]);
});

Deno.test("layoutTopology() uses dies, threads and the dist-same-* values", () => {
  const t = layout(
    '[{"mem":"1G","cores":1,"threads":1,"dies":2,"dist-same-package":15,"dist-other-package":30}]',
  );
  assertEquals(t.nodes.map((n) => [n.dieId, n.cpus]), [[0, [0]], [1, [1]]]);
  assertEquals(t.smp, { sockets: 1, dies: 2, cores: 1, threads: 1 });
  assertEquals(t.distances, [[10, 15], [15, 10]]);
});

Deno.test("layoutTopology() applies node-dist both ways and dist-all over everything", () => {
  const nd = layout('[{"mem":"1G","cores":1,"nodes":2},{"mem":"1G","node-dist":{"0":17,"1":28}}]');
  assertEquals(nd.distances, [[10, 11, 17], [11, 10, 28], [17, 28, 10]]);
  const all = layout('[{"mem":"1G","cores":1,"nodes":2,"dist-all":[[10,40],[41,10]]}]');
  assertEquals(all.distances, [[10, 40], [41, 10]]);
});

Deno.test("layoutTopology() takes a node with CPUs and no memory", () => {
  const t = layout('[{"mem":"1G","cores":1,"threads":1},{"cores":1,"threads":1}]');
  assertEquals(t.nodes.map((n) => n.memMiB), [1024, 0]);
  const numa = qemuArgs(t).filter((a) => a.startsWith("node,"));
  assertEquals(numa, ["node,nodeid=0,memdev=mem0,cpus=0", "node,nodeid=1,cpus=1"]);
});

Deno.test("qemuArgs() falls back to a socket per CPU when the groups' CPUs are not uniform", () => {
  const t = layout('[{"mem":"1G","cores":2,"threads":1},{"mem":"1G","cores":1,"threads":1}]');
  assertEquals(t.smp, null);
  assertEquals(qemuArgs(t)[3], "cpus=3,sockets=3,dies=1,cores=1,threads=1");
});

Deno.test("parseTopology() and layoutTopology() refuse what QEMU cannot have", () => {
  assertThrows(() => parseTopology("{}"), SyntaxError, "non-empty JSON list");
  assertThrows(() => parseTopology("[1]"), SyntaxError, "expected an object");
  assertThrows(() => parseTopology("[{"), SyntaxError, "Cannot parse topology");
  assertThrows(() => parseTopology('[{"mem":"1G","cpus":2}]'), RangeError, 'key "cpus": unknown');
  assertThrows(() => parseTopology('[{"nvmem":"1G"}]'), RangeError, "no NVDIMM");
  assertThrows(() => layout('[{"mem":"1G"}]'), RangeError, "no CPUs");
  assertThrows(() => layout('[{"cores":1}]'), RangeError, "no memory");
  assertThrows(() => layout('[{"mem":"1G","cores":-1}]'), RangeError, "group 0 cores");
  assertThrows(() => layout('[{"mem":"1G","cores":1,"threads":0}]'), RangeError, "threads");
  assertThrows(
    () => layout('[{"mem":"1G","cores":1,"node-dist":{"5":20}}]'),
    RangeError,
    "no node 5",
  );
  assertThrows(
    () => layout('[{"mem":"1G","cores":1,"nodes":2,"dist-all":[[10,20]]}]'),
    RangeError,
    "2x2 matrix",
  );
  assertThrows(
    () => layout('[{"mem":"1G","cores":1,"nodes":2,"dist-all":[[10,10],[20,10]]}]'),
    RangeError,
    "itself only",
  );
});

Deno.test("parseMemMiB() reads sizes in whole MiB", () => {
  assertEquals(parseMemMiB("4G"), 4096);
  assertEquals(parseMemMiB("512M"), 512);
  assertEquals(parseMemMiB("2048k"), 2);
  assertEquals(parseMemMiB("0"), 0);
  assertEquals(parseMemMiB("1T"), 1024 * 1024);
  assertThrows(() => parseMemMiB("1.5G"), SyntaxError, "expected e.g. 4G");
  assertThrows(() => parseMemMiB("100k"), RangeError, "whole number of MiB");
});

const HMAT = JSON.stringify([
  { cores: 1, threads: 1, mem: "768M", nodes: 2, hmat: { latency: 10, bandwidth: "10G" } },
  {
    cores: 0,
    mem: "512M",
    nodes: 2,
    hmat: { latency: 100, bandwidth: "1G", "remote-latency": 100 },
  },
]);

Deno.test("qemuArgs() turns hmat into hmat=on, initiators and an hmat-lb line per initiator and target", () => {
  const args = qemuArgs(layout(HMAT));
  assertEquals(args.slice(0, 2), ["-machine", "pc,hmat=on"]);
  const numa = args.filter((_, i) => args[i - 1] === "-numa");
  assertEquals(numa.slice(0, 4), [
    "node,nodeid=0,memdev=mem0,cpus=0,initiator=0",
    "node,nodeid=1,memdev=mem1,cpus=1,initiator=1",
    "node,nodeid=2,memdev=mem2,initiator=0",
    "node,nodeid=3,memdev=mem3,initiator=0",
  ]);
  const lb = numa.filter((a) => a.startsWith("hmat-lb,"));
  // 2 initiators x 4 targets x (latency, bandwidth)
  assertEquals(lb.length, 16);
  const m = "hierarchy=memory,data-type=access";
  assertEquals(lb.slice(0, 4), [
    `hmat-lb,initiator=0,target=0,${m}-latency,latency=10`,
    `hmat-lb,initiator=0,target=0,${m}-bandwidth,bandwidth=10G`,
    `hmat-lb,initiator=0,target=1,${m}-latency,latency=20`,
    `hmat-lb,initiator=0,target=1,${m}-bandwidth,bandwidth=10G`,
  ]);
  assertEquals(lb.includes(`hmat-lb,initiator=1,target=3,${m}-latency,latency=100`), true);
  assertEquals(lb.includes(`hmat-lb,initiator=1,target=3,${m}-bandwidth,bandwidth=1G`), true);
});

Deno.test("layoutTopology() hangs a CPU-less node off its nearest CPU node, or the one hmat names", () => {
  const near = layout(
    '[{"cores":1,"mem":"1G","nodes":2,"hmat":{"latency":10,"bandwidth":"1G"}},' +
      '{"mem":"1G","node-dist":{"1":15},"hmat":{"latency":50,"bandwidth":"1G"}}]',
  );
  assertEquals(near.nodes[2]!.hmat?.initiator, 1);
  const named = layout(
    '[{"cores":1,"mem":"1G","nodes":2,"hmat":{"latency":10,"bandwidth":"1G"}},' +
      '{"mem":"1G","hmat":{"latency":50,"bandwidth":"1G","initiator":1}}]',
  );
  assertEquals(named.nodes[2]!.hmat?.initiator, 1);
});

Deno.test("layoutTopology() refuses hmat on some groups only, or with bad values", () => {
  const cpu = '{"cores":1,"mem":"1G","hmat":{"latency":10,"bandwidth":"1G"}}';
  assertThrows(() => layout(`[${cpu},{"mem":"1G"}]`), RangeError, "group 1 without hmat");
  assertThrows(
    () => layout('[{"cores":1,"mem":"1G","hmat":{"latency":0,"bandwidth":"1G"}}]'),
    RangeError,
    "hmat latency 0: expected nanoseconds",
  );
  assertThrows(
    () => layout('[{"cores":1,"mem":"1G","hmat":{"latency":5,"bandwidth":"fast"}}]'),
    RangeError,
    'hmat bandwidth "fast"',
  );
  assertThrows(
    () => layout('[{"cores":1,"mem":"1G","hmat":{"latency":5,"bandwidth":"1G","speed":1}}]'),
    RangeError,
    'hmat key "speed": unknown',
  );
  assertThrows(
    () => layout(`[${cpu},{"mem":"1G","hmat":{"latency":5,"bandwidth":"1G","initiator":1}}]`),
    RangeError,
    "hmat initiator 1: expected a node with CPUs (0)",
  );
});
