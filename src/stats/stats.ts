/**
 * The statistics store: what memtierd did, kept for the prompt's `stats`
 * tables and (later) a metrics endpoint to read: heartbeats of its loops,
 * process_madvise and move_pages calls per process, page errors, memory
 * scans, mover tasks dropped because their process went away, and what
 * policies decided (queued, or would have queued in a dry run).
 *
 * One `Stats` is shared by the prompt, the mover and (later) trackers and
 * policies; it is passed to them, not a global. Turning it into text is
 * render.ts's job.
 *
 * Memory stays bounded under process churn: what is kept per process
 * (process_madvise, move_pages, scans, policy decisions) is dropped
 * `exitedRetentionMs` (5 minutes) after the store first finds the process
 * gone, so that a scrape or a `stats` in between still shows its final
 * figures. It looks at most once every `sweepIntervalMs` (10 s), when
 * something is recorded or read, never on a timer of its own. Of dropped
 * mover tasks the latest `MAX_DROPPED_TASK_RECORDS` are kept, and their
 * total count.
 *
 * @module
 */
import type { MoveBatchRecord } from "../memory/move.ts";
import type { Clock } from "../time/clock.ts";

/** The tables `stats -t` can select, in their default order. */
export const STATS_TABLES = [
  "events",
  "process_madvise",
  "move_pages",
  "move_pages_errors",
  "memory_scans",
  "mover_dropped_tasks",
  "policy_decisions",
] as const;

export type StatsTable = typeof STATS_TABLES[number];
export type StatsFormat = "txt" | "csv";

/** One move_pages call as recorded. */
export interface MoveRecord {
  pid: number;
  result: number;
  firstPageAddr: number;
  destNode: number;
  requestedPages: number;
  onDestPages: number;
  onOtherPages: number;
  /** errno -> pages. */
  errors: Map<number, number>;
}

/** A mover task dropped before it was done. */
export interface DroppedTaskRecord {
  taskId: number;
  pid: number;
  /** The target node, or -1 for swap (as the Go memtierd writes it). */
  dest: number;
  /** Pages the task had not moved yet. */
  pagesLeft: number;
  /** Why, for people: `pid 42 exited`. */
  reason: string;
  /** The exit code the failure maps to (3 when the process went away). */
  exitCode: number;
  atMs: number;
}

/** What one policy decided for one process and destination, summed. */
export interface PolicyDecisions {
  policy: string;
  pid: number;
  /** The target node, or -1 for swap. */
  dest: number;
  /** True for decisions of a dry run (nothing was queued). */
  dryRun: boolean;
  decisions: number;
  pages: number;
  latestMs: number;
}

/** Beats of one named loop. */
export interface Pulse {
  beats: number;
  firstMs: number;
  latestMs: number;
}

/** process_madvise calls on one process. */
export interface PidMadvise {
  calls: number;
  pages: number;
  pagesByAdvice: Map<number, number>;
  pagesByErrno: Map<number, number>;
}

/** move_pages calls on one process. */
export interface PidMoves {
  calls: number;
  requested: number;
  onDest: number;
  onOther: number;
  byDestNode: Map<number, number>;
  byErrno: Map<number, number>;
  last?: MoveRecord;
  lastWithError?: MoveRecord;
}

/** Tracker scans of one process. */
export interface PidScans {
  count: number;
  sumTimeUs: number;
  sumScanned: number;
  sumAccessed: number;
  sumWritten: number;
  lastTimeUs: number;
  lastScanned: number;
  lastAccessed: number;
  lastWritten: number;
  maxTimeUs: number;
}

/** How long the data of an exited process stays, by default. */
export const EXITED_RETENTION_MS = 5 * 60_000;
/** How often, at most, the store looks for exited processes, by default. */
export const SWEEP_INTERVAL_MS = 10_000;
/** Dropped mover tasks kept for `stats -t mover_dropped_tasks` (the latest). */
export const MAX_DROPPED_TASK_RECORDS = 256;

/** How a `Stats` store tells exited processes (all three optional). */
export interface StatsOptions {
  /** Whether the process is still there (memtierd: /proc/PID exists). Default: always. */
  alive?: (pid: number) => boolean;
  exitedRetentionMs?: number;
  sweepIntervalMs?: number;
}

function inc(map: Map<number, number>, key: number, by: number): void {
  map.set(key, (map.get(key) ?? 0) + by);
}

/** The statistics store. */
export class Stats {
  #clock: Clock;
  #pulses = new Map<string, Pulse>();
  #madvise = new Map<number, PidMadvise>();
  #moves = new Map<number, PidMoves>();
  #scans = new Map<number, PidScans>();
  #recording: MoveRecord[] | undefined;
  #dropped: DroppedTaskRecord[] = [];
  #droppedTotal = 0;
  #firstDropExitCode: number | undefined;
  #decisions = new Map<string, PolicyDecisions>();
  #policyRounds = new Map<string, number>();
  /** Every pid with data here -> when it was first found gone (undefined: alive). */
  #pids = new Map<number, number | undefined>();
  #alive: (pid: number) => boolean;
  #retentionMs: number;
  #sweepIntervalMs: number;
  #lastSweepMs: number;

  constructor(clock: Clock, options: StatsOptions = {}) {
    this.#clock = clock;
    this.#alive = options.alive ?? (() => true);
    this.#retentionMs = options.exitedRetentionMs ?? EXITED_RETENTION_MS;
    this.#sweepIntervalMs = options.sweepIntervalMs ?? SWEEP_INTERVAL_MS;
    this.#lastSweepMs = clock.now();
  }

  /** Notes that `pid` has data here, and looks for exited processes when it is time. */
  #touch(pid: number): void {
    this.#sweepIfDue();
    if (!this.#pids.has(pid)) this.#pids.set(pid, undefined);
  }

  #sweepIfDue(): void {
    const now = this.#clock.now();
    if (now - this.#lastSweepMs < this.#sweepIntervalMs) return;
    this.#lastSweepMs = now;
    const forget = new Set<number>();
    for (const [pid, goneMs] of this.#pids) {
      if (this.#alive(pid)) {
        // A pid reused by a new process: its figures add to the old ones.
        if (goneMs !== undefined) this.#pids.set(pid, undefined);
      } else if (goneMs === undefined) this.#pids.set(pid, now);
      else if (now - goneMs >= this.#retentionMs) forget.add(pid);
    }
    if (forget.size === 0) return;
    for (const pid of forget) {
      this.#pids.delete(pid);
      this.#madvise.delete(pid);
      this.#moves.delete(pid);
      this.#scans.delete(pid);
    }
    for (const [key, d] of this.#decisions) if (forget.has(d.pid)) this.#decisions.delete(key);
  }

  /** Processes the store holds data of (exited ones until they are dropped). */
  processCount(): number {
    this.#sweepIfDue();
    return this.#pids.size;
  }

  /** Counts one beat of a named loop. */
  heartbeat(name: string): void {
    const t = this.#clock.now();
    const p = this.#pulses.get(name);
    if (p) {
      p.beats++;
      p.latestMs = t;
    } else this.#pulses.set(name, { beats: 1, firstMs: t, latestMs: t });
  }

  /** Records one process_madvise call: `pages` asked, `errno` 0 when it succeeded. */
  recordMadvise(pid: number, advice: number, pages: number, errno: number): void {
    this.#touch(pid);
    let m = this.#madvise.get(pid);
    if (!m) {
      m = { calls: 0, pages: 0, pagesByAdvice: new Map(), pagesByErrno: new Map() };
      this.#madvise.set(pid, m);
    }
    m.calls++;
    m.pages += pages;
    inc(m.pagesByAdvice, advice, pages);
    inc(m.pagesByErrno, errno, pages);
  }

  /** Pages advised with `advice` (all pids when pid is undefined). */
  madvisedPages(advice: number, pid?: number): number {
    let n = 0;
    for (const [p, m] of this.#madvise) {
      if (pid === undefined || p === pid) n += m.pagesByAdvice.get(advice) ?? 0;
    }
    return n;
  }

  /** Records one move_pages call (the mover's `onBatch`). */
  recordMove(batch: MoveBatchRecord): void {
    const rec: MoveRecord = {
      pid: batch.pid,
      result: batch.result,
      firstPageAddr: batch.addrs[0] ?? 0,
      destNode: batch.toNode,
      requestedPages: batch.addrs.length,
      onDestPages: 0,
      onOtherPages: 0,
      errors: new Map(),
    };
    for (let i = 0; i < batch.addrs.length; i++) {
      const s = batch.status[i]!;
      if (s === batch.toNode) rec.onDestPages++;
      else if (s >= 0) rec.onOtherPages++;
      else inc(rec.errors, -s, 1);
    }
    this.#touch(rec.pid);
    let m = this.#moves.get(rec.pid);
    if (!m) {
      m = {
        calls: 0,
        requested: 0,
        onDest: 0,
        onOther: 0,
        byDestNode: new Map(),
        byErrno: new Map(),
      };
      this.#moves.set(rec.pid, m);
    }
    m.calls++;
    m.requested += rec.requestedPages;
    m.onDest += rec.onDestPages;
    m.onOther += rec.onOtherPages;
    inc(m.byDestNode, rec.destNode, rec.onDestPages);
    for (const [e, n] of rec.errors) inc(m.byErrno, e, n);
    m.last = rec;
    if (rec.errors.size > 0) m.lastWithError = rec;
    this.#recording?.push(rec);
  }

  /** Records one scan of a process's memory by a tracker. */
  recordScan(pid: number, timeUs: number, scanned: number, accessed: number, written: number) {
    this.#touch(pid);
    let s = this.#scans.get(pid);
    if (!s) {
      s = {
        count: 0,
        sumTimeUs: 0,
        sumScanned: 0,
        sumAccessed: 0,
        sumWritten: 0,
        lastTimeUs: 0,
        lastScanned: 0,
        lastAccessed: 0,
        lastWritten: 0,
        maxTimeUs: 0,
      };
      this.#scans.set(pid, s);
    }
    s.count++;
    s.sumTimeUs += timeUs;
    s.sumScanned += scanned;
    s.sumAccessed += accessed;
    s.sumWritten += written;
    s.lastTimeUs = timeUs;
    s.lastScanned = scanned;
    s.lastAccessed = accessed;
    s.lastWritten = written;
    s.maxTimeUs = Math.max(s.maxTimeUs, timeUs);
  }

  /** Records a mover task dropped before it was done. */
  recordDroppedTask(r: Omit<DroppedTaskRecord, "atMs">): void {
    this.#dropped.push({ ...r, atMs: this.#clock.now() });
    if (this.#dropped.length > MAX_DROPPED_TASK_RECORDS) this.#dropped.shift();
    this.#droppedTotal++;
    this.#firstDropExitCode ??= r.exitCode;
  }

  /** Records that a policy queued (or, in a dry run, would have queued) pages. */
  recordPolicyDecision(
    d: { policy: string; pid: number; dest: number; pages: number; dryRun: boolean },
  ): void {
    this.#touch(d.pid);
    const key = `${d.policy}\0${d.pid}\0${d.dest}\0${d.dryRun}`;
    let s = this.#decisions.get(key);
    if (!s) {
      s = {
        policy: d.policy,
        pid: d.pid,
        dest: d.dest,
        dryRun: d.dryRun,
        decisions: 0,
        pages: 0,
        latestMs: 0,
      };
      this.#decisions.set(key, s);
    }
    s.decisions++;
    s.pages += d.pages;
    s.latestMs = this.#clock.now();
  }

  /** Policy decisions, summed per policy, pid, destination and dry run. */
  policyDecisions(): readonly Readonly<PolicyDecisions>[] {
    this.#sweepIfDue();
    return [...this.#decisions.values()];
  }

  /** Counts one finished round of a policy. */
  recordPolicyRound(policy: string): void {
    this.#policyRounds.set(policy, (this.#policyRounds.get(policy) ?? 0) + 1);
  }

  /** Finished rounds per policy name. */
  policyRounds(): ReadonlyMap<string, number> {
    return this.#policyRounds;
  }

  /** The latest mover tasks dropped (at most `MAX_DROPPED_TASK_RECORDS`), oldest first. */
  droppedTasks(): readonly Readonly<DroppedTaskRecord>[] {
    return this.#dropped;
  }

  /** Mover tasks dropped so far, all of them. */
  droppedTaskCount(): number {
    return this.#droppedTotal;
  }

  /** The exit code of the first mover task dropped (undefined: none was). */
  firstDropExitCode(): number | undefined {
    return this.#firstDropExitCode;
  }

  /** The pulses of each named loop. */
  pulses(): ReadonlyMap<string, Readonly<Pulse>> {
    return this.#pulses;
  }

  /** process_madvise calls per pid. */
  madvise(): ReadonlyMap<number, Readonly<PidMadvise>> {
    this.#sweepIfDue();
    return this.#madvise;
  }

  /** move_pages calls per pid. */
  moves(): ReadonlyMap<number, Readonly<PidMoves>> {
    this.#sweepIfDue();
    return this.#moves;
  }

  /** Tracker scans per pid. */
  scans(): ReadonlyMap<number, Readonly<PidScans>> {
    this.#sweepIfDue();
    return this.#scans;
  }

  /** The time now on the store's clock (for "seconds ago" columns). */
  nowMs(): number {
    return this.#clock.now();
  }

  /** The last move of `pid`, or undefined. */
  lastMove(pid: number): MoveRecord | undefined {
    return this.#moves.get(pid)?.last;
  }

  /** The last move of `pid` that had page errors, or undefined. */
  lastMoveWithError(pid: number): MoveRecord | undefined {
    return this.#moves.get(pid)?.lastWithError;
  }

  /** Starts (or restarts) keeping every move record, for `stats -dump moves`. */
  startRecording(): void {
    this.#recording = [];
  }

  /** Stops keeping move records. */
  stopRecording(): void {
    this.#recording = undefined;
  }

  /** The moves recorded since the last call, or undefined when not recording. */
  takeRecorded(): MoveRecord[] | undefined {
    if (!this.#recording) return undefined;
    const taken = this.#recording;
    this.#recording = [];
    return taken;
  }
}
