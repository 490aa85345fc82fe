/**
 * The pressure model of the `avoid-oom` policy (avoid_oom.ts), pure: nodes
 * with their available memory and watermarks, node sets (one per cpuset of
 * the watched cgroups, plus all nodes), which nodes are under high or
 * medium pressure, the status line of a round, the order of the move
 * candidates and the node each one goes to. The policy reads the system
 * and queues the moves; everything here is decided from values, so the
 * tests give numbers and check numbers.
 *
 * @module
 */
/** A node as one round sees it. */
export interface MemNode {
  id: number;
  totalBytes: number;
  availBytes: number;
  startBytes: number;
  stopBytes: number;
}

/** Available memory of a node from its meminfo fields (bytes), as the Go memtierd counts it. */
export function nodeAvailBytes(meminfo: ReadonlyMap<string, number>): number {
  const inactiveFileKiB = (meminfo.get("Inactive(file)") ?? 0) / 1024;
  return (meminfo.get("MemFree") ?? 0) + (meminfo.get("SReclaimable") ?? 0) +
    Math.floor(inactiveFileKiB * 80 / 100) * 1024;
}

/** A cgroup with processes, and the nodes it may use. */
export interface CgroupInfo {
  path: string;
  pids: number[];
  nodes: number[];
}

/** Nodes that share a cpuset, with their sums. */
export interface NodeSet {
  nodes: number[];
  cgroups: CgroupInfo[];
  availBytes: number;
  totalBytes: number;
  startBytes: number;
  stopBytes: number;
}

/** Nodes by pressure level. */
export interface Pressures {
  high: Set<number>;
  medium: Set<number>;
  none: Set<number>;
}

/** Node sets least avail first, and the nodes by pressure (pure). */
export function classifyPressure(
  allNodes: readonly number[],
  sets: readonly NodeSet[],
): { ordered: NodeSet[]; pressures: Pressures } {
  const ordered = [...sets].sort((a, b) =>
    a.availBytes - b.availBytes || a.nodes.join(",").localeCompare(b.nodes.join(","))
  );
  const high = new Set<number>();
  const medium = new Set<number>();
  for (const s of ordered) {
    if (s.availBytes < s.startBytes) { for (const n of s.nodes) high.add(n); }
    else if (s.availBytes < s.stopBytes) { for (const n of s.nodes) medium.add(n); }
  }
  const none = new Set(allNodes.filter((n) => !high.has(n) && !medium.has(n)));
  return { ordered, pressures: { high, medium, none } };
}

/** The balance status for some pressures (the Go strings). */
export function pressureStatus(allNodes: readonly number[], p: Pressures): string {
  if (p.high.size === 0) return "no pressure";
  if (allNodes.every((n) => p.high.has(n))) return "high pressure on all nodes";
  if (p.none.size === 0) return "no low pressure nodes";
  return "pressure on some nodes";
}

/** One (anonymous mapping, high-pressure node) of a process worth moving. */
export interface MoveCandidate {
  pid: number;
  startAddr: number;
  endAddr: number;
  pageSizeKiB: number;
  /** Bytes of the mapping on `fromNode`. */
  sizeOnNode: number;
  fromNode: number;
  /** Node lists in order of preference. */
  targets: number[][];
  score: number;
}

/** Highest score first; ties by pid, address, node (so rounds are repeatable). */
export function sortCandidates(cands: MoveCandidate[]): MoveCandidate[] {
  return cands.sort((a, b) =>
    b.score - a.score || a.pid - b.pid || a.startAddr - b.startAddr || a.fromNode - b.fromNode
  );
}

/** The first node, in order of preference, with room for a quarter of the candidate. */
export function chooseTarget(c: MoveCandidate, room: ReadonlyMap<number, number>): number | null {
  for (const nodes of c.targets) {
    for (const n of nodes) if ((room.get(n) ?? 0) >= c.sizeOnNode / 4) return n;
  }
  return null;
}

/** Node sets from cgroups, plus "all nodes", each with its nodes' sums. */
export function nodeSets(nodes: readonly MemNode[], cgroups: readonly CgroupInfo[]): NodeSet[] {
  const byKey = new Map<string, NodeSet>();
  const add = (ids: number[]) => {
    const key = ids.join(",");
    let s = byKey.get(key);
    if (!s) {
      s = { nodes: ids, cgroups: [], availBytes: 0, totalBytes: 0, startBytes: 0, stopBytes: 0 };
      for (const n of nodes) {
        if (!ids.includes(n.id)) continue;
        s.availBytes += n.availBytes;
        s.totalBytes += n.totalBytes;
        s.startBytes += n.startBytes;
        s.stopBytes += n.stopBytes;
      }
      byKey.set(key, s);
    }
    return s;
  };
  add(nodes.map((n) => n.id));
  for (const c of cgroups) add(c.nodes).cgroups.push(c);
  return [...byKey.values()];
}
