/**
 * The `damon` tracker: the kernel's DAMON monitors access; memtierd sets it
 * up through DAMON's sysfs interface and reads its results without bpftrace
 * or perf.
 *
 * Each watched process gets a kdamond of its own (tried regions carry no
 * target index, so one target per kdamond is how a region's process is
 * known). Results are read once per aggregation interval: the
 * `damon:damon_aggregated` events the kdamonds emitted meanwhile, from a
 * tracefs instance of memtierd's own (each kdamond's events carry its
 * thread's pid); where tracefs or the tracepoint is missing, each round
 * asks the kernel to refresh a `stat` scheme's tried regions (the scheme
 * admits every region) and reads them, four sysfs files per region. Either
 * way each region's `nr_accesses` is added to the counter of (pid, region).
 *
 * Kdamonds: those in `KdamondsList`, or (empty list) every kdamond that is
 * off and has no context, growing `nr_kdamonds` when it is 0 or when no
 * kdamond holds anything. A running kdamond that is not listed is never
 * touched; a listed one that runs is switched off and taken over, with a
 * warning. Stop switches memtierd's kdamonds off, removes their contexts
 * and puts `nr_kdamonds` back if memtierd raised it from 0. Each kdamond
 * memtierd sets up has an ownership record (`kdamond_records.ts`) that a
 * SIGKILL leaves behind: the next memtierd reclaims a kdamond whose record
 * proves its taker gone, and touches no other.
 *
 * Regions: without `SysfsRegionsManager` (the Go memtierd's configs have
 * none) or with 1, memtierd writes the process's anon and heap ranges as
 * the target's regions and monitors them with `fvaddr` (exactly those
 * regions), refreshed when the ranges change; a kernel without fvaddr gets
 * vaddr. With 0, DAMON's `vaddr` picks regions itself from its three-region
 * guess, which on processes with huge sparse reservations (V8, JVMs, Go)
 * spreads the regions over never-touched address space: they grow above
 * `FilterAddressRangeSizeMax` and are not counted, which one warning per
 * process says (the counts stay empty).
 *
 * @module
 */
import { errorText } from "../common/error_text.ts";
import { ConfigError } from "../config/config_error.ts";
import * as v from "valibot";
import { intInRange, parseWithSchema } from "../config/schema.ts";
import { UnsupportedError } from "../errors.ts";
import { Loop } from "../loop/loop.ts";
import type { ComponentDeps, ComponentFactory } from "../lifecycle/deps.ts";
import { type AddrRange, mergeRanges, PAGE_SIZE_BYTES } from "../memory/addr_range.ts";
import { processRanges } from "../memory/process_ranges.ts";
import type { WatchedPid } from "../pidwatchers/pidwatcher.ts";
import { type DamonAttrs, type DamonIo, type DamonRegion, DamonSysfs } from "../sysfs/damon.ts";
import { KdamondRecords } from "../sysfs/kdamond_records.ts";
import {
  type DamonAggregated,
  DamonTrace,
  realTraceIo,
  type TraceIo,
} from "../sysfs/damon_trace.ts";
import type { Tracker, TrackerCounter } from "./tracker.ts";

const U32 = 4294967295;

const schema = v.pipe(
  v.strictObject({
    Connection: v.optional(
      v.pipe(
        v.string(
          "must be bpftrace or perf (memtierd reads DAMON itself either way: tracefs events, or sysfs)",
        ),
        v.check(
          (s) => s === "" || s === "bpftrace" || s === "perf" || s.startsWith("perf "),
          "must be bpftrace or perf (memtierd reads DAMON itself either way: tracefs events, or sysfs)",
        ),
      ),
      "",
    ),
    SamplingUs: v.optional(intInRange(0, U32), 0),
    AggregationUs: v.optional(intInRange(0, U32), 0),
    RegionsUpdateUs: v.optional(intInRange(0, U32), 0),
    MinTargetRegions: v.optional(
      v.pipe(
        intInRange(0, U32),
        v.check((n) => n === 0 || n >= 3, "must be at least 3 (DAMON's minimum), or 0 for 10"),
      ),
      0,
    ),
    MaxTargetRegions: v.optional(intInRange(0, U32), 0),
    FilterAddressRangeSizeMax: v.optional(intInRange(-1, Number.MAX_SAFE_INTEGER), 0),
    Interface: v.optional(
      v.pipe(
        intInRange(0, 2),
        v.check(
          (n) => n !== 2,
          "debugfs (2) is not supported: memtierd reads DAMON through sysfs (use 0 or 1)",
        ),
      ),
      0,
    ),
    // Absent: fvaddr over the process's ranges where the kernel has it.
    SysfsRegionsManager: v.optional(intInRange(0, 1)),
    KdamondsList: v.optional(v.array(intInRange(0, 65535), "must be a list of kdamond ids"), []),
    NrKdamonds: v.optional(intInRange(0, 65535), 0),
  }),
  // Zeros take the defaults, as in the Go memtierd.
  v.transform((c) => ({
    ...c,
    SamplingUs: c.SamplingUs || 5000,
    AggregationUs: c.AggregationUs || 100000,
    RegionsUpdateUs: c.RegionsUpdateUs || 1000000,
    MinTargetRegions: c.MinTargetRegions || 10,
    MaxTargetRegions: c.MaxTargetRegions || 1000,
    FilterAddressRangeSizeMax: c.FilterAddressRangeSizeMax || 33554432,
  })),
);

/** The damon tracker's config, with defaults filled in. */
export type DamonConfig = v.InferOutput<typeof schema>;

/** Parses a damon config (text, map, or undefined for the defaults). */
export function parseDamonConfig(raw: unknown, what = "tracker damon"): DamonConfig {
  const c = parseWithSchema(schema, raw, what);
  if (c.MaxTargetRegions < c.MinTargetRegions) {
    throw new ConfigError({
      reason:
        `must not be below MinTargetRegions ${c.MinTargetRegions} (got ${c.MaxTargetRegions})`,
      keyPath: ["MaxTargetRegions"],
      component: what,
    });
  }
  return c;
}

/**
 * Rounds in a row a kdamond may find DAMON busy before one warning (at the
 * 100 ms rounds, 10 s): shorter waits are a kdamond ending or another
 * user's command, and only a debug line.
 */
const BUSY_ROUNDS_WARN = 100;

/** What the tracker knows of one kdamond it owns. */
interface Owned {
  id: number;
  pid: number | undefined;
  /** The kdamond thread's pid (its events carry it), read after it is switched on. */
  threadPid?: number;
  /** The aggregation being read from events: its regions so far. */
  agg?: Aggregation | undefined;
  /** The regions written for the target (fvaddr), to see when they change. */
  regionsKey: string;
  /** When the process's ranges were last read (clock ms): every RegionsUpdateUs at most. */
  regionsAtMs?: number;
  /** Rounds in a row that found DAMON's lock taken (BUSY_ROUNDS_WARN: one warning). */
  busyRounds?: number;
  /** The last round's tried regions: how many, their bytes, how many the filter dropped. */
  last?: { regions: number; totalBytes: number; dropped: number };
}

/** An aggregation's regions as read from events so far (address order). */
interface Aggregation {
  lastStart: number;
  regions: number;
  totalBytes: number;
  dropped: number;
  droppedBytes: number;
}

/** An event's region. */
function regionOf(e: DamonAggregated): DamonRegion {
  return { startAddr: e.startAddr, endAddr: e.endAddr, nrAccesses: e.nrAccesses, age: e.age };
}

/** One tried region as read in a round, for `dump raw`. */
interface RawRow {
  timestampNs: number;
  kdamond: number;
  pid: number;
  region: DamonRegion;
  /** False when FilterAddressRangeSizeMax dropped it from the counters. */
  counted: boolean;
}

/**
 * Rows kept between two `dump raw new` at most: a round every 100 ms with
 * 1000 regions would otherwise grow without bound if nobody reads them.
 */
const RAW_ROWS_MAX = 100_000;

const RAW_USAGE = "tracker damon: dump accepts: kdamonds, raw start|new|stop";

/** Options for tests: the DAMON file layer. */
export interface DamonTrackerOptions {
  io?: DamonIo;
  /** tracefs for DAMON's events; null: read the sysfs tried regions. Default: the real one. */
  traceIo?: TraceIo | null;
  /** memtierd's pid, in its tracefs instance's name. */
  pid?: number;
  onWrite?: (path: string, text: string) => void;
  /**
   * The folder of kdamond ownership records. Default `/run/memtierd/kdamonds`,
   * or `run/memtierd/kdamonds` beside a /sys root other than `/sys`.
   */
  recordDir?: string;
}

/** The damon tracker. */
export class DamonTracker implements Tracker {
  readonly config: DamonConfig;
  #deps: ComponentDeps;
  #damon: DamonSysfs;
  #pids = new Set<number>();
  #owned: Owned[] = [];
  /** nr_kdamonds before memtierd raised it from 0 (restored on stop). */
  #raisedFromZero = false;
  #started = false;
  #loop: Loop | undefined;
  /** "pid start end" -> counter. */
  #counters = new Map<string, TrackerCounter>();
  #operations = "vaddr";
  #warnedNoKdamond = new Set<number>();
  /** Pids told once that most of their regions were too large to count. */
  #warnedFiltered = new Set<number>();
  /** Aggregations in a row in which most of a pid's bytes were too large to count. */
  #filteredStreak = new Map<number, number>();
  /** Rows recorded since the last `dump raw new` (undefined: not recording). */
  #raw: RawRow[] | undefined;
  #rawDropped = 0;
  #traceIo: TraceIo | null | undefined;
  #tracePid: number | undefined;
  /** DAMON's events, while started; undefined: the sysfs tried regions are read. */
  #trace: DamonTrace | undefined;
  /** Who took which kdamond, kept where a SIGKILL leaves it (kdamond_records.ts). */
  #records: KdamondRecords;
  /** Whether the records can be kept (their folder is usable). */
  #recordsOk = false;
  #warnedRecordWrite = false;

  constructor(config: DamonConfig, deps: ComponentDeps, options: DamonTrackerOptions = {}) {
    this.config = config;
    this.#deps = deps;
    this.#damon = new DamonSysfs({
      root: deps.sysfs.root,
      ...(options.io ? { io: options.io } : {}),
      ...(options.onWrite ? { onWrite: options.onWrite } : {}),
    });
    this.#traceIo = options.traceIo;
    this.#tracePid = options.pid;
    const sysRoot = deps.sysfs.root;
    this.#records = new KdamondRecords({
      dir: options.recordDir ??
        (sysRoot === "/sys" ? "/run/memtierd/kdamonds" : `${sysRoot}/../run/memtierd/kdamonds`),
      procRoot: deps.procfs.root,
      ...(options.pid === undefined ? {} : { pid: options.pid }),
    });
  }

  get #attrs(): DamonAttrs {
    const c = this.config;
    return {
      sampleUs: c.SamplingUs,
      aggrUs: c.AggregationUs,
      updateUs: c.RegionsUpdateUs,
      minNrRegions: c.MinTargetRegions,
      maxNrRegions: c.MaxTargetRegions,
    };
  }

  /** Kdamond ids memtierd owns, with the pid each monitors. */
  kdamonds(): { id: number; pid: number | undefined }[] {
    return this.#owned.map((o) => ({ id: o.id, pid: o.pid }));
  }

  addPids(pids: readonly WatchedPid[]): void {
    for (const w of pids) this.#pids.add(w.pid);
    if (this.#started) this.#apply();
  }

  removePids(pids: readonly WatchedPid[]): void {
    for (const { pid: p } of pids) {
      this.#pids.delete(p);
      this.#warnedNoKdamond.delete(p);
      this.#warnedFiltered.delete(p);
      this.#filteredStreak.delete(p);
      for (const [key, c] of this.#counters) if (c.pid === p) this.#counters.delete(key);
    }
    if (this.#started) this.#apply();
  }

  start(): void {
    if (this.#started) return;
    const log = this.#deps.logger;
    if (this.config.Connection !== "") {
      log.info(
        `tracker damon: Connection ${
          JSON.stringify(this.config.Connection)
        } is not used: memtierd reads DAMON itself (tracefs events, or sysfs)`,
      );
    }
    if (!this.#damon.available()) {
      throw new UnsupportedError(
        `Cannot start tracker damon: ${this.#damon.dir} is missing (the kernel needs CONFIG_DAMON_SYSFS)`,
      );
    }
    const problem = this.#records.open();
    this.#recordsOk = problem === undefined;
    if (problem !== undefined) {
      log.warn(
        `tracker damon: cannot keep kdamond ownership records (${problem}): ` +
          "a kdamond left on by a killed memtierd is not reclaimed, and one this memtierd " +
          "leaves when killed will not be either",
      );
    }
    this.#claimKdamonds();
    this.#openTrace();
    this.#started = true;
    try {
      this.#apply();
    } catch (e) {
      this.#closeTrace();
      throw e;
    }
    this.#loop = new Loop({
      name: "tracker damon",
      clock: this.#deps.clock,
      intervalMs: Math.max(100, Math.round(this.config.AggregationUs / 1000)),
      immediate: false,
      round: () => this.round(),
      stats: this.#deps.stats,
      logger: log,
    });
    this.#loop.start();
  }

  /**
   * Opens memtierd's tracefs instance for DAMON's events; where that is not
   * possible, says why once and reads the sysfs tried regions instead.
   */
  #openTrace(): void {
    const io = this.#traceIo === undefined ? realTraceIo(this.#deps.syscalls()) : this.#traceIo;
    if (io === null) return;
    try {
      this.#trace = DamonTrace.open({
        sysRoot: this.#deps.sysfs.root,
        procRoot: this.#deps.procfs.root,
        io,
        ...(this.#tracePid === undefined ? {} : { pid: this.#tracePid }),
      });
    } catch (e) {
      this.#deps.logger.info(
        `tracker damon: reading DAMON's tried regions through sysfs every round, not its events: ${
          e instanceof Error ? e.message : String(e)
        }`,
      );
    }
  }

  #closeTrace(): void {
    const t = this.#trace;
    this.#trace = undefined;
    if (!t) return;
    try {
      t.close();
    } catch (e) {
      this.#deps.logger.warn(
        `tracker damon: Cannot remove tracefs instance ${t.dir}: ${
          e instanceof Error ? e.message : String(e)
        }`,
      );
    }
  }

  /** Picks the kdamonds memtierd uses; raises nr_kdamonds where that is safe. */
  #claimKdamonds(): void {
    const d = this.#damon;
    const list = this.config.KdamondsList;
    let nr = d.nrKdamonds();
    if (list.length > 0) {
      const need = Math.max(...list) + 1;
      if (nr === 0) {
        d.setNrKdamonds(Math.max(need, this.config.NrKdamonds));
        this.#raisedFromZero = true;
        nr = d.nrKdamonds();
      }
      const missing = list.filter((k) => k >= nr);
      if (missing.length > 0) {
        throw new UnsupportedError(
          `Cannot start tracker damon: KdamondsList names kdamond ${missing[0]}, ` +
            `but there are ${nr} (ids 0-${
              nr - 1
            }; nr_kdamonds changes only while every kdamond is off)`,
        );
      }
      this.#owned = list.map((id) => ({ id, pid: undefined, regionsKey: "" }));
      for (const o of this.#owned) {
        if (d.state(o.id) !== "off" && !this.#reclaim(o.id)) {
          this.#deps.logger.warn(
            `tracker damon: kdamond ${o.id} is running; taking it over as KdamondsList says`,
          );
          d.command(o.id, "off");
        }
      }
      return;
    }
    // Auto: free kdamonds are off and hold no context.
    const want = Math.max(this.config.NrKdamonds, this.#pids.size, 1);
    const free: number[] = [];
    let anyInUse = false;
    for (let k = 0; k < nr; k++) {
      if ((d.state(k) === "off" && d.nrContexts(k) === 0) || this.#reclaim(k)) free.push(k);
      else anyInUse = true;
    }
    if (free.length < want && (nr === 0 || !anyInUse)) {
      d.setNrKdamonds(want);
      if (nr === 0) this.#raisedFromZero = true;
      nr = d.nrKdamonds();
      free.length = 0;
      for (let k = 0; k < nr; k++) free.push(k);
    }
    if (free.length === 0) {
      throw new UnsupportedError(
        `Cannot start tracker damon: all ${nr} kdamonds are in use by someone else ` +
          "(on, or holding a context); list the ones memtierd may take in KdamondsList",
      );
    }
    this.#owned = free.map((id) => ({ id, pid: undefined, regionsKey: "" }));
  }

  /**
   * Switches off and empties kdamond `k` when its ownership record proves
   * that a memtierd which is gone took it and that it still holds what
   * that one left (the same target; the same thread, if on and recorded);
   * says so in one INFO line. A kdamond without a readable record, or
   * whose taker may still run, is left alone. Returns whether it is free now.
   */
  #reclaim(k: number): boolean {
    if (!this.#recordsOk) return false;
    const d = this.#damon;
    const rec = this.#records.read(k);
    if (rec === undefined) return false;
    const gone = this.#records.takerGone(rec);
    if (gone === undefined) return false;
    const state = d.state(k);
    const contexts = d.nrContexts(k);
    let target: number | undefined;
    if (contexts > 0 && d.readInt(`${k}/contexts/0/targets/nr_targets`) > 0) {
      target = d.readInt(`${k}/contexts/0/targets/0/pid_target`);
    }
    // Somebody else set it up after the taker died: not ours to take.
    if (target !== undefined && target !== rec.target) return false;
    if (state !== "off" && rec.thread !== undefined && Number(d.read(`${k}/pid`)) !== rec.thread) {
      return false;
    }
    if (state !== "off") d.command(k, "off");
    if (contexts > 0) d.removeContexts(k);
    this.#records.remove(k);
    this.#deps.logger.info(
      `tracker damon: kdamond ${k} (${state}, monitoring pid ${
        target ?? rec.target
      }) was taken by memtierd pid ${rec.pid}, which ${gone}: reclaimed`,
    );
    return true;
  }

  /** Writes this memtierd's record of kdamond `k`; a failure is said once, not fatal. */
  #record(k: number, target: number, thread?: number): void {
    if (!this.#recordsOk) return;
    try {
      this.#records.write(k, target, thread);
    } catch (e) {
      if (this.#warnedRecordWrite) return;
      this.#warnedRecordWrite = true;
      this.#deps.logger.warn(
        `tracker damon: ${e instanceof Error ? e.message : String(e)}: ` +
          "if this memtierd is killed, the next one will not reclaim the kdamond",
      );
    }
  }

  /** Removes this memtierd's record of kdamond `k` (its context was removed). */
  #unrecord(k: number): void {
    if (!this.#recordsOk) return;
    try {
      this.#records.remove(k);
    } catch (e) {
      this.#deps.logger.warn(
        `tracker damon: cannot remove ${this.#records.dir}/kdamond-${k}: ${
          e instanceof Error ? e.message : String(e)
        }`,
      );
    }
  }

  /**
   * Whether memtierd writes the target's regions: SysfsRegionsManager 1, or
   * (absent) where the kernel has fvaddr, so that a process reserving huge
   * sparse ranges is monitored where its memory is.
   */
  #manageRegions(avail: readonly string[]): boolean {
    const m = this.config.SysfsRegionsManager;
    return m === 1 || (m === undefined && avail.includes("fvaddr"));
  }

  #regionsFor(pid: number): AddrRange[] {
    return mergeRanges(processRanges(this.#deps.procfs, pid));
  }

  /** Gives each pid a kdamond of its own; frees the kdamonds of pids gone. */
  #apply(): void {
    const d = this.#damon;
    const log = this.#deps.logger;
    for (const o of this.#owned) {
      if (o.pid !== undefined && !this.#pids.has(o.pid)) {
        if (d.state(o.id) !== "off") d.command(o.id, "off");
        d.removeContexts(o.id);
        this.#unrecord(o.id);
        o.pid = undefined;
        o.regionsKey = "";
      }
    }
    const assigned = new Set(this.#owned.map((o) => o.pid));
    for (const pid of [...this.#pids].sort((a, b) => a - b)) {
      if (assigned.has(pid)) continue;
      let o = this.#owned.find((x) => x.pid === undefined);
      while (o && !this.#stillFree(o.id)) {
        const taken = o;
        this.#owned = this.#owned.filter((x) => x !== taken);
        o = this.#owned.find((x) => x.pid === undefined);
      }
      if (!o) {
        if (!this.#warnedNoKdamond.has(pid)) {
          this.#warnedNoKdamond.add(pid);
          log.warn(
            `tracker damon: no free kdamond for pid ${pid} (memtierd has ${this.#owned.length}; ` +
              "give NrKdamonds or KdamondsList): not tracked",
          );
        }
        continue;
      }
      try {
        this.#startKdamond(o, pid);
      } catch (e) {
        if (this.#deps.procfs.isGone(pid)) {
          this.#release(o);
          continue;
        }
        this.#release(o);
        throw e;
      }
    }
  }

  /**
   * Whether kdamond `k`, held free by memtierd, is free still. With
   * KdamondsList it is memtierd's by config; otherwise somebody (another
   * memtierd) may have set it up since this one started: then it is theirs,
   * and memtierd lets it go, saying so.
   */
  #stillFree(k: number): boolean {
    if (this.config.KdamondsList.length > 0) return true;
    const d = this.#damon;
    const other = this.#recordsOk ? this.#records.heldByAnother(k) : undefined;
    if (d.state(k) === "off" && d.nrContexts(k) === 0 && other === undefined) return true;
    this.#deps.logger.info(
      `tracker damon: kdamond ${k} was set up by ${
        other === undefined ? "someone else" : `memtierd pid ${other}`
      } since this memtierd started: left to them`,
    );
    return false;
  }

  #release(o: Owned): void {
    const d = this.#damon;
    try {
      if (d.state(o.id) !== "off") d.command(o.id, "off");
      d.removeContexts(o.id);
      this.#unrecord(o.id);
    } finally {
      o.pid = undefined;
      o.regionsKey = "";
    }
  }

  #startKdamond(o: Owned, pid: number): void {
    const d = this.#damon;
    if (d.state(o.id) !== "off") d.command(o.id, "off");
    // Before the context: a kill from here on leaves a record naming it.
    this.#record(o.id, pid);
    d.write(`${o.id}/contexts/nr_contexts`, 1);
    const avail = d.availOperations(o.id);
    const manage = this.#manageRegions(avail);
    const regions = manage ? this.#regionsFor(pid) : [];
    this.#operations = manage && avail.includes("fvaddr") ? "fvaddr" : "vaddr";
    if (!avail.includes(this.#operations)) {
      throw new UnsupportedError(
        `Cannot start tracker damon: kdamond ${o.id} offers operations ${
          avail.join(" ")
        }, not vaddr (the kernel needs CONFIG_DAMON_VADDR)`,
      );
    }
    d.setupContext(o.id, this.#operations, this.#attrs, pid, regions);
    d.command(o.id, "on");
    o.pid = pid;
    o.regionsKey = JSON.stringify(regions);
    o.regionsAtMs = this.#deps.clock.now();
    o.agg = undefined;
    // Its events carry the thread's pid; the record names it too, so that
    // a kdamond switched on again by somebody else is not taken for it.
    const thread = Number(d.read(`${o.id}/pid`));
    if (this.#trace) o.threadPid = thread;
    if (Number.isSafeInteger(thread) && thread > 0) this.#record(o.id, pid, thread);
  }

  /**
   * One round: restarts or frees kdamonds that stopped, refreshes fvaddr
   * regions, then reads what DAMON found: the events since the last round,
   * or (without tracefs) each kdamond's tried regions, refreshed on demand.
   */
  round(): void {
    const log = this.#deps.logger;
    for (const o of this.#owned) {
      try {
        this.#kdamondRound(o);
        o.busyRounds = 0;
      } catch (e) {
        if (!(e instanceof Deno.errors.Busy)) throw e;
        // DAMON's lock stayed taken beyond whileBusy's retries (a kdamond
        // ending its target's monitoring holds it, under QEMU for seconds;
        // another user's command): this kdamond waits for the next round.
        o.busyRounds = (o.busyRounds ?? 0) + 1;
        const line = `tracker damon: kdamond ${o.id} busy (${errorText(e)}); ` +
          `${o.busyRounds} round(s) skipped`;
        if (o.busyRounds === BUSY_ROUNDS_WARN) log.warn(line);
        else log.debug(line);
      }
    }
    if (this.#trace) this.#readEvents(this.#trace);
  }

  /** One round of one kdamond (see round). */
  #kdamondRound(o: Owned): void {
    const d = this.#damon;
    const log = this.#deps.logger;
    const pid = o.pid;
    if (pid === undefined) return;
    if (d.state(o.id) === "off") {
      // A kdamond stops by itself when its target exits.
      if (this.#deps.procfs.isGone(pid)) {
        log.info(`tracker damon: pid ${pid} exited, kdamond ${o.id} freed`);
        this.#pids.delete(pid);
        this.#release(o);
      } else {
        log.warn(`tracker damon: kdamond ${o.id} of pid ${pid} stopped; starting it again`);
        this.#startKdamond(o, pid);
      }
      return;
    }
    if (this.#operations === "fvaddr") this.#refreshRegions(o, pid);
    if (this.#trace) return;
    const t0 = this.#deps.clock.now();
    if (!this.#tryCommand(o.id, "update_schemes_tried_regions")) return;
    const { regions, totalBytes } = d.triedRegions(o.id);
    const timestampNs = this.#raw ? Math.round(this.#deps.clock.wallMs() * 1e6) : 0;
    let dropped = 0;
    let droppedBytes = 0;
    let scanned = 0;
    let accessed = 0;
    for (const r of regions) {
      const pages = this.#count(o.id, pid, r, timestampNs);
      if (pages === 0) {
        dropped++;
        droppedBytes += r.endAddr - r.startAddr;
        continue;
      }
      scanned += pages;
      if (r.nrAccesses > 0) accessed += pages;
    }
    o.last = { regions: regions.length, totalBytes, dropped };
    this.#warnIfFiltered(pid, dropped, regions.length, droppedBytes, totalBytes);
    const timeUs = Math.round((this.#deps.clock.now() - t0) * 1000);
    this.#deps.stats.recordScan(pid, timeUs, scanned, accessed, 0);
  }

  /**
   * Adds a region's accesses to the counter of (pid, region) and records it
   * for `dump raw`. Returns its pages, 0 when FilterAddressRangeSizeMax
   * keeps it out.
   */
  #count(kdamond: number, pid: number, r: DamonRegion, timestampNs: number): number {
    const len = r.endAddr - r.startAddr;
    const max = this.config.FilterAddressRangeSizeMax;
    const counted = max < 0 || len <= max;
    if (this.#raw) {
      if (this.#raw.length < RAW_ROWS_MAX) {
        this.#raw.push({ timestampNs, kdamond, pid, region: r, counted });
      } else this.#rawDropped++;
    }
    if (!counted) return 0;
    const key = `${pid} ${r.startAddr} ${r.endAddr}`;
    const c = this.#counters.get(key);
    if (c) c.accesses += r.nrAccesses;
    else {
      this.#counters.set(key, {
        pid,
        range: { startAddr: r.startAddr, endAddr: r.endAddr },
        accesses: r.nrAccesses,
        reads: 0,
        writes: 0,
        perPage: true,
      });
    }
    return Math.ceil(len / PAGE_SIZE_BYTES);
  }

  /**
   * Counts the events DAMON emitted since the last round. Events of
   * kdamonds that are not memtierd's (the tracepoint is system-wide) are
   * left out. A kdamond lists a target's regions in address order at the
   * end of each aggregation, so a region starting at or below the one
   * before begins the next aggregation: the one before is complete (`dump`
   * and the filter warning use it). Each pid's events of one round are
   * recorded as one scan.
   */
  #readEvents(trace: DamonTrace): void {
    const t0 = this.#deps.clock.now();
    const events = trace.read();
    if (events.length === 0) return;
    const byThread = new Map<number, Owned>();
    for (const o of this.#owned) {
      if (o.pid !== undefined && o.threadPid !== undefined) byThread.set(o.threadPid, o);
    }
    const timestampNs = this.#raw ? Math.round(this.#deps.clock.wallMs() * 1e6) : 0;
    const scans = new Map<number, { scanned: number; accessed: number }>();
    for (const e of events) {
      const o = byThread.get(e.kdamondPid);
      if (o === undefined || o.pid === undefined || e.targetId !== 0) continue;
      const pid = o.pid;
      let a = o.agg;
      if (a && e.startAddr <= a.lastStart) {
        this.#aggregationDone(o, pid, a);
        a = undefined;
      }
      a ??= o.agg = { lastStart: -1, regions: 0, totalBytes: 0, dropped: 0, droppedBytes: 0 };
      a.lastStart = e.startAddr;
      a.regions++;
      a.totalBytes += e.endAddr - e.startAddr;
      const pages = this.#count(o.id, pid, regionOf(e), timestampNs);
      let scan = scans.get(pid);
      if (!scan) scans.set(pid, scan = { scanned: 0, accessed: 0 });
      if (pages === 0) {
        a.dropped++;
        a.droppedBytes += e.endAddr - e.startAddr;
      }
      scan.scanned += pages;
      if (pages > 0 && e.nrAccesses > 0) scan.accessed += pages;
      if (a.regions >= e.nrRegions) this.#aggregationDone(o, pid, a);
    }
    const timeUs = Math.round((this.#deps.clock.now() - t0) * 1000);
    for (const [pid, s] of scans) {
      this.#deps.stats.recordScan(pid, timeUs, s.scanned, s.accessed, 0);
    }
  }

  #aggregationDone(o: Owned, pid: number, a: Aggregation): void {
    o.last = { regions: a.regions, totalBytes: a.totalBytes, dropped: a.dropped };
    o.agg = undefined;
    this.#warnIfFiltered(pid, a.dropped, a.regions, a.droppedBytes, a.totalBytes);
  }

  /**
   * One warning per process whose regions are mostly too large to count,
   * for two regions update intervals in a row: DAMON starts with few regions
   * and splits them at its first updates, which is not worth a warning.
   */
  #warnIfFiltered(
    pid: number,
    dropped: number,
    regions: number,
    droppedBytes: number,
    totalBytes: number,
  ): void {
    if (this.#warnedFiltered.has(pid)) return;
    if (2 * droppedBytes <= totalBytes) {
      this.#filteredStreak.delete(pid);
      return;
    }
    const streak = (this.#filteredStreak.get(pid) ?? 0) + 1;
    this.#filteredStreak.set(pid, streak);
    const c = this.config;
    if (streak < Math.ceil((2 * c.RegionsUpdateUs) / c.AggregationUs)) return;
    this.#warnedFiltered.add(pid);
    this.#filteredStreak.delete(pid);
    this.#deps.logger.warn(
      `tracker damon: pid ${pid}: ${dropped} of ${regions} regions ` +
        `(${Math.round(droppedBytes / 1048576)} of ${
          Math.round(totalBytes / 1048576)
        } MiB) are above FilterAddressRangeSizeMax ${this.config.FilterAddressRangeSizeMax} bytes and not counted: ${
          this.#operations === "vaddr"
            ? "vaddr spreads its regions over all the address space the process reserves, " +
              "used or not (V8, JVMs, Go); SysfsRegionsManager 1 (or none) monitors the process's own " +
              "ranges (fvaddr)"
            : "raise MinTargetRegions or FilterAddressRangeSizeMax"
        }`,
    );
  }

  /** A state command, retried while another DAMON command is in flight. */
  #tryCommand(k: number, cmd: string): boolean {
    for (let i = 0; i < 5; i++) {
      try {
        this.#damon.command(k, cmd);
        return true;
      } catch (e) {
        if (e instanceof Deno.errors.Busy) continue;
        // The kdamond stopped between the state check and the command.
        if (this.#damon.state(k) === "off") return false;
        throw e;
      }
    }
    this.#deps.logger.warn(`tracker damon: kdamond ${k} stayed busy, round skipped`);
    return false;
  }

  /**
   * Writes the process's ranges again when they changed, looking every
   * RegionsUpdateUs (the maps of a V8 process are long: not every round).
   */
  #refreshRegions(o: Owned, pid: number): void {
    if (this.#operations !== "fvaddr") return;
    const now = this.#deps.clock.now();
    if (now - (o.regionsAtMs ?? -Infinity) < this.config.RegionsUpdateUs / 1000) return;
    o.regionsAtMs = now;
    let regions: AddrRange[];
    try {
      regions = this.#regionsFor(pid);
    } catch {
      return; // gone: seen next round when its kdamond stops
    }
    const key = JSON.stringify(regions);
    if (key === o.regionsKey || regions.length === 0) return;
    this.#damon.setRegions(o.id, regions);
    if (!this.#tryCommand(o.id, "commit")) return;
    o.regionsKey = key;
  }

  async stop(): Promise<void> {
    await this.#loop?.stop();
    this.#loop = undefined;
    if (!this.#started) return;
    this.#started = false;
    this.#closeTrace();
    const d = this.#damon;
    for (const o of this.#owned) {
      // A free kdamond holds nothing of memtierd's, and may be another's by now.
      if (o.pid === undefined && this.config.KdamondsList.length === 0) continue;
      if (d.state(o.id) !== "off") {
        try {
          d.command(o.id, "clear_schemes_tried_regions");
        } catch {
          // Only frees memory; off below frees it too.
        }
        d.command(o.id, "off");
      }
      if (d.nrContexts(o.id) > 0) d.removeContexts(o.id);
      this.#unrecord(o.id);
      o.pid = undefined;
      o.regionsKey = "";
    }
    this.#owned = [];
    if (this.#raisedFromZero) {
      let allOff = true;
      const nr = d.nrKdamonds();
      for (let k = 0; k < nr; k++) {
        if (d.state(k) !== "off" || d.nrContexts(k) > 0) allOff = false;
      }
      if (allOff) d.setNrKdamonds(0);
      this.#raisedFromZero = false;
    }
  }

  resetCounters(): void {
    this.#counters.clear();
  }

  getCounters(): TrackerCounter[] {
    return [...this.#counters.values()].map((c) => ({ ...c }));
  }

  /**
   * `dump` or `dump kdamonds`: memtierd's kdamonds and their last round;
   * `dump raw start|new|stop`: record the tried regions read each round
   * and print those recorded since the last `new`, one row per region as
   * DAMON gave it (regions FilterAddressRangeSizeMax keeps out of the
   * counters are listed too, with counted `no`).
   */
  dump(args: readonly string[]): string {
    if (args[0] === "raw") return this.#dumpRaw(args.slice(1));
    if (args.length > 1 || (args.length === 1 && args[0] !== "kdamonds")) {
      return `${RAW_USAGE} (got ${JSON.stringify(args.join(" "))})`;
    }
    const lines = this.#owned.map((o) => {
      if (o.pid === undefined) return `kdamond ${o.id}: free`;
      const l = o.last;
      return `kdamond ${o.id}: pid ${o.pid} (${this.#operations})` +
        (l
          ? `, last round: ${l.regions} regions, ${l.totalBytes} bytes, ${l.dropped} dropped by FilterAddressRangeSizeMax`
          : "");
    });
    return lines.length > 0 ? lines.join("\n") : "no kdamonds (not started)";
  }

  #dumpRaw(args: readonly string[]): string {
    switch (args.length === 1 ? args[0] : undefined) {
      case "start":
        this.#raw = [];
        this.#rawDropped = 0;
        return "raw access events recording started";
      case "stop":
        this.#raw = undefined;
        return "raw access events recording stopped";
      case "new": {
        if (!this.#raw) return "error: not recording (dump raw start first)";
        const rows = this.#raw;
        const dropped = this.#rawDropped;
        this.#raw = [];
        this.#rawDropped = 0;
        const lines = [
          `${"timestamp".padStart(20)} ${"kdamond".padStart(7)} ${"pid".padStart(8)} ${
            "start".padStart(16)
          } ${"end".padStart(16)} ${"pages".padStart(8)} ${"accs".padStart(8)} ${
            "age".padStart(8)
          } counted`,
          ...rows.map(({ timestampNs, kdamond, pid, region: r, counted }) =>
            `${String(timestampNs).padStart(20)} ${String(kdamond).padStart(7)} ${
              String(pid).padStart(8)
            } ${r.startAddr.toString(16).padStart(16)} ${r.endAddr.toString(16).padStart(16)} ${
              String(Math.ceil((r.endAddr - r.startAddr) / PAGE_SIZE_BYTES)).padStart(8)
            } ${String(r.nrAccesses).padStart(8)} ${String(r.age).padStart(8)} ${
              counted ? "yes" : "no"
            }`
          ),
        ];
        if (dropped > 0) {
          lines.push(
            `${dropped} rows not kept: more than ${RAW_ROWS_MAX} since the last dump raw new`,
          );
        }
        return lines.join("\n");
      }
      default:
        return `tracker damon: dump raw accepts: start, new, stop (got ${
          JSON.stringify(args.join(" "))
        })`;
    }
  }

  configJson(): string {
    return JSON.stringify(this.config);
  }
}

export const damonTrackerFactory: ComponentFactory<DamonConfig, Tracker> = {
  description: "DAMON in the kernel, read as tracefs events or through sysfs (reads and writes)",
  parse: (raw, what) => parseDamonConfig(raw, what),
  create: (config, deps) => new DamonTracker(config, deps),
};
