/**
 * Reader of /proc for one root folder: `new ProcFs({ root: "tests/fixtures/proc" })`
 * reads a fixture tree exactly as `new ProcFs()` reads the live /proc.
 *
 * Each file is read whole in one call and handed to a pure parser. Errors
 * become typed: a missing /proc/PID, a zombie (state Z: it has exited and
 * its memory is gone, the files read empty or fail with ESRCH) or an ESRCH
 * is `ProcessGoneError`; a file the kernel refuses is `PermissionError`
 * naming the capability memtierd lacks (see privileges.ts); and a file that
 * a live process lacks means the kernel does not provide it
 * (`UnsupportedError`).
 *
 * @module
 */
import { parseZoneinfo, type ZoneInfo } from "./zoneinfo.ts";
import { PermissionError, ProcessGoneError, UnsupportedError } from "../errors.ts";
import { type MapsEntry, parseMaps } from "./maps.ts";
import { type NumaMapsEntry, parseNumaMaps } from "./numa_maps.ts";
import { PagemapFile } from "./pagemap.ts";
import { parseStat, type ProcStat } from "./stat.ts";
import { parseStartTicks } from "./stat_start.ts";
import { parseStatus, type ProcStatus } from "./status.ts";
import {
  parseOwnPrivileges,
  parseRealUid,
  privilegeAdvice,
  type Privileges,
  readAction,
} from "./privileges.ts";

/** The state letter of a /proc/PID/stat text (after the last ')'), or "". */
function parseStatLine(text: string): string {
  return text.slice(text.lastIndexOf(")") + 1).trim().charAt(0);
}

/** Options of `ProcFs`. */
export interface ProcFsOptions {
  /** The folder mounted as /proc. Default `/proc`. */
  root?: string;
}

/** Deno reports some errnos (ESRCH among them) only in the message. */
const ESRCH_MESSAGE = /\(os error 3\)/;

/** An open /proc/PID/mem: what swap-in needs of it. */
export interface MemFile {
  seekSync(offset: number, whence: Deno.SeekMode): number;
  readSync(buffer: Uint8Array): number | null;
  close(): void;
}

/** Reads the per-process files of /proc under a configurable root. */
export class ProcFs {
  readonly root: string;

  constructor(options: ProcFsOptions = {}) {
    this.root = options.root ?? "/proc";
  }

  /** The path of a file of a process, e.g. `/proc/42/maps`. */
  path(pid: number, name: string): string {
    return `${this.root}/${pid}/${name}`;
  }

  /** Whether /proc/PID exists (the process, or its zombie, is there). */
  exists(pid: number): boolean {
    try {
      return Deno.statSync(`${this.root}/${pid}`).isDirectory;
    } catch {
      return false;
    }
  }

  /** The ids of all processes in /proc, ascending. */
  pids(): number[] {
    const out: number[] = [];
    for (const e of Deno.readDirSync(this.root)) {
      if (/^\d+$/.test(e.name)) out.push(Number(e.name));
    }
    return out.sort((a, b) => a - b);
  }

  /**
   * Whether the process has gone: /proc/PID is missing, or it is a zombie
   * (exited, its memory released, waiting for its parent).
   */
  isGone(pid: number): boolean {
    try {
      return parseStatLine(Deno.readTextFileSync(this.path(pid, "stat"))) === "Z";
    } catch {
      return true;
    }
  }

  /** The error for a process that has gone: a zombie is named as such. */
  goneError(pid: number): ProcessGoneError {
    if (this.exists(pid)) {
      return new ProcessGoneError(
        pid,
        `Cannot use process ${pid}: it has exited (a zombie waiting for its parent), ` +
          "so it has no memory to show or move",
      );
    }
    return new ProcessGoneError(pid);
  }

  /** memtierd's own uid and capabilities, and the owner of `pid`. */
  privileges(pid: number): Privileges {
    let own: ReturnType<typeof parseOwnPrivileges> = { euid: undefined, capEff: undefined };
    try {
      own = parseOwnPrivileges(parseStatus(Deno.readTextFileSync(`${this.root}/self/status`)));
    } catch {
      // A fixture tree may have no self: fall back to the uid alone.
    }
    let targetUid: number | undefined;
    try {
      targetUid = parseRealUid(this.status(pid));
    } catch {
      targetUid = undefined;
    }
    return { euid: own.euid ?? Deno.uid() ?? -1, capEff: own.capEff, targetUid };
  }

  /** Converts an error on /proc/PID/NAME into memtierd's typed errors. */
  fileError(pid: number, name: string, e: unknown): Error {
    const path = this.path(pid, name);
    if (e instanceof ProcessGoneError) return e;
    const code = (e as { code?: string }).code;
    const esrch = code === "ESRCH" || (e instanceof Error && ESRCH_MESSAGE.test(e.message));
    if (esrch || !this.exists(pid) || this.isGone(pid)) return this.goneError(pid);
    if (e instanceof Deno.errors.PermissionDenied) {
      const p = this.privileges(pid);
      return new PermissionError(
        `Cannot read ${path}: permission denied`,
        privilegeAdvice(p, "CAP_SYS_PTRACE", readAction(p)),
      );
    }
    if (e instanceof Deno.errors.NotFound) {
      return new UnsupportedError(`Cannot read ${path}: this kernel does not provide it`);
    }
    return e instanceof Error ? e : new Error(String(e));
  }

  /** The whole text of /proc/PID/NAME. */
  readText(pid: number, name: string): string {
    try {
      return Deno.readTextFileSync(this.path(pid, name));
    } catch (e) {
      throw this.fileError(pid, name, e);
    }
  }

  maps(pid: number): MapsEntry[] {
    return parseMaps(this.readText(pid, "maps"), this.path(pid, "maps"));
  }

  numaMaps(pid: number): NumaMapsEntry[] {
    return parseNumaMaps(this.readText(pid, "numa_maps"), this.path(pid, "numa_maps"));
  }

  status(pid: number): ProcStatus {
    return parseStatus(this.readText(pid, "status"));
  }

  /**
   * The process that `pid` belongs to (status `Tgid`): `pid` itself for a
   * process, another pid for a thread; undefined if it cannot be read.
   */
  processOf(pid: number): number | undefined {
    try {
      const tgid = Number(this.status(pid).get("Tgid"));
      return Number.isInteger(tgid) && tgid > 0 ? tgid : undefined;
    } catch {
      return undefined;
    }
  }

  stat(pid: number): ProcStat {
    return parseStat(this.readText(pid, "stat"), this.path(pid, "stat"));
  }

  /** Start time of the process (stat field 22, clock ticks after boot). */
  startTicks(pid: number): number {
    return parseStartTicks(this.readText(pid, "stat"), this.path(pid, "stat"));
  }

  /** The program a process runs: the target of /proc/PID/exe (kernel threads have none). */
  exe(pid: number): string {
    try {
      return Deno.readLinkSync(this.path(pid, "exe"));
    } catch (e) {
      throw this.fileError(pid, "exe", e);
    }
  }

  /** Opens /proc/PID/mem for reading (reading swapped-out pages swaps them in). */
  openMem(pid: number): MemFile {
    try {
      return Deno.openSync(this.path(pid, "mem"), { read: true });
    } catch (e) {
      throw this.fileError(pid, "mem", e);
    }
  }

  /** Writes /proc/PID/clear_refs: "4" clears the soft-dirty bits, "1" the referenced bits. */
  clearRefs(pid: number, what: "1" | "4"): void {
    try {
      Deno.writeTextFileSync(this.path(pid, "clear_refs"), what, { create: false });
    } catch (e) {
      throw this.fileError(pid, "clear_refs", e);
    }
  }

  /** Opens /proc/PID/pagemap for reading. The caller closes it. */
  /** The zones of /proc/zoneinfo, or null when it cannot be read (no such file in a fixture). */
  zoneinfo(): ZoneInfo[] | null {
    let text: string;
    try {
      text = Deno.readTextFileSync(`${this.root}/zoneinfo`);
    } catch {
      return null;
    }
    return parseZoneinfo(text);
  }

  openPagemap(pid: number): PagemapFile {
    try {
      return new PagemapFile(Deno.openSync(this.path(pid, "pagemap"), { read: true }));
    } catch (e) {
      throw this.fileError(pid, "pagemap", e);
    }
  }
}
