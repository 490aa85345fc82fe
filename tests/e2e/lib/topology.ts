/**
 * NUMA topology JSON -> QEMU options, with the Go memtierd e2e framework's
 * semantics (its `topology2qemuopts.py`).
 *
 * A topology is a list of groups. Each group makes
 * `packages` x `dies` x `nodes` NUMA nodes, numbered in that order after the
 * nodes of the groups before it; every node gets `cores` cores of `threads`
 * threads and `mem` memory:
 *
 *   [{"cores": 2, "mem": "4G", "nodes": 2}, {"cores": 0, "mem": "2G", "nodes": 2}]
 *     node 0: cpus 0-3, 4G    node 1: cpus 4-7, 4G    (package 0, die 0)
 *     node 2: no cpus, 2G     node 3: no cpus, 2G     (package 1, die 0)
 *
 * Keys (defaults): `mem` ("0": a node without memory), `cores` (0: a node
 * without CPUs), `threads` (2), `nodes` (1), `dies` (1), `packages` (1),
 * `dist-same-die` (11), `dist-same-package` (21), `dist-other-package` (21),
 * `node-dist` ({"NODE": DIST}: distance between each node of this group and
 * NODE, both ways), `dist-all` (the whole distance matrix, overriding all).
 * A group without CPUs gets packages of its own, so its nodes are at
 * `dist-other-package` from every other group's nodes. A node's distance to
 * itself is 10. Distances between two groups' nodes use the first node's group.
 *
 * `hmat` ({"latency": NS, "bandwidth": "10G", "remote-latency": NS,
 * "remote-bandwidth": "5G", "initiator": NODE}) gives the group's nodes
 * ACPI HMAT performance data, from which Linux forms memory tiers
 * (/sys/devices/virtual/memory_tiering): QEMU gets `-machine pc,hmat=on`, an
 * `initiator=` on every node (a node with CPUs is its own; a CPU-less node
 * hangs off `initiator`, default the nearest node with CPUs, lowest id on a
 * tie) and an `hmat-lb` latency and bandwidth for every initiator and every
 * node with memory: `latency` and `bandwidth` (bytes per second, QEMU's
 * suffixes) from the node's own initiator, `remote-latency` (default twice
 * `latency`) and `remote-bandwidth` (default `bandwidth`) from the others.
 * Either every group has `hmat` or none.
 *
 * @module
 */
import { formatIdList } from "../../../src/sysfs/id_list.ts";

/** One group of the topology JSON, as written. */
export interface TopologyGroup {
  mem?: string;
  cores?: number;
  threads?: number;
  nodes?: number;
  dies?: number;
  packages?: number;
  "node-dist"?: Record<string, number>;
  "dist-all"?: number[][];
  "dist-same-die"?: number;
  "dist-same-package"?: number;
  "dist-other-package"?: number;
  hmat?: HmatGroup;
}

/** A group's HMAT performance data, as written. */
export interface HmatGroup {
  latency: number;
  bandwidth: string;
  "remote-latency"?: number;
  "remote-bandwidth"?: string;
  initiator?: number;
}

/** A node's HMAT data, resolved. */
export interface VmNodeHmat {
  /** The node whose CPUs are nearest (itself when it has CPUs). */
  initiator: number;
  latencyNs: number;
  bandwidth: string;
  remoteLatencyNs: number;
  remoteBandwidth: string;
}

/** One NUMA node of the laid-out topology. */
export interface VmNode {
  id: number;
  memMiB: number;
  /** CPU indexes, ascending. */
  cpus: number[];
  /** Package (socket) index; CPU-less groups get their own packages. */
  packageId: number;
  /** Die index, unique across packages. */
  dieId: number;
  /** HMAT data, when the topology has it. */
  hmat?: VmNodeHmat;
}

/** A topology laid out into nodes, CPUs and distances. */
export interface VmTopology {
  nodes: VmNode[];
  cpuCount: number;
  memMiB: number;
  /** QEMU's -smp topology (a die per node) when it is uniform, else null (a socket per CPU). */
  smp: { sockets: number; dies: number; cores: number; threads: number } | null;
  /** distances[from][to] */
  distances: number[][];
}

const KNOWN_KEYS = new Set([
  "mem",
  "cores",
  "threads",
  "nodes",
  "dies",
  "packages",
  "node-dist",
  "dist-all",
  "dist-same-die",
  "dist-same-package",
  "dist-other-package",
  "hmat",
]);

const UNSUPPORTED_KEYS: Record<string, string> = {
  nvmem: "this framework has no NVDIMM support: use a CPU-less group (cores 0) instead",
  dimm: "this framework has no memory hotplug: give the memory to the node with mem",
};

/** Parses a size like 4G, 512M, 1024k or 0 into MiB (whole MiB only). */
export function parseMemMiB(text: string): number {
  const m = /^\s*(\d+)\s*([kKmMgGtT]?)[bB]?\s*$/.exec(text);
  if (!m) throw new SyntaxError(`Cannot parse mem ${JSON.stringify(text)}: expected e.g. 4G, 512M`);
  const n = Number(m[1]);
  const unit = (m[2] ?? "").toUpperCase();
  const kib = unit === "K"
    ? n
    : unit === "M"
    ? n * 1024
    : unit === "G"
    ? n * 1024 ** 2
    : unit === "T"
    ? n * 1024 ** 3
    : n / 1024;
  if (!Number.isInteger(kib / 1024)) {
    throw new RangeError(`Cannot use mem ${JSON.stringify(text)}: not a whole number of MiB`);
  }
  return kib / 1024;
}

function wholeNumber(group: number, key: string, value: unknown, min: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
    throw new RangeError(
      `Cannot use group ${group} ${key} ${JSON.stringify(value)}: expected an integer >= ${min}`,
    );
  }
  return value;
}

/** Parses and checks the topology JSON text; throws SyntaxError or RangeError. */
export function parseTopology(text: string): TopologyGroup[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new SyntaxError(`Cannot parse topology: ${(e as Error).message}`);
  }
  if (!Array.isArray(value) || value.length === 0) {
    throw new SyntaxError("Cannot parse topology: expected a non-empty JSON list of groups");
  }
  return value.map((g, i) => {
    if (typeof g !== "object" || g === null || Array.isArray(g)) {
      throw new SyntaxError(`Cannot parse topology group ${i}: expected an object`);
    }
    for (const key of Object.keys(g)) {
      const why = UNSUPPORTED_KEYS[key];
      if (why) throw new RangeError(`Cannot use group ${i} key "${key}": ${why}`);
      if (!KNOWN_KEYS.has(key)) {
        throw new RangeError(
          `Cannot use group ${i} key "${key}": unknown (known: ${[...KNOWN_KEYS].join(", ")})`,
        );
      }
    }
    return g as TopologyGroup;
  });
}

/** Lays the groups out into nodes, CPUs and distances. */
export function layoutTopology(groups: readonly TopologyGroup[]): VmTopology {
  const nodes: VmNode[] = [];
  const groupOf: TopologyGroup[] = [];
  let cpu = 0;
  let packageCount = 0;
  let dieCount = 0;
  const cpuGroups: { threads: number; diesPerPackage: number; cores: number }[] = [];
  groups.forEach((g, gi) => {
    const cores = wholeNumber(gi, "cores", g.cores ?? 0, 0);
    const threads = wholeNumber(gi, "threads", g.threads ?? 2, 1);
    const nodesPerDie = wholeNumber(gi, "nodes", g.nodes ?? 1, 1);
    const dies = wholeNumber(gi, "dies", g.dies ?? 1, 1);
    const packages = wholeNumber(gi, "packages", g.packages ?? 1, 1);
    const memMiB = parseMemMiB(g.mem ?? "0");
    if (cores > 0) cpuGroups.push({ threads, diesPerPackage: dies * nodesPerDie, cores });
    for (let p = 0; p < packages; p++) {
      const packageId = packageCount++;
      for (let d = 0; d < dies; d++) {
        const dieId = dieCount++;
        for (let n = 0; n < nodesPerDie; n++) {
          const cpus: number[] = [];
          for (let c = 0; c < cores * threads; c++) cpus.push(cpu++);
          nodes.push({ id: nodes.length, memMiB, cpus, packageId, dieId });
          groupOf.push(g);
        }
      }
    }
  });
  if (cpu === 0) throw new RangeError("Cannot use topology: no CPUs (give a group cores >= 1)");
  const memMiB = nodes.reduce((sum, n) => sum + n.memMiB, 0);
  if (memMiB === 0) throw new RangeError("Cannot use topology: no memory (give a group mem)");

  // QEMU's x86 CPUs share their last-level cache per die, and Linux wants
  // cache siblings on one node: so each node's CPUs are a QEMU die of their own.
  const first = cpuGroups[0]!;
  const uniform = cpuGroups.every((g) =>
    g.threads === first.threads && g.diesPerPackage === first.diesPerPackage &&
    g.cores === first.cores
  );
  const sockets = new Set(nodes.filter((n) => n.cpus.length > 0).map((n) => n.packageId)).size;
  const smp = uniform
    ? { sockets, dies: first.diesPerPackage, cores: first.cores, threads: first.threads }
    : null;

  const count = nodes.length;
  const distances = nodes.map((a, i) =>
    nodes.map((b, j) => {
      if (i === j) return 10;
      const g = groupOf[i]!;
      if (a.dieId === b.dieId) return g["dist-same-die"] ?? 11;
      if (a.packageId === b.packageId) return g["dist-same-package"] ?? 21;
      return g["dist-other-package"] ?? 21;
    })
  );
  groups.forEach((g, gi) => {
    for (const [key, dist] of Object.entries(g["node-dist"] ?? {})) {
      const other = Number(key);
      if (!Number.isInteger(other) || other < 0 || other >= count) {
        throw new RangeError(
          `Cannot use group ${gi} node-dist: no node ${key} (nodes 0-${count - 1})`,
        );
      }
      checkDistance(gi, dist);
      nodes.forEach((n, i) => {
        if (groupOf[i] !== g || i === other) return;
        distances[n.id]![other] = dist;
        distances[other]![n.id] = dist;
      });
    }
  });
  groups.forEach((g, gi) => {
    const all = g["dist-all"];
    if (all === undefined) return;
    if (!Array.isArray(all) || all.length !== count || all.some((r) => r.length !== count)) {
      throw new RangeError(`Cannot use group ${gi} dist-all: expected a ${count}x${count} matrix`);
    }
    all.forEach((row, i) =>
      row.forEach((dist, j) => {
        checkDistance(gi, dist);
        if ((i === j) !== (dist === 10)) {
          throw new RangeError(
            `Cannot use group ${gi} dist-all[${i}][${j}] ${dist}: 10 is the distance of a node to itself only`,
          );
        }
        distances[i]![j] = dist;
      })
    );
  });
  layoutHmat(groups, nodes, groupOf, distances);
  return { nodes, cpuCount: cpu, memMiB, smp, distances };
}

const HMAT_KEYS = new Set([
  "latency",
  "bandwidth",
  "remote-latency",
  "remote-bandwidth",
  "initiator",
]);

function hmatLatency(group: number, key: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > 1_000_000) {
    throw new RangeError(
      `Cannot use group ${group} hmat ${key} ${
        JSON.stringify(value)
      }: expected nanoseconds, an integer 1-1000000`,
    );
  }
  return value;
}

function hmatBandwidth(group: number, key: string, value: unknown): string {
  if (typeof value !== "string" || !/^[1-9]\d*[KMGT]?$/.test(value)) {
    throw new RangeError(
      `Cannot use group ${group} hmat ${key} ${
        JSON.stringify(value)
      }: expected bytes per second like "10G" or "500M"`,
    );
  }
  return value;
}

/** Resolves every node's HMAT data (in place), or none when no group has `hmat`. */
function layoutHmat(
  groups: readonly TopologyGroup[],
  nodes: VmNode[],
  groupOf: readonly TopologyGroup[],
  distances: readonly number[][],
): void {
  const withHmat = groups.filter((g) => g.hmat !== undefined).length;
  if (withHmat === 0) return;
  if (withHmat !== groups.length) {
    const gi = groups.findIndex((g) => g.hmat === undefined);
    throw new RangeError(
      `Cannot use group ${gi} without hmat: give every group hmat latency and bandwidth, or none`,
    );
  }
  const cpuNodes = nodes.filter((n) => n.cpus.length > 0).map((n) => n.id);
  nodes.forEach((n, i) => {
    const gi = groups.indexOf(groupOf[i]!);
    const h = groupOf[i]!.hmat;
    if (typeof h !== "object" || h === null || Array.isArray(h)) {
      throw new RangeError(`Cannot use group ${gi} hmat: expected an object`);
    }
    for (const key of Object.keys(h)) {
      if (!HMAT_KEYS.has(key)) {
        throw new RangeError(
          `Cannot use group ${gi} hmat key "${key}": unknown (known: ${[...HMAT_KEYS].join(", ")})`,
        );
      }
    }
    const latencyNs = hmatLatency(gi, "latency", h.latency);
    const bandwidth = hmatBandwidth(gi, "bandwidth", h.bandwidth);
    let initiator: number;
    if (n.cpus.length > 0) initiator = n.id;
    else if (h.initiator !== undefined) {
      if (!cpuNodes.includes(h.initiator)) {
        throw new RangeError(
          `Cannot use group ${gi} hmat initiator ${
            JSON.stringify(h.initiator)
          }: expected a node with CPUs (${formatIdList(cpuNodes)})`,
        );
      }
      initiator = h.initiator;
    } else {
      const row = distances[n.id]!;
      initiator = cpuNodes.reduce((best, c) => row[c]! < row[best]! ? c : best);
    }
    n.hmat = {
      initiator,
      latencyNs,
      bandwidth,
      remoteLatencyNs: h["remote-latency"] === undefined
        ? 2 * latencyNs
        : hmatLatency(gi, "remote-latency", h["remote-latency"]),
      remoteBandwidth: h["remote-bandwidth"] === undefined
        ? bandwidth
        : hmatBandwidth(gi, "remote-bandwidth", h["remote-bandwidth"]),
    };
  });
}

function checkDistance(group: number, dist: unknown): void {
  if (typeof dist !== "number" || !Number.isInteger(dist) || dist < 10 || dist > 255) {
    throw new RangeError(
      `Cannot use group ${group} distance ${JSON.stringify(dist)}: expected an integer 10-255`,
    );
  }
}

/** The QEMU options for a topology: machine, CPUs, memory, nodes, distances. */
export function qemuArgs(t: VmTopology): string[] {
  const smp = t.smp
    ? `cpus=${t.cpuCount},sockets=${t.smp.sockets},dies=${t.smp.dies},cores=${t.smp.cores},threads=${t.smp.threads}`
    : `cpus=${t.cpuCount},sockets=${t.cpuCount},dies=1,cores=1,threads=1`;
  const hmat = t.nodes.every((n) => n.hmat !== undefined);
  const args = ["-machine", hmat ? "pc,hmat=on" : "pc", "-smp", smp, "-m", `size=${t.memMiB}M`];
  for (const n of t.nodes) {
    const node = [`node`, `nodeid=${n.id}`];
    if (n.memMiB > 0) {
      args.push("-object", `memory-backend-ram,id=mem${n.id},size=${n.memMiB}M`);
      node.push(`memdev=mem${n.id}`);
    }
    // QEMU takes one cpus= per range.
    for (const range of n.cpus.length ? formatIdList(n.cpus).split(",") : []) {
      node.push(`cpus=${range}`);
    }
    if (n.hmat) node.push(`initiator=${n.hmat.initiator}`);
    args.push("-numa", node.join(","));
  }
  t.distances.forEach((row, i) =>
    row.forEach((dist, j) => {
      if (i !== j) args.push("-numa", `dist,src=${i},dst=${j},val=${dist}`);
    })
  );
  if (hmat) args.push(...hmatArgs(t));
  return args;
}

/** The `-numa hmat-lb` options: every initiator to every node with memory. */
function hmatArgs(t: VmTopology): string[] {
  const args: string[] = [];
  const lb = "hierarchy=memory,data-type=access";
  for (const i of t.nodes.filter((n) => n.cpus.length > 0)) {
    for (const target of t.nodes.filter((n) => n.memMiB > 0)) {
      const h = target.hmat!;
      const local = h.initiator === i.id;
      const where = `hmat-lb,initiator=${i.id},target=${target.id},${lb}`;
      args.push("-numa", `${where}-latency,latency=${local ? h.latencyNs : h.remoteLatencyNs}`);
      args.push("-numa", `${where}-bandwidth,bandwidth=${local ? h.bandwidth : h.remoteBandwidth}`);
    }
  }
  return args;
}

/** A short description, one line per node. */
export function describeTopology(t: VmTopology): string {
  const lines = t.nodes.map((n) =>
    `node ${n.id}: ${n.cpus.length ? `cpus ${formatIdList(n.cpus)}` : "no cpus"}, ${
      n.memMiB ? `${n.memMiB} MiB` : "no memory"
    }, package ${n.packageId}, die ${n.dieId}, distances ${t.distances[n.id]!.join(" ")}${
      n.hmat
        ? `, hmat initiator ${n.hmat.initiator} ${n.hmat.latencyNs} ns ${n.hmat.bandwidth}B/s`
        : ""
    }`
  );
  return [
    `${t.nodes.length} nodes, ${t.cpuCount} cpus, ${t.memMiB} MiB`,
    ...lines,
  ].join("\n");
}
