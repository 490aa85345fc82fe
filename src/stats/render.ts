/**
 * The statistics as the Go memtierd prints them: its tables (same titles
 * and columns) in txt or csv, and its text for a move record. Reads a
 * `Stats` store and keeps nothing.
 *
 * @module
 */
import { quoted } from "../common/excerpt.ts";
import { GB, PAGE_SIZE_BYTES } from "../common/units.ts";
import { errnoMeaning } from "../ffi/errno.ts";
import { UsageError } from "../errors.ts";
import { MADV_PAGEOUT } from "../ffi/syscalls.ts";
import { type MoveRecord, type Stats, STATS_TABLES, type StatsFormat } from "./stats.ts";

/** The Go memtierd's text for a move record. */
export function formatMoveRecord(m: MoveRecord): string {
  const errors = [...m.errors].sort((a, b) => a[0] - b[0]).map(([e, n]) => `${e}:${n}`).join(" ");
  return `move_pages(pid=${m.pid}, pagecount=${m.requestedPages}, firstpage=${
    m.firstPageAddr.toString(16)
  } dest=${m.destNode}) => (return=${m.result} on_dest=${m.onDestPages} on_other=${m.onOtherPages} [errno:pagecount]=map[${errors}])`;
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

function sortedKeys<V>(m: ReadonlyMap<number, V>): number[] {
  return [...m.keys()].sort((a, b) => a - b);
}

function events(stats: Stats): Table {
  const now = stats.nowMs();
  const pulses = stats.pulses();
  const rows = [...pulses.keys()].sort().map((name) => {
    const p = pulses.get(name)!;
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

function processMadvise(stats: Stats): Table {
  const madvise = stats.madvise();
  const rows = sortedKeys(madvise).map((pid) => {
    const m = madvise.get(pid)!;
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

function movePages(stats: Stats): Table {
  const moves = stats.moves();
  const rows = sortedKeys(moves).map((pid) => {
    const m = moves.get(pid)!;
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

function movePagesErrors(stats: Stats): Table {
  const moves = stats.moves();
  const rows: (string | number)[][] = [];
  for (const pid of sortedKeys(moves)) {
    const m = moves.get(pid)!;
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

function memoryScans(stats: Stats): Table {
  const scans = stats.scans();
  const rows = sortedKeys(scans).map((pid) => {
    const s = scans.get(pid)!;
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
 * selection (default: all). An unknown format or table name is a
 * `UsageError` saying what is accepted (the Go memtierd printed it as
 * output and succeeded), raised before anything is rendered. The default
 * selection is the Go memtierd's tables, and mover_dropped_tasks when a
 * task was dropped.
 */
export function renderStats(
  stats: Stats,
  format: string,
  selected?: readonly string[],
): string {
  const tables = selected ??
    STATS_TABLES.filter((t) =>
      (t !== "mover_dropped_tasks" || stats.droppedTasks().length > 0) &&
      (t !== "policy_decisions" || stats.policyDecisions().length > 0)
    );
  if (format !== "txt" && format !== "csv") {
    throw new UsageError(`Invalid -f ${quoted(format)}: expected txt or csv`);
  }
  const unknown = tables.find((name) => !(STATS_TABLES as readonly string[]).includes(name));
  if (unknown !== undefined) {
    throw new UsageError(
      `Invalid -t ${quoted(unknown)}: expected ${STATS_TABLES.slice(0, -1).join(", ")} or ${
        STATS_TABLES.at(-1)
      }`,
    );
  }
  const lines: string[] = [];
  for (const name of tables) {
    if (lines.length > 0) lines.push("");
    lines.push(...renderTable(tableOf(stats, name)!, format));
  }
  return lines.join("\n");
}

function moverDroppedTasks(stats: Stats): Table {
  const rows = stats.droppedTasks().map((d) => [d.pid, d.taskId, d.pagesLeft, d.dest, d.reason]);
  return {
    title: "table: mover dropped tasks",
    header: ["pid", "task", "left[pages]", "dest", "reason"],
    rows,
    widths: [8, 8, 11, 6, -1],
    txtDecimals: [],
    csvDecimals: [],
  };
}

function policyDecisions(stats: Stats): Table {
  const now = stats.nowMs();
  const rows = [...stats.policyDecisions()]
    .sort((a, b) => a.policy.localeCompare(b.policy) || a.pid - b.pid || a.dest - b.dest)
    .map((d) => [
      d.policy,
      d.pid,
      d.dest,
      d.decisions,
      d.pages,
      d.pages * PAGE_SIZE_BYTES / GB,
      (now - d.latestMs) / 1000,
      d.dryRun ? "yes" : "no",
    ]);
  return {
    title: "table: policy decisions",
    header: ["policy", "pid", "dest", "decisions", "pages", "mem[G]", "last[s]", "dryrun"],
    rows,
    widths: [12, 8, 5, 9, 10, 8, 8, 6],
    txtDecimals: [undefined, undefined, undefined, undefined, undefined, 3, 1],
    csvDecimals: [undefined, undefined, undefined, undefined, undefined, 6, 3],
  };
}

function tableOf(stats: Stats, name: string): Table | undefined {
  switch (name) {
    case "events":
      return events(stats);
    case "process_madvise":
      return processMadvise(stats);
    case "move_pages":
      return movePages(stats);
    case "move_pages_errors":
      return movePagesErrors(stats);
    case "memory_scans":
      return memoryScans(stats);
    case "mover_dropped_tasks":
      return moverDroppedTasks(stats);
    case "policy_decisions":
      return policyDecisions(stats);
    default:
      return undefined;
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
