/**
 * The one-shot command line of the seed README: show where a process's
 * memory is, node by node, and move its pages to a node.
 *
 *   memtierd --pid=P                         status
 *   memtierd --pid=P --move-to=N [--count=C] [--move-from=M]
 *
 * Two views of where the memory is. The default one adds up the kernel's
 * own per-node counts of each anon/heap mapping (`N<node>=` in
 * /proc/PID/numa_maps, in 4 KiB pages): no per-page work in memtierd. The
 * page-exact one (`--exact`) reads pagemap and locates every present page
 * with move_pages, chunk by chunk (see memory/exact_census.ts). Moves are
 * guided by numa_maps and streamed (memory/guided_move.ts); the status
 * after a move is the numa_maps view. Memory stays bounded by a batch.
 *
 * `inspectProcess` and `runMove` are the readers; `renderStatus`/`renderMove`
 * turn results into text, `statusJson`/`moveJson` into the stable JSON that
 * scripts parse.
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import type { Syscalls } from "../ffi/syscalls.ts";
import { PAGE_SIZE_BYTES } from "../memory/addr_range.ts";
import { exactCensus } from "../memory/exact_census.ts";
import { moveGuided, planGuidedMove } from "../memory/guided_move.ts";
import { failedPages, MOVE_BATCH_PAGES, type MoveOutcome, NOT_MIGRATED } from "../memory/move.ts";
import { readProcessMemory, userProcessName } from "../memory/process_pages.ts";
import type { NumaMapsEntry } from "../procfs/numa_maps.ts";
import type { ProcFs } from "../procfs/proc_fs.ts";
import { formatIdList, parseIdList } from "../sysfs/id_list.ts";
import { requireAllowedNode, requireOnlineNode, requireTargetNode } from "../sysfs/node_check.ts";
import type { NumaNode, SysFs } from "../sysfs/sys_fs.ts";
import { ExitCode } from "../common/exit_codes.ts";
import { grouped, MB, mb, pages, printable, table } from "./format.ts";
import { ProgressBar } from "./progress.ts";

/** What the one-shot commands read and write through. */
export interface OneShotEnv {
  procfs: ProcFs;
  sysfs: SysFs;
  /** The system calls (opened on first use). */
  syscalls: () => Syscalls;
  /** Milliseconds from any fixed point. */
  now: () => number;
  out: (text: string) => void;
  err: (text: string) => void;
  /** Draw a progress bar on `err`. */
  progress: boolean;
}

/** One node's line of a status. */
export interface NodeStatus {
  node: number;
  cpus: string;
  hasMemory: boolean;
  memTotalBytes: number;
  memFreeBytes: number;
  movablePages: number;
  numaMapsBytes: number;
}

/** Which view a status comes from. */
export type StatusView = "numa_maps" | "exact";

/** Where a process's memory is. Page counts are 4 KiB pages. */
export interface ProcessStatus {
  pid: number;
  comm: string;
  view: StatusView;
  ranges: number;
  movablePages: number;
  /** Pages mapped by other processes too (exact view only; numa_maps cannot tell). */
  sharedPages: number | null;
  /** Present entries that are the kernel's shared zero page (exact view only). */
  zeroPages: number | null;
  /** Present pages move_pages could not place (exact view; gone since the scan). */
  unlocatedPages: number;
  /** Unlocated pages by the errno move_pages gave for them. */
  unlocatedByErrno: Record<string, number>;
  numaMapsBytes: number;
  nodes: NodeStatus[];
}

/** Reads where a process's memory is, in the numa_maps view or page by page. */
export function inspectProcess(env: OneShotEnv, pid: number, exact = false): ProcessStatus {
  const comm = userProcessName(env.procfs, pid);
  const nodes = env.sysfs.nodes();
  const { mappings, numaMaps } = readProcessMemory(env.procfs, pid);
  const perNode = new Map<number, number>();
  let movablePages = 0;
  let sharedPages: number | null = null;
  let zeroPages: number | null = null;
  const unlocatedByErrno: Record<string, number> = {};
  let unlocatedPages = 0;
  if (!exact) {
    for (const m of mappings) {
      for (const [n, c] of m.pagesByNode) perNode.set(n, (perNode.get(n) ?? 0) + c);
      movablePages += m.presentPages;
    }
  } else {
    const pagemap = env.procfs.openPagemap(pid);
    try {
      const c = exactCensus(env.syscalls(), pid, pagemap, mappings, env.procfs);
      for (const [n, k] of c.pagesByNode) perNode.set(n, k);
      movablePages = c.movablePages;
      sharedPages = c.sharedPages;
      zeroPages = c.zeroPages;
      for (const [e, k] of [...c.unlocatedByErrno].sort()) {
        unlocatedByErrno[e] = k;
        unlocatedPages += k;
      }
    } catch (e) {
      throw env.procfs.fileError(pid, "pagemap", e);
    } finally {
      pagemap.close();
    }
  }
  const { byNode: numaBytes, total: numaMapsBytes } = numaMapsBytesByNode(numaMaps);
  return {
    pid,
    comm,
    view: exact ? "exact" : "numa_maps",
    ranges: mappings.length,
    movablePages,
    sharedPages,
    zeroPages,
    unlocatedPages,
    unlocatedByErrno,
    numaMapsBytes,
    nodes: nodes.map((n) => ({
      node: n.id,
      cpus: formatIdList(n.cpus),
      hasMemory: n.hasMemory,
      memTotalBytes: n.memTotalBytes,
      memFreeBytes: n.memFreeBytes,
      movablePages: perNode.get(n.id) ?? 0,
      numaMapsBytes: numaBytes.get(n.id) ?? 0,
    })),
  };
}

/** Everything numa_maps counts, file pages included, per node in bytes (pure). */
function numaMapsBytesByNode(
  numaMaps: readonly NumaMapsEntry[],
): { byNode: Map<number, number>; total: number } {
  const byNode = new Map<number, number>();
  let total = 0;
  for (const e of numaMaps) {
    for (const [n, count] of e.pagesByNode) {
      const bytes = count * e.pageSizeKiB * 1024;
      byNode.set(n, (byNode.get(n) ?? 0) + bytes);
      total += bytes;
    }
  }
  return { byNode, total };
}

/** A status as text. */
export function renderStatus(s: ProcessStatus): string {
  const rows = s.nodes.map((n) => [
    String(n.node),
    n.cpus || "-",
    n.hasMemory ? `${mb(n.memFreeBytes)} / ${mb(n.memTotalBytes)}` : "no memory",
    grouped(n.movablePages),
    mb(n.movablePages * PAGE_SIZE_BYTES),
    mb(n.numaMapsBytes),
  ]);
  rows.push([
    "all",
    "",
    "",
    grouped(s.movablePages),
    mb(s.movablePages * PAGE_SIZE_BYTES),
    mb(s.numaMapsBytes),
  ]);
  const lines = [
    `pid ${s.pid} (${printable(s.comm)}): ${grouped(s.movablePages)} movable pages ` +
    `(${mb(s.movablePages * PAGE_SIZE_BYTES)} MB) in ${s.ranges} anon/heap ranges` +
    (s.view === "exact" ? ", page by page" : "") +
    (s.sharedPages ? `; ${pages(s.sharedPages)} shared with other processes` : ""),
    table(
      ["node", "cpus", "free / total MB", "movable pages", "movable MB", "numa_maps MB"],
      rows,
      [true, false, true, true, true, true],
    ),
  ];
  if (s.zeroPages) {
    lines.push(
      `${pages(s.zeroPages)} mapped to the kernel's shared zero page (read, never written): ` +
        "not counted, nothing to move",
    );
  }
  if (s.unlocatedPages) {
    const why = Object.entries(s.unlocatedByErrno).map(([e, n]) => `${e} ${grouped(n)}`).join(", ");
    lines.push(
      `${pages(s.unlocatedPages)} present at the scan but not when located (${why}): ` +
        "swapped out or unmapped since",
    );
  }
  return lines.join("\n") + "\n";
}

/** A status as the stable JSON object of `--output json`. */
export function statusJson(s: ProcessStatus): Record<string, unknown> {
  return {
    pid: s.pid,
    comm: s.comm,
    pageSizeBytes: PAGE_SIZE_BYTES,
    ranges: s.ranges,
    movablePages: s.movablePages,
    sharedPages: s.sharedPages,
    unlocatedPages: s.unlocatedPages,
    unlocatedByErrno: s.unlocatedByErrno,
    numaMapsBytes: s.numaMapsBytes,
    nodes: s.nodes.map((n) => ({ ...n })),
    view: s.view,
    zeroPages: s.zeroPages,
  };
}

/** What the user asked to move. */
export interface MoveArgs {
  pid: number;
  toNode: number;
  fromNode?: number | undefined;
  countPages?: number | undefined;
  batchPages?: number | undefined;
  /** Show the status after page by page. */
  exact?: boolean | undefined;
}

/** How the pages of a move were chosen (numa_maps counts, then the pages looked at). */
export interface MoveChoice {
  candidatePages: number;
  alreadyOnTargetPages: number;
  notOnSourcePages: number;
  unlocatedPages: number;
  overCountPages: number;
  plannedPages: number;
  sharedPages: number;
  zeroPages: number;
  locatedPages: number;
  mappingsSkipped: number;
  mappingsMovedWhole: number;
  mappingsLocated: number;
}

/** A finished move: the choice, the outcome, the time, and the status after. */
export interface MoveReport {
  args: MoveArgs;
  comm: string;
  plan: MoveChoice;
  outcome: MoveOutcome;
  elapsedMs: number;
  /** Free memory of the target node after the move, to explain NOT_MIGRATED. */
  targetFreeBytes: number;
  after: ProcessStatus | null;
}

/** Checks the nodes of a move against the online nodes; throws `NodeError`. */
function checkMoveNodes(nodes: readonly NumaNode[], args: MoveArgs): void {
  requireTargetNode(nodes, args.toNode);
  if (args.fromNode !== undefined) requireOnlineNode(nodes, args.fromNode, "move from");
  if (args.fromNode === args.toNode) {
    throw new UsageError(
      `Invalid --move-from ${args.fromNode}: it is the same node as --move-to ` +
        "(pick two different nodes)",
    );
  }
}

/**
 * Runs a move and returns its report: the nodes are checked first (online,
 * with memory, allowed to the process), then the mappings are read from
 * numa_maps and moved one by one in batches.
 */
export function runMove(env: OneShotEnv, args: MoveArgs): MoveReport {
  checkMoveNodes(env.sysfs.nodes(), args);
  const comm = userProcessName(env.procfs, args.pid);
  const allowed = env.procfs.status(args.pid).get("Mems_allowed_list");
  if (allowed !== undefined) requireAllowedNode(parseIdList(allowed), args.toNode, args.pid);
  const { mappings } = readProcessMemory(env.procfs, args.pid);
  const request = { toNode: args.toNode, fromNode: args.fromNode, countPages: args.countPages };
  const plan = planGuidedMove(mappings, request);
  const bar = env.progress ? new ProgressBar(env.err, env.now) : undefined;
  const started = env.now();
  const pagemap = env.procfs.openPagemap(args.pid);
  let result;
  try {
    result = moveGuided(env.syscalls(), args.pid, pagemap, plan, request, {
      batchPages: args.batchPages ?? MOVE_BATCH_PAGES,
      probe: env.procfs,
      onProgress: (done, total) => bar?.update(done, total),
    });
  } catch (e) {
    throw env.procfs.fileError(args.pid, "pagemap", e);
  } finally {
    pagemap.close();
    bar?.clear();
  }
  const elapsedMs = env.now() - started;
  const { outcome } = result;
  let after: ProcessStatus | null = null;
  if (!outcome.processGone) {
    try {
      after = inspectProcess(env, args.pid, args.exact ?? false);
    } catch (e) {
      if (!env.procfs.isGone(args.pid)) throw e;
      outcome.processGone = true;
    }
  }
  const target = env.sysfs.nodes().find((n) => n.id === args.toNode);
  let unlocatedPages = 0;
  for (const n of result.unlocatedByErrno.values()) unlocatedPages += n;
  return {
    args,
    comm,
    plan: {
      candidatePages: plan.candidatePages,
      alreadyOnTargetPages: plan.alreadyOnTargetPages,
      notOnSourcePages: plan.notOnSourcePages,
      unlocatedPages,
      overCountPages: result.overCountPages,
      plannedPages: result.plannedPages,
      sharedPages: result.sharedPlannedPages,
      zeroPages: result.zeroPages,
      locatedPages: result.locatedPages,
      mappingsSkipped: result.mappingsByMode.skip,
      mappingsMovedWhole: result.mappingsByMode.all,
      mappingsLocated: result.mappingsByMode.locate,
    },
    outcome,
    elapsedMs,
    targetFreeBytes: target?.memFreeBytes ?? 0,
    after,
  };
}

/** The exit code a move report stands for. */
export function moveExitCode(r: MoveReport): number {
  if (r.outcome.processGone) return ExitCode.NO_PROCESS;
  return failedPages(r.outcome) > 0 ? ExitCode.INCOMPLETE : ExitCode.OK;
}

function rateMBps(pages: number, ms: number): number {
  return ms > 0 ? (pages * PAGE_SIZE_BYTES / MB) / (ms / 1000) : 0;
}

/** A move report as text, followed by the status after. */
export function renderMove(r: MoveReport): string {
  const { args, plan, outcome } = r;
  const what = `pid ${args.pid} (${printable(r.comm)}) to node ${args.toNode}` +
    (args.fromNode !== undefined ? ` from node ${args.fromNode}` : "") +
    (args.countPages !== undefined ? `, at most ${pages(args.countPages)}` : ", all pages");
  const rows: string[][] = [
    ["present pages", grouped(plan.candidatePages), ""],
    [`already on node ${args.toNode}`, grouped(plan.alreadyOnTargetPages), ""],
  ];
  if (args.fromNode !== undefined) {
    rows.push([`on nodes other than ${args.fromNode}`, grouped(plan.notOnSourcePages), ""]);
  }
  if (plan.zeroPages) {
    rows.push([
      "the shared zero page",
      grouped(plan.zeroPages),
      "read, never written: not movable",
    ]);
  }
  if (plan.unlocatedPages) {
    rows.push(["not located", grouped(plan.unlocatedPages), "swapped out or unmapped since"]);
  }
  if (plan.overCountPages) rows.push(["over the count", grouped(plan.overCountPages), ""]);
  rows.push(["chosen to move", grouped(plan.plannedPages), ""]);
  const secs = r.elapsedMs / 1000;
  rows.push([
    "moved",
    grouped(outcome.movedPages),
    `${mb(outcome.movedPages * PAGE_SIZE_BYTES)} MB in ${secs.toFixed(2)} s, ${
      rateMBps(outcome.movedPages, r.elapsedMs).toFixed(1)
    } MB/s`,
  ]);
  const failed = failedPages(outcome);
  rows.push(["failed", grouped(failed), ""]);
  for (const [reason, n] of [...outcome.failedByReason].sort((a, b) => b[1] - a[1])) {
    rows.push([`  ${reason}`, grouped(n), reasonHelp(reason, r)]);
  }
  if (outcome.processGone) {
    rows.push(["not tried", grouped(outcome.notAttemptedPages), "the process exited"]);
  }
  const lines = [
    `move ${what}`,
    table(["", "pages", ""], rows, [false, true, false]).split("\n").slice(1).join("\n"),
  ];
  if (outcome.processGone) lines.push(`process ${args.pid} exited during the move`);
  let text = lines.join("\n") + "\n";
  if (r.after) text += "\nafter:\n" + renderStatus(r.after);
  return text;
}

function reasonHelp(reason: string, r: MoveReport): string {
  switch (reason) {
    case "EACCES":
      return "shared with other processes";
    case "EBUSY":
      return "busy (locked or under I/O)";
    case "ENOMEM":
      return `node ${r.args.toNode} is out of memory`;
    case "EFAULT":
    case "ENOENT":
      return "unmapped or swapped out since the scan";
    case NOT_MIGRATED:
      return `the kernel could not migrate them (node ${r.args.toNode} has ${
        mb(r.targetFreeBytes)
      } MB free)`;
    default:
      return "";
  }
}

/** A move report as the stable JSON object of `--output json`. */
export function moveJson(r: MoveReport): Record<string, unknown> {
  const { args, plan, outcome } = r;
  return {
    pid: args.pid,
    comm: r.comm,
    request: {
      toNode: args.toNode,
      fromNode: args.fromNode ?? null,
      countPages: args.countPages ?? null,
    },
    candidatePages: plan.candidatePages,
    alreadyOnTargetPages: plan.alreadyOnTargetPages,
    notOnSourcePages: plan.notOnSourcePages,
    unlocatedPages: plan.unlocatedPages,
    overCountPages: plan.overCountPages,
    plannedPages: plan.plannedPages,
    sharedPlannedPages: plan.sharedPages,
    zeroPages: plan.zeroPages,
    locatedPages: plan.locatedPages,
    mappings: {
      skipped: plan.mappingsSkipped,
      movedWhole: plan.mappingsMovedWhole,
      located: plan.mappingsLocated,
    },
    movedPages: outcome.movedPages,
    failedPages: failedPages(outcome),
    failures: Object.fromEntries([...outcome.failedByReason].sort()),
    notAttemptedPages: outcome.notAttemptedPages,
    processExited: outcome.processGone,
    syscalls: outcome.calls,
    elapsedMs: Math.round(r.elapsedMs * 1000) / 1000,
    movedMBps: Math.round(rateMBps(outcome.movedPages, r.elapsedMs) * 10) / 10,
    targetFreeBytes: r.targetFreeBytes,
    after: r.after ? statusJson(r.after) : null,
  };
}
