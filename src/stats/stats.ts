/**
 * Statistics of what memtierd did: heartbeats of its loops, process_madvise
 * and move_pages calls per process, page errors, and memory scans, printed
 * as the Go memtierd's tables (same titles and columns) in txt or csv.
 *
 * One `Stats` is shared by the prompt, the mover and (later) trackers and
 * policies; it is passed to them, not a global.
 *
 * @module
 */
import { errnoMeaning } from "../ffi/errno.ts";
import { MADV_PAGEOUT } from "../ffi/syscalls.ts";
import { GB, PAGE_SIZE_BYTES } from "../common/units.ts";
import type { MoveBatchRecord } from "../memory/move.ts";
import type { Clock } from "../time/clock.ts";

/** The tables `stats -t` can select, in their default order. */
export const STATS_TABLES = [
  "events",
  "process_madvise",
  "move_pages",
  "move_pages_errors",
  "memory_scans",
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

/** The Go memtierd's text for a move record. */
export function formatMoveRecord(m: MoveRecord): string {
  const errors = [...m.errors].sort((a, b) => a[0] - b[0]).map(([e, n]) => `${e}:${n}`).join(" ");
  return `move_pages(pid=${m.pid}, pagecount=${m.requestedPages}, firstpage=${
    m.firstPageAddr.toString(16)
  } dest=${m.destNode}) => (return=${m.result} on_dest=${m.onDestPages} on_other=${m.onOtherPages} [errno:pagecount]=map[${errors}])`;
}

interface Pulse {
  beats: number;
  firstMs: number;
  latestMs: number;
}

interface PidMadvise {
  calls: number;
  pages: number;
  pagesByAdvice: Map<number, number>;
  pagesByErrno: Map<number, number>;
}

interface PidMoves {
  calls: number;
  requested: number;
  onDest: number;
  onOther: number;
  byDestNode: Map<number, number>;
  byErrno: Map<number, number>;
  last?: MoveRecord;
  lastWithError?: MoveRecord;
}

interface PidScans {
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

/** A table's title, header and rows before formatting. */
interface Table {
  title: string;
  header: string[];
  rows: (string | number)[][];
  /** txt: width of each column, `-` for the last free-width one. */
  widths: number[];
  /** Decimals of numeric columns in txt and csv. */
  txtDecimals: (number | undefined)[];
  csvDecimals: (number | undefined)[];
  blankAfterHeader?: boolean;
}

function inc(map: Map<number, number>, key: number, by: number): void {
  map.set(key, (map.get(key) ?? 0) + by);
}

function sortedKeys<V>(m: Map<number, V>): number[] {
  return [...m.keys()].sort((a, b) => a - b);
}

/** The statistics store. */
export class Stats {
  #clock: Clock;
  #pulses = new Map<string, Pulse>();
  #madvise = new Map<number, PidMadvise>();
  #moves = new Map<number, PidMoves>();
  #scans = new Map<number, PidScans>();
  #recording: MoveRecord[] | undefined;

  constructor(clock: Clock) {
    this.#clock = clock;
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

  /** The last move of `pid`, as text, or undefined. */
  lastMove(pid: number): string | undefined {
    const m = this.#moves.get(pid)?.last;
    return m && formatMoveRecord(m);
  }

  /** The last move of `pid` that had page errors, as text, or undefined. */
  lastMoveWithError(pid: number): string | undefined {
    const m = this.#moves.get(pid)?.lastWithError;
    return m && formatMoveRecord(m);
  }

  /** `stats -dump moves start|new|stop`. */
  dump(args: readonly string[]): string {
    if (args[0] !== "moves" || args.length !== 2) return "Usage: dump moves <start|new|stop>";
    switch (args[1]) {
      case "start":
        this.#recording = [];
        return "recording moves started";
      case "stop":
        this.#recording = undefined;
        return "recording moves stopped";
      case "new": {
        if (!this.#recording) return "error: not recording";
        const text = this.#recording.map(formatMoveRecord).join("\n");
        this.#recording.length = 0;
        return text;
      }
      default:
        return `invalid dump moves parameter: ${JSON.stringify(args[1])}`;
    }
  }

  #events(): Table {
    const now = this.#clock.now();
    const rows = [...this.#pulses.keys()].sort().map((name) => {
      const p = this.#pulses.get(name)!;
      const interval = (p.latestMs - p.firstMs) / 1000 / Math.max(1, p.beats - 1);
      return [p.beats, interval, (now - p.latestMs) / 1000, name];
    });
    return {
      title: "table: events",
      header: ["count", "timeint[s]", "latest[s ago]", "name"],
      rows,
      widths: [8, 10, 13, -1],
      txtDecimals: [undefined, 3, 3, undefined],
      csvDecimals: [undefined, 6, 6, undefined],
    };
  }

  #processMadvise(): Table {
    const rows = sortedKeys(this.#madvise).map((pid) => {
      const m = this.#madvise.get(pid)!;
      const ok = m.pagesByErrno.get(0) ?? 0;
      return [
        pid,
        m.calls,
        m.pages,
        ok,
        ok * PAGE_SIZE_BYTES / GB,
        (m.pagesByAdvice.get(MADV_PAGEOUT) ?? 0) * PAGE_SIZE_BYTES / GB,
      ];
    });
    return {
      title: "table: process_madvise syscalls",
      header: ["pid", "calls", "req[pages]", "ok[pages]", "ok[G]", "PAGEOUT[G]"],
      rows,
      widths: [8, 8, 10, 10, 8, -1],
      txtDecimals: [undefined, undefined, undefined, undefined, 3, 3],
      csvDecimals: [undefined, undefined, undefined, undefined, 6, 6],
    };
  }

  #movePages(): Table {
    const rows = sortedKeys(this.#moves).map((pid) => {
      const m = this.#moves.get(pid)!;
      const perNode = sortedKeys(m.byDestNode)
        .map((n) => `${n}:${(m.byDestNode.get(n)! * PAGE_SIZE_BYTES / GB).toFixed(3)}`)
        .join(";");
      return [pid, m.calls, m.requested, m.onDest, m.onDest * PAGE_SIZE_BYTES / GB, perNode];
    });
    return {
      title: "table: move_pages syscalls",
      header: ["pid", "calls", "req[pages]", "ok[pages]", "moved[G]", "targetnode:moved[G]"],
      rows,
      widths: [8, 8, 10, 10, 8, -1],
      txtDecimals: [undefined, undefined, undefined, undefined, 3, undefined],
      csvDecimals: [undefined, undefined, undefined, undefined, 6, undefined],
    };
  }

  #movePagesErrors(): Table {
    const rows: (string | number)[][] = [];
    for (const pid of sortedKeys(this.#moves)) {
      const m = this.#moves.get(pid)!;
      for (const errno of sortedKeys(m.byErrno)) {
        const n = m.byErrno.get(errno)!;
        rows.push([pid, n, n * PAGE_SIZE_BYTES / GB, errno, errnoMeaning(errno)]);
      }
    }
    return {
      title: "table: move_pages syscall errors in page statuses",
      header: ["pid", "pages", "size[G]", "errno", "error"],
      rows,
      widths: [8, 8, 8, 8, -1],
      txtDecimals: [undefined, undefined, 3, undefined, undefined],
      csvDecimals: [undefined, undefined, 6, undefined, undefined],
    };
  }

  #memoryScans(): Table {
    const rows = sortedKeys(this.#scans).map((pid) => {
      const s = this.#scans.get(pid)!;
      const pct = (a: number, b: number) => (b > 0 ? (100 * a) / b : 0);
      return [
        pid,
        s.count,
        s.sumScanned,
        s.sumTimeUs / 1e6 / s.count,
        s.lastTimeUs / 1e6,
        s.maxTimeUs / 1e6,
        s.sumScanned * PAGE_SIZE_BYTES / (s.count * GB),
        s.lastScanned * PAGE_SIZE_BYTES / GB,
        pct(s.sumAccessed + s.sumWritten, s.sumScanned),
        pct(s.lastAccessed + s.lastWritten, s.lastScanned),
      ];
    });
    return {
      title: "table: memory scans",
      header: [
        "pid",
        "scans",
        "tot[pages]",
        "avg[s]",
        "last",
        "max[s]",
        "avg[G]",
        "last[G]",
        "a+w[%]",
        "last",
      ],
      rows,
      widths: [8, 8, 12, 6, 6, 6, 8, 8, 5, 5],
      txtDecimals: [undefined, undefined, undefined, 3, 3, 3, 3, 3, 2, 2],
      csvDecimals: [undefined, undefined, undefined, 6, 6, 6, 6, 6, 6, 6],
      blankAfterHeader: true,
    };
  }

  /**
   * The tables as text: `format` txt (fixed width) or csv; `tables` a
   * selection (default: all). An unknown name gives a line that lists the
   * available ones, as in the Go memtierd.
   */
  summarize(format: string, tables: readonly string[] = STATS_TABLES): string {
    if (format !== "txt" && format !== "csv") {
      return `unknown format ${JSON.stringify(format)}, txt and csv expected`;
    }
    const lines: string[] = [];
    for (const name of tables) {
      if (lines.length > 0) lines.push("");
      const table = this.#table(name);
      if (!table) {
        lines.push(
          `unknown table ${JSON.stringify(name)}, available: "${STATS_TABLES.join('", "')}"`,
        );
        continue;
      }
      lines.push(...renderTable(table, format));
    }
    return lines.join("\n");
  }

  #table(name: string): Table | undefined {
    switch (name) {
      case "events":
        return this.#events();
      case "process_madvise":
        return this.#processMadvise();
      case "move_pages":
        return this.#movePages();
      case "move_pages_errors":
        return this.#movePagesErrors();
      case "memory_scans":
        return this.#memoryScans();
      default:
        return undefined;
    }
  }
}

function renderTable(t: Table, format: StatsFormat): string[] {
  const cell = (v: string | number, c: number, decimals: (number | undefined)[]) => {
    if (typeof v === "string") return v;
    const d = decimals[c];
    return d === undefined ? String(Math.round(v)) : v.toFixed(d);
  };
  const out = [t.title];
  if (format === "csv") {
    out.push(t.header.join(","));
    if (t.blankAfterHeader) out.push("");
    for (const r of t.rows) out.push(r.map((v, c) => cell(v, c, t.csvDecimals)).join(","));
    return out;
  }
  const pad = (s: string, c: number) => {
    const w = t.widths[c]!;
    return w < 0 ? s : s.padStart(w);
  };
  out.push(t.header.map(pad).join(" "));
  if (t.blankAfterHeader) out.push("");
  for (const r of t.rows) out.push(r.map((v, c) => pad(cell(v, c, t.txtDecimals), c)).join(" "));
  return out;
}
