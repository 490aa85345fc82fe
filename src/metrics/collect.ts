/**
 * What `/metrics` shows, gathered at scrape time from the statistics store
 * and the session's state: build info, watched processes, each process's
 * memory per node (its /proc/PID/numa_maps, read now), bytes moved and
 * swapped, move_pages failures by errno, tracker scans, the mover's queue,
 * policy rounds and decisions, and the loops' rounds. Nothing here changes a component: it reads the
 * `Stats` store's accessors, the mover's status, config and task list, and
 * /proc.
 *
 * Cost is bounded: numa_maps is read for at most `maxProcesses` processes
 * per scrape (the lowest pids; `memtierd_scrape_skipped_processes` says how
 * many were left out), each in one read; a process that exits between
 * listing and reading is left out.
 *
 * @module
 */
import { PAGE_SIZE_BYTES } from "../common/units.ts";
import { errnoName } from "../ffi/errno.ts";
import type { MoverConfig, MoverStatus, MoverTask } from "../mover/mover.ts";
import type { NumaMapsEntry } from "../procfs/numa_maps.ts";
import type { PolicyDecisions, Stats } from "../stats/stats.ts";
import type { MetricFamily, Sample } from "./exposition.ts";
import { MB } from "../common/units.ts";

/** The mover as metrics read it. */
export interface MoverView {
  readonly status: MoverStatus;
  readonly config: Readonly<MoverConfig>;
  tasks(): readonly MoverTask[];
}

/** Where metrics come from; every member is read, never called to change anything. */
export interface MetricsSource {
  stats: Stats;
  /** Reads /proc/PID/numa_maps (throws when the process is gone). */
  numaMaps(pid: number): NumaMapsEntry[];
  /** The mover commands and policies queue on now. */
  mover(): MoverView;
  /** Processes the pidwatchers report now. */
  watchedPids(): readonly number[];
  /** Other processes memtierd works on now (selected at the prompt, queued on the mover). */
  activePids(): readonly number[];
  version: string;
  build: string;
  /** Most processes whose numa_maps one scrape reads (default 256). */
  maxProcesses?: number;
}

/** Default of `MetricsSource.maxProcesses`. */
const MAX_PROCESSES_PER_SCRAPE = 256;

const MOVER_STATES: readonly MoverStatus[] = ["NotRunning", "Paused", "Busy", "AllDone"];

function byNumber<V>(m: ReadonlyMap<number, V>): [number, V][] {
  return [...m].sort((a, b) => a[0] - b[0]);
}

function counter(name: string, help: string, samples: Sample[]): MetricFamily {
  return { name, help, type: "counter", samples };
}

function gauge(name: string, help: string, samples: Sample[]): MetricFamily {
  return { name, help, type: "gauge", samples };
}

/** Bytes per node of one process from its numa_maps (every mapping, file pages too). */
function nodeBytes(entries: readonly NumaMapsEntry[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const e of entries) {
    for (const [node, pages] of e.pagesByNode) {
      out.set(node, (out.get(node) ?? 0) + pages * e.pageSizeKiB * 1024);
    }
  }
  return out;
}

function processMemory(src: MetricsSource): { samples: Sample[]; skipped: number } {
  const pids = [...new Set([...src.watchedPids(), ...src.activePids()])].sort((a, b) => a - b);
  const max = src.maxProcesses ?? MAX_PROCESSES_PER_SCRAPE;
  const samples: Sample[] = [];
  for (const pid of pids.slice(0, max)) {
    let entries: NumaMapsEntry[];
    try {
      entries = src.numaMaps(pid);
    } catch {
      continue; // exited since it was listed, or not readable: nothing to show
    }
    for (const [node, bytes] of byNumber(nodeBytes(entries))) {
      samples.push({ labels: { pid, node }, value: bytes });
    }
  }
  return { samples, skipped: Math.max(0, pids.length - max) };
}

function decisionLabels(d: Readonly<PolicyDecisions>): Record<string, string | number> {
  return {
    policy: d.policy,
    pid: d.pid,
    destination: d.dest < 0 ? "swap" : d.dest,
    dry_run: String(d.dryRun),
  };
}

/** The metric families of one scrape, in a fixed order. */
export function collectMetrics(src: MetricsSource): MetricFamily[] {
  const stats = src.stats;
  const moves = byNumber(stats.moves());
  const madvise = byNumber(stats.madvise());
  const scans = byNumber(stats.scans());
  const mover = src.mover();
  const tasks = mover.tasks();
  const memory = processMemory(src);
  const decisions = [...stats.policyDecisions()].sort((a, b) =>
    a.policy < b.policy ? -1 : a.policy > b.policy ? 1 : a.pid - b.pid || a.dest - b.dest ||
      Number(a.dryRun) - Number(b.dryRun)
  );
  const pulses = [...stats.pulses()].sort((a, b) => a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

  const perPid = <T>(
    rows: [number, T][],
    value: (t: T) => number,
  ): Sample[] => rows.map(([pid, t]) => ({ labels: { pid }, value: value(t) }));

  return [
    gauge("memtierd_build_info", "memtierd's version and build; the value is always 1.", [
      { labels: { version: src.version, build: src.build }, value: 1 },
    ]),
    gauge(
      "memtierd_watched_processes",
      "Processes the pidwatchers report now.",
      [{ value: src.watchedPids().length }],
    ),
    gauge(
      "memtierd_process_node_memory_bytes",
      "Memory of a watched or worked-on process on a NUMA node, from /proc/PID/numa_maps " +
        "at scrape time (every mapping, file pages too).",
      memory.samples,
    ),
    gauge(
      "memtierd_scrape_skipped_processes",
      `Processes whose numa_maps this scrape did not read (at most ${
        src.maxProcesses ?? MAX_PROCESSES_PER_SCRAPE
      } are read).`,
      [{ value: memory.skipped }],
    ),
    counter(
      "memtierd_moved_bytes_total",
      "Bytes of a process that move_pages reported on the destination node (pages already " +
        "there count too).",
      moves.flatMap(([pid, m]) =>
        byNumber(m.byDestNode).map(([node, pages]) => ({
          labels: { pid, node },
          value: pages * PAGE_SIZE_BYTES,
        }))
      ),
    ),
    counter(
      "memtierd_swapped_out_bytes_total",
      "Bytes of a process in ranges process_madvise(MADV_PAGEOUT) advised out to swap, as the " +
        "kernel counts them: whole ranges, pages not present included.",
      perPid(madvise, (m) => (m.pagesByErrno.get(0) ?? 0) * PAGE_SIZE_BYTES),
    ),
    counter(
      "memtierd_move_pages_calls_total",
      "move_pages system calls on a process.",
      perPid(moves, (m) => m.calls),
    ),
    counter(
      "memtierd_move_pages_failed_pages_total",
      "Pages move_pages could not move, by the errno it gave for them.",
      moves.flatMap(([pid, m]) =>
        byNumber(m.byErrno).map(([errno, pages]) => ({
          labels: { pid, errno: errnoName(errno) },
          value: pages,
        }))
      ),
    ),
    counter(
      "memtierd_process_madvise_calls_total",
      "process_madvise system calls on a process.",
      perPid(madvise, (m) => m.calls),
    ),
    counter(
      "memtierd_process_madvise_failed_bytes_total",
      "Bytes process_madvise was asked to advise in calls that failed, by errno.",
      madvise.flatMap(([pid, m]) =>
        byNumber(m.pagesByErrno).filter(([errno]) => errno !== 0).map(([errno, pages]) => ({
          labels: { pid, errno: errnoName(errno) },
          value: pages * PAGE_SIZE_BYTES,
        }))
      ),
    ),
    counter(
      "memtierd_tracker_scans_total",
      "Tracker scans of a process.",
      perPid(scans, (s) => s.count),
    ),
    counter(
      "memtierd_tracker_scan_seconds_total",
      "Time tracker scans of a process took.",
      perPid(scans, (s) => s.sumTimeUs / 1e6),
    ),
    gauge(
      "memtierd_tracker_last_scan_seconds",
      "Time the latest tracker scan of a process took.",
      perPid(scans, (s) => s.lastTimeUs / 1e6),
    ),
    counter(
      "memtierd_tracker_scanned_pages_total",
      "Pages tracker scans of a process looked at.",
      perPid(scans, (s) => s.sumScanned),
    ),
    counter(
      "memtierd_tracker_accessed_pages_total",
      "Pages tracker scans of a process found accessed.",
      perPid(scans, (s) => s.sumAccessed),
    ),
    counter(
      "memtierd_tracker_written_pages_total",
      "Pages tracker scans of a process found written.",
      perPid(scans, (s) => s.sumWritten),
    ),
    gauge("memtierd_mover_tasks", "Tasks queued on the mover.", [{ value: tasks.length }]),
    gauge("memtierd_mover_queued_pages", "Pages the mover's tasks have left to move or swap.", [
      { value: tasks.reduce((n, t) => n + t.addrs.length - t.offset, 0) },
    ]),
    gauge(
      "memtierd_mover_bandwidth_bytes_per_second",
      "The mover's configured bandwidth limit.",
      [{ value: mover.config.Bandwidth * MB }],
    ),
    gauge(
      "memtierd_mover_state",
      "The mover's state: 1 for the state it is in, 0 for the others.",
      MOVER_STATES.map((state) => ({ labels: { state }, value: state === mover.status ? 1 : 0 })),
    ),
    counter(
      "memtierd_mover_dropped_tasks_total",
      "Mover tasks dropped before they were done (their process exited, or a move failed).",
      [{ value: stats.droppedTaskCount() }],
    ),
    counter(
      "memtierd_policy_rounds_total",
      "Rounds a policy finished.",
      [...stats.policyRounds()].sort((a, b) => a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0).map((
        [policy, rounds],
      ) => ({ labels: { policy }, value: rounds })),
    ),
    counter(
      "memtierd_policy_decisions_total",
      "Decisions of a policy to move pages of a process to a node or out to swap " +
        '(dry_run="true": logged, nothing queued).',
      decisions.map((d) => ({ labels: decisionLabels(d), value: d.decisions })),
    ),
    counter(
      "memtierd_policy_decided_bytes_total",
      "Bytes a policy's decisions queued on the mover (or would have, in a dry run).",
      decisions.map((d) => ({ labels: decisionLabels(d), value: d.pages * PAGE_SIZE_BYTES })),
    ),
    counter(
      "memtierd_events_total",
      "Beats of memtierd's loops and events, as `stats -t events` counts them " +
        "(Mover.round, RoutineStatActions.tick, ...).",
      pulses.map(([event, p]) => ({ labels: { event }, value: p.beats })),
    ),
  ];
}
