/**
 * The `avoid-oom` policy: keeps NUMA nodes from running out of memory by
 * moving memory of low-priority processes off nodes under pressure, onto
 * nodes with room (no tracker, no pidwatcher).
 *
 * Every IntervalMs, if the mover has no tasks left ("mover busy" otherwise):
 * 1. Nodes: the online ones from sysfs (ids may be sparse: 0, 2, 5), each
 *    with MemTotal and avail = MemFree + SReclaimable + 80 % of
 *    Inactive(file), and its watermarks StartFreeingMemory and
 *    StopFreeingMemory (`N%` of that node's MemTotal, or bytes), recomputed
 *    every round, so nodes that come or go or grow are seen.
 * 2. Node sets: "all nodes", and one per distinct `cpuset.mems.effective`
 *    of the cgroups under `Cgroups` (walked recursively) that have
 *    processes; empty mems means all nodes, a cgroup without the file is
 *    left out. A set's avail, total and watermarks are its nodes' sums.
 * 3. Pressure: sets from least avail up; avail < start puts the set's
 *    nodes under high pressure, else avail < stop under medium; the other
 *    nodes have none. Status `no pressure`, `high pressure on all nodes`,
 *    `no low pressure nodes` or `pressure on some nodes`.
 * 4. Balance (the Go algorithm): a high node needs stop - avail bytes out, a
 *    no-pressure node has avail - stop bytes of room. For each set, least
 *    avail first, that touches both kinds of node and has cgroups: the
 *    candidates are the anonymous mappings (numa_maps) of its cgroups'
 *    processes that hold at least 16 MiB on high nodes, one per (mapping,
 *    high node), scored oom_score x KiB on that node, highest first. Each
 *    goes to the first node, in order of preference (the process's nodes
 *    with no pressure, the set's, then the same with medium pressure), with
 *    room for a quarter of it; its present, exclusive pages on nodes that
 *    still need freeing are queued there, each counted against the need and
 *    the room, until the need or the room is used up.
 *
 * Queueing goes through placement.ts like every policy's (the pages read
 * afresh by the page census, the dry-run line, the stats), with no minimum
 * task size and a budget per page: a page is taken only while its node
 * still needs freeing.
 *
 * Dumps: `config`, `nodes` (`Node N: avail A.AAAG/T.TTTG P.P %`), `status`
 * (online/offline), `balance` (the last status) and `cands` (the last
 * candidates).
 *
 * @module
 */
import { errorText } from "../common/error_text.ts";
import { MB, PAGE_SIZE_BYTES } from "../common/units.ts";
import { ConfigError } from "../config/config_error.ts";
import * as v from "valibot";
import { parseWithSchema, stringList } from "../config/schema.ts";
import type { ComponentDeps, ComponentFactory } from "../lifecycle/deps.ts";
import { selectMovableMappings } from "../memory/process_ranges.ts";
import { parseSizeBytes } from "../memory/range_spec.ts";
import { nodeTarget } from "../mover/mover.ts";
import { CgroupFs } from "../pidwatchers/cgroup_pids.ts";
import { parseIdList } from "../sysfs/id_list.ts";
import { intervalEntry } from "./config.ts";
import {
  type CgroupInfo,
  chooseTarget,
  classifyPressure,
  type MemNode,
  type MoveCandidate,
  nodeAvailBytes,
  type NodeSet,
  nodeSets,
  type Pressures,
  pressureStatus,
  sortCandidates,
} from "./avoid_oom_pressure.ts";
import { placementEntries } from "./placement.ts";
import type { Policy } from "./policy.ts";
import { type PolicyParts, PolicyRuntime } from "./runtime.ts";

const NAME = "avoid-oom";
/** Processes with less than this on high-pressure nodes are not worth moving (Go: 16 MiB). */
export const MIN_PID_MOVE_BYTES = 16 * MB;

/** A watermark: a share of the node's MemTotal, or bytes. */
export type Watermark = { kind: "percent"; percent: number } | { kind: "bytes"; bytes: number };

/**
 * Parses `N%` (0 to 100) or a size in bytes with an optional unit, any case
 * (`256 MB`, `1g`, `4096`). Returns undefined for anything else.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert";
 * import { parseWatermark } from "./avoid_oom.ts";
 * deepStrictEqual(parseWatermark("8%"), { kind: "percent", percent: 8 });
 * deepStrictEqual(parseWatermark("256 mb"), { kind: "bytes", bytes: 268435456 });
 * ```
 */
export function parseWatermark(text: string | number): Watermark | undefined {
  if (typeof text === "number") {
    return Number.isSafeInteger(text) && text >= 0 ? { kind: "bytes", bytes: text } : undefined;
  }
  const m = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(text);
  if (m) {
    const percent = Number(m[1]);
    return percent <= 100 ? { kind: "percent", percent } : undefined;
  }
  const bytes = parseSizeBytes(text);
  return bytes === undefined ? undefined : { kind: "bytes", bytes };
}

function watermarkField(fallback: string) {
  const m = "must be N% (of the node's memory, 0 to 100) or a size in bytes like 256M or 1G";
  return v.optional(
    v.pipe(
      v.union([v.string(m), v.number(m)], m),
      v.check((x) => parseWatermark(x) !== undefined, m),
      v.transform(String),
    ),
    fallback,
  );
}

const schema = v.strictObject({
  StartFreeingMemory: watermarkField("8%"),
  StopFreeingMemory: watermarkField("16%"),
  Cgroups: v.optional(
    v.pipe(
      stringList(),
      v.check(
        (xs) => xs.every((x) => x.startsWith("/")),
        "must be a list of absolute cgroup paths (like /sys/fs/cgroup/app)",
      ),
    ),
    [],
  ),
  IntervalMs: intervalEntry(),
  ...placementEntries,
});

/** The `avoid-oom` config, defaults filled in. */
export type AvoidOomConfig = v.InferOutput<typeof schema>;

function parse(raw: unknown, what: string): AvoidOomConfig {
  const c = parseWithSchema(schema, raw, what);
  const start = parseWatermark(c.StartFreeingMemory)!;
  const stop = parseWatermark(c.StopFreeingMemory)!;
  if (start.kind === stop.kind) {
    const a = start.kind === "percent" ? start.percent : start.bytes;
    const b = stop.kind === "percent" ? stop.percent : (stop as { bytes: number }).bytes;
    if (a > b) {
      throw new ConfigError({
        reason: `must not be above StopFreeingMemory (${c.StopFreeingMemory}): freeing starts ` +
          `below StartFreeingMemory and stops at StopFreeingMemory (got ${c.StartFreeingMemory})`,
        keyPath: ["StartFreeingMemory"],
        component: what,
      });
    }
  }
  return c;
}

/** The bytes a watermark stands for on a node of `totalBytes`. */
export function watermarkBytes(w: Watermark, totalBytes: number): number {
  return w.kind === "bytes" ? w.bytes : Math.floor(totalBytes * w.percent / 100);
}

function gib(bytes: number): string {
  return (bytes / 2 ** 30).toFixed(3);
}

/** The `avoid-oom` logic: moves memory off nodes under pressure. */
export class AvoidOomLogic {
  readonly config: AvoidOomConfig;
  readonly #parts: PolicyParts;
  readonly #deps: ComponentDeps;
  readonly #cgroupFs: CgroupFs;
  readonly #start: Watermark;
  readonly #stop: Watermark;
  #nodes: MemNode[] = [];
  #cands: MoveCandidate[] = [];
  #balance = "";
  #warnedNoCgroups = false;

  constructor(config: AvoidOomConfig, parts: PolicyParts) {
    const deps = parts.deps;
    this.config = config;
    this.#parts = parts;
    this.#deps = deps;
    this.#cgroupFs = new CgroupFs(deps.cgroupRoot === undefined ? {} : { root: deps.cgroupRoot });
    this.#start = parseWatermark(config.StartFreeingMemory)!;
    this.#stop = parseWatermark(config.StopFreeingMemory)!;
    try {
      this.refreshNodes();
    } catch (e) {
      deps.logger.warn(`policy ${NAME}: cannot read the nodes yet: ${errorText(e)}`);
    }
  }

  /** The nodes as last read. */
  get nodes(): readonly MemNode[] {
    return this.#nodes;
  }

  /** Reads the online nodes, their memory and watermarks. */
  refreshNodes(): MemNode[] {
    const sysfs = this.#deps.sysfs;
    this.#nodes = sysfs.onlineNodes().map((id) => {
      const meminfo = sysfs.nodeMeminfo(id);
      const totalBytes = meminfo.get("MemTotal") ?? 0;
      return {
        id,
        totalBytes,
        availBytes: nodeAvailBytes(meminfo),
        startBytes: watermarkBytes(this.#start, totalBytes),
        stopBytes: watermarkBytes(this.#stop, totalBytes),
      };
    });
    return this.#nodes;
  }

  /** The cgroups under `Cgroups` that have processes and a cpuset.mems.effective. */
  readCgroups(): { cgroups: CgroupInfo[]; dirs: number } {
    const all = this.#nodes.map((n) => n.id);
    const out: CgroupInfo[] = [];
    let dirs = 0;
    const fs = this.#cgroupFs;
    const walk = (path: string) => {
      const below = fs.subfolders(path);
      if (below === null) return;
      dirs++;
      const pids = fs.procs(path);
      const mems = fs.readFile(path, "cpuset.mems.effective");
      if (pids !== null && pids.length > 0 && mems !== null) {
        try {
          const ids = parseIdList(mems, `${path}/cpuset.mems.effective`);
          const nodes = ids.length === 0 ? all : ids.filter((n) => all.includes(n));
          if (nodes.length > 0) out.push({ path, pids, nodes });
        } catch {
          // a cpuset that cannot be read: not a cgroup this policy acts on
        }
      }
      for (const p of below) walk(p);
    };
    for (const root of this.config.Cgroups) walk(root);
    return { cgroups: out, dirs };
  }

  prepare(): void {
    if (this.config.Cgroups.length === 0) {
      this.#deps.logger.warn(`policy ${NAME}: no Cgroups configured: it will find nothing to move`);
    }
  }

  /** One round (what the loop runs). */
  round(): void {
    if (!this.#parts.placement.moverIdle()) {
      this.#balance = "mover busy";
      return;
    }
    this.refreshNodes();
    const { cgroups, dirs } = this.readCgroups();
    if (dirs === 0) {
      this.#balance = "no cgroups found";
      if (!this.#warnedNoCgroups) {
        this.#deps.logger.warn(
          `policy ${NAME}: no cgroups found under ${this.config.Cgroups.join(", ") || "(none)"}`,
        );
      }
      this.#warnedNoCgroups = true;
      return;
    }
    this.#warnedNoCgroups = false;
    this.balance(nodeSets(this.#nodes, cgroups));
  }

  /** Decides and queues the moves for these node sets; returns the status. */
  balance(sets: readonly NodeSet[]): string {
    const all = this.#nodes.map((n) => n.id);
    const { ordered, pressures } = classifyPressure(all, sets);
    this.#balance = pressureStatus(all, pressures);
    if (this.#balance !== "pressure on some nodes") return this.#balance;
    const byId = new Map(this.#nodes.map((n) => [n.id, n]));
    const need = new Map<number, number>();
    for (const n of pressures.high) need.set(n, byId.get(n)!.stopBytes - byId.get(n)!.availBytes);
    const room = new Map<number, number>();
    for (const n of pressures.none) room.set(n, byId.get(n)!.availBytes - byId.get(n)!.stopBytes);
    const sum = (m: Map<number, number>) => {
      let s = 0;
      for (const b of m.values()) if (b > 0) s += b;
      return s;
    };
    for (const set of ordered) {
      const touchesHigh = set.nodes.some((n) => pressures.high.has(n));
      const touchesNone = set.nodes.some((n) => pressures.none.has(n));
      if (touchesHigh && touchesNone && set.cgroups.length > 0 && sum(need) > 0 && sum(room) > 0) {
        const cands = sortCandidates(this.findCandidates(set, pressures));
        if (cands.length > 0) this.#cands = cands;
        for (const c of cands) {
          const target = chooseTarget(c, room);
          if (target === null) continue;
          this.#queue(c, target, need, room);
          if (sum(need) <= 0 || sum(room) <= 0) break;
        }
      }
      if (sum(need) <= 0 || sum(room) <= 0) break;
    }
    return this.#balance;
  }

  /** The candidates of a node set's processes (numa_maps, oom_score). */
  findCandidates(set: NodeSet, p: Pressures): MoveCandidate[] {
    const procfs = this.#deps.procfs;
    const out: MoveCandidate[] = [];
    const noneOrMed = new Set([...p.none, ...p.medium]);
    for (const cg of set.cgroups) {
      for (const pid of cg.pids) {
        let mappings;
        let oomScore: number;
        try {
          mappings = selectMovableMappings(procfs.maps(pid), procfs.numaMaps(pid));
          oomScore = Number(procfs.readText(pid, "oom_score").trim());
        } catch {
          continue; // gone, or not ours to read
        }
        if (!Number.isFinite(oomScore)) continue;
        const pidNodes = new Set<number>();
        let onHigh = 0;
        const mine: MoveCandidate[] = [];
        for (const m of mappings) {
          for (const [node, pages] of m.pagesByNode) {
            if (pages <= 0) continue;
            pidNodes.add(node);
            if (!p.high.has(node)) continue;
            const bytes = pages * PAGE_SIZE_BYTES;
            onHigh += bytes;
            mine.push({
              pid,
              startAddr: m.startAddr,
              endAddr: m.endAddr,
              pageSizeKiB: m.pageSizeKiB,
              sizeOnNode: bytes,
              fromNode: node,
              targets: [],
              score: oomScore * Math.floor(bytes / 1024),
            });
          }
        }
        if (onHigh < MIN_PID_MOVE_BYTES) continue;
        const nodes = [...pidNodes].sort((a, b) => a - b);
        const targets = [
          nodes.filter((n) => p.none.has(n)),
          set.nodes.filter((n) => p.none.has(n)),
          nodes.filter((n) => noneOrMed.has(n)),
          set.nodes.filter((n) => noneOrMed.has(n)),
        ];
        for (const c of mine) out.push({ ...c, targets });
      }
    }
    return out;
  }

  /** Queues the candidate's pages that sit on nodes still needing freeing. */
  #queue(
    c: MoveCandidate,
    target: number,
    need: Map<number, number>,
    room: Map<number, number>,
  ): void {
    const take = (node: number) => {
      if ((need.get(node) ?? 0) <= 0) return false;
      need.set(node, need.get(node)! - PAGE_SIZE_BYTES);
      room.set(target, (room.get(target) ?? 0) - PAGE_SIZE_BYTES);
      return true;
    };
    const range = { startAddr: c.startAddr, endAddr: c.endAddr };
    const reason = `node ${c.fromNode} under memory pressure`;
    try {
      this.#parts.placement.queue(c.pid, [range], nodeTarget(target), reason, { keep: take });
    } catch (e) {
      if (this.#deps.procfs.exists(c.pid)) {
        this.#deps.logger.warn(`policy ${NAME}: pid ${c.pid} left out: ${errorText(e)}`);
      }
    }
  }

  dump(args: readonly string[]): string {
    const help = "dump <config|nodes|status|balance|cands>";
    switch (args[0]) {
      case undefined:
        return help;
      case "config":
        return this.configJson();
      case "nodes":
        return this.#nodes.map((n) =>
          `Node ${n.id}: avail ${gib(n.availBytes)}G/${gib(n.totalBytes)}G ${
            (n.totalBytes > 0 ? 100 * n.availBytes / n.totalBytes : 0).toFixed(1)
          } %\n`
        ).join("");
      case "status":
        return this.#parts.running ? "online" : "offline";
      case "balance":
        return this.#balance;
      case "cands":
        return this.#cands.map((c) =>
          `pid: ${c.pid} ${c.startAddr.toString(16)} size: ${
            Math.floor(c.sizeOnNode / MB)
          } MB (in ${c.pageSizeKiB} kB pages) fromNode: ${c.fromNode} score: ${c.score}\n`
        ).join("");
      default:
        return `unknown argument, ${help}`;
    }
  }

  configJson(): string {
    return JSON.stringify(this.config);
  }
}

/** An `avoid-oom` policy on its runtime: its first round one interval after start. */
export function createAvoidOomPolicy(
  config: AvoidOomConfig,
  deps: ComponentDeps,
): PolicyRuntime<AvoidOomLogic> {
  return new PolicyRuntime(
    {
      name: NAME,
      intervalMs: config.IntervalMs,
      firstRoundLater: true,
      placement: config,
      minPages: 1,
    },
    deps,
    (parts) => new AvoidOomLogic(config, parts),
  );
}

export const avoidOomPolicyFactory: ComponentFactory<AvoidOomConfig, Policy> = {
  description: "moves memory off nodes under pressure (cgroups with cpuset.mems), by oom_score",
  parse,
  create: (config, deps) => createAvoidOomPolicy(config, deps),
};
