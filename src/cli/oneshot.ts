/**
 * The one-shot command line of the seed README: show where a process's
 * memory is, node by node, and move its pages to a node.
 *
 *   memtierd --pid=P                         status
 *   memtierd --pid=P --move-to=N [--count=C] [--move-from=M]
 *
 * Pure pieces (gathering is the only reader): `inspectProcess` reads /proc,
 * /sys and the page locations; `renderStatus`/`renderMove` turn results into
 * text, `statusJson`/`moveJson` into the stable JSON that scripts parse.
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import { errnoName } from "../ffi/errno.ts";
import type { Syscalls } from "../ffi/syscalls.ts";
import { PAGE_SIZE_BYTES } from "../memory/addr_range.ts";
import { countByNode, locatePages } from "../memory/locate.ts";
import {
  failedPages,
  MOVE_BATCH_PAGES,
  type MoveOutcome,
  movePagesToNode,
  type MovePlan,
  NOT_MIGRATED,
  planMove,
} from "../memory/move.ts";
import type { PageList } from "../memory/page_list.ts";
import { pageFilter } from "../memory/page_scan.ts";
import { readPages, userProcessName } from "../memory/process_pages.ts";
import { selectAnonHeapRanges } from "../memory/process_ranges.ts";
import { PM } from "../procfs/pagemap.ts";
import type { ProcFs } from "../procfs/proc_fs.ts";
import { formatIdList } from "../sysfs/id_list.ts";
import { requireOnlineNode, requireTargetNode } from "../sysfs/node_check.ts";
import type { NumaNode, SysFs } from "../sysfs/sys_fs.ts";
import { ExitCode } from "../common/exit_codes.ts";
import { grouped, MB, mb, table } from "./format.ts";
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

/** Where a process's memory is. */
export interface ProcessStatus {
  pid: number;
  comm: string;
  ranges: number;
  movablePages: number;
  sharedPages: number;
  unlocatedPages: number;
  /** Unlocated pages by the errno move_pages gave for them. */
  unlocatedByErrno: Record<string, number>;
  numaMapsBytes: number;
  nodes: NodeStatus[];
}

/** A status together with the pages and locations it was computed from. */
export interface Inspection {
  status: ProcessStatus;
  pages: PageList;
  locations: Int32Array;
  nodes: NumaNode[];
}

/** Reads a process's pages, where they are, and the node table. */
export function inspectProcess(env: OneShotEnv, pid: number): Inspection {
  const comm = userProcessName(env.procfs, pid);
  const nodes = env.sysfs.nodes();
  const numaMaps = env.procfs.numaMaps(pid);
  const ranges = selectAnonHeapRanges(env.procfs.maps(pid), numaMaps);
  const pages = readPages(env.procfs, pid, ranges, pageFilter({ present: true }));
  const locations = locatePages(env.syscalls(), pid, pages.addrs);
  const { nodes: perNode, errors } = countByNode(locations);
  const numaBytes = new Map<number, number>();
  let numaMapsBytes = 0;
  for (const e of numaMaps) {
    for (const [n, count] of e.pagesByNode) {
      const bytes = count * e.pageSizeKiB * 1024;
      numaBytes.set(n, (numaBytes.get(n) ?? 0) + bytes);
      numaMapsBytes += bytes;
    }
  }
  let sharedPages = 0;
  const flags = pages.flags;
  for (let i = 0; i < flags.length; i++) if ((flags[i]! & PM.EXCLUSIVE) === 0) sharedPages++;
  let unlocatedPages = 0;
  const unlocatedByErrno: Record<string, number> = {};
  for (const [errno, c] of [...errors].sort((a, b) => a[0] - b[0])) {
    unlocatedPages += c;
    unlocatedByErrno[errnoName(errno)] = c;
  }
  const status: ProcessStatus = {
    pid,
    comm,
    ranges: ranges.length,
    movablePages: pages.length,
    sharedPages,
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
  return { status, pages, locations, nodes };
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
    grouped(s.movablePages - s.unlocatedPages),
    mb((s.movablePages - s.unlocatedPages) * PAGE_SIZE_BYTES),
    mb(s.numaMapsBytes),
  ]);
  const lines = [
    `pid ${s.pid} (${s.comm}): ${grouped(s.movablePages)} movable pages ` +
    `(${mb(s.movablePages * PAGE_SIZE_BYTES)} MB) in ${s.ranges} anon/heap ranges` +
    (s.sharedPages ? `, ${grouped(s.sharedPages)} of them shared with other processes` : ""),
    table(
      ["node", "cpus", "free / total MB", "movable pages", "movable MB", "numa_maps MB"],
      rows,
      [true, false, true, true, true, true],
    ),
  ];
  if (s.unlocatedPages) {
    const why = Object.entries(s.unlocatedByErrno).map(([e, n]) => `${e} ${grouped(n)}`).join(", ");
    lines.push(
      `${grouped(s.unlocatedPages)} of the present pages are on no node move_pages can tell ` +
        `(${why}): gone since the scan, or not movable memory`,
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
  };
}

/** What the user asked to move. */
export interface MoveArgs {
  pid: number;
  toNode: number;
  fromNode?: number | undefined;
  countPages?: number | undefined;
  batchPages?: number | undefined;
}

/** A finished move: the plan, the outcome, the time, and the status after. */
export interface MoveReport {
  args: MoveArgs;
  comm: string;
  plan: Omit<MovePlan, "addrs"> & { plannedPages: number };
  outcome: MoveOutcome;
  elapsedMs: number;
  /** Free memory of the target node after the move, to explain NOT_MIGRATED. */
  targetFreeBytes: number;
  after: ProcessStatus | null;
}

/** Checks the nodes of a move against the online nodes; throws `NodeError`. */
export function checkMoveNodes(nodes: readonly NumaNode[], args: MoveArgs): void {
  requireTargetNode(nodes, args.toNode);
  if (args.fromNode !== undefined) requireOnlineNode(nodes, args.fromNode, "move from");
  if (args.fromNode === args.toNode) {
    throw new UsageError(
      `Invalid --move-from ${args.fromNode}: it is the same node as --move-to ` +
        "(pick two different nodes)",
    );
  }
}

/** Runs a move and returns its report. */
export function runMove(env: OneShotEnv, args: MoveArgs): MoveReport {
  const before = inspectProcess(env, args.pid);
  checkMoveNodes(before.nodes, args);
  const plan = planMove(before.pages, before.locations, {
    toNode: args.toNode,
    fromNode: args.fromNode,
    countPages: args.countPages,
  });
  const bar = env.progress ? new ProgressBar(env.err, env.now) : undefined;
  const started = env.now();
  let outcome: MoveOutcome;
  try {
    outcome = movePagesToNode(env.syscalls(), args.pid, plan.addrs, args.toNode, {
      batchPages: args.batchPages ?? MOVE_BATCH_PAGES,
      onProgress: (done, total) => bar?.update(done, total),
    });
  } finally {
    bar?.clear();
  }
  const elapsedMs = env.now() - started;
  const { addrs, ...rest } = plan;
  let after: ProcessStatus | null = null;
  if (!outcome.processGone) after = inspectProcess(env, args.pid).status;
  const target = env.sysfs.nodes().find((n) => n.id === args.toNode);
  return {
    args,
    comm: before.status.comm,
    plan: { ...rest, plannedPages: addrs.length },
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
  const what = `pid ${args.pid} (${r.comm}) to node ${args.toNode}` +
    (args.fromNode !== undefined ? ` from node ${args.fromNode}` : "") +
    (args.countPages !== undefined ? `, at most ${grouped(args.countPages)} pages` : ", all pages");
  const rows: string[][] = [
    ["present pages", grouped(plan.candidatePages), ""],
    [`already on node ${args.toNode}`, grouped(plan.alreadyOnTargetPages), ""],
  ];
  if (args.fromNode !== undefined) {
    rows.push([`on nodes other than ${args.fromNode}`, grouped(plan.notOnSourcePages), ""]);
  }
  if (plan.unlocatedPages) rows.push(["not located", grouped(plan.unlocatedPages), ""]);
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
