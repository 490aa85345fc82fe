/**
 * Reader of /proc for one root folder: `new ProcFs({ root: "tests/fixtures/proc" })`
 * reads a fixture tree exactly as `new ProcFs()` reads the live /proc.
 *
 * Each file is read whole in one call and handed to a pure parser. Errors
 * become typed: a missing /proc/PID is `ProcessGoneError`, a file the kernel
 * refuses is `PermissionError`, and a file that a live process lacks means
 * the kernel does not provide it (`UnsupportedError`).
 *
 * @module
 */
import { PermissionError, ProcessGoneError, UnsupportedError } from "../errors.ts";
import { type MapsEntry, parseMaps } from "./maps.ts";
import { type NumaMapsEntry, parseNumaMaps } from "./numa_maps.ts";
import { PagemapFile } from "./pagemap.ts";
import { parseStat, type ProcStat } from "./stat.ts";
import { parseStartTicks } from "./stat_start.ts";
import { parseStatus, type ProcStatus } from "./status.ts";

/** Options of `ProcFs`. */
export interface ProcFsOptions {
  /** The folder mounted as /proc. Default `/proc`. */
  root?: string;
}

const ROOT_NEEDED = "run memtierd as root (reading another process's memory map needs " +
  "CAP_SYS_PTRACE or the same user; reading page frames needs CAP_SYS_ADMIN)";

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

  /** Converts an error on /proc/PID/NAME into memtierd's typed errors. */
  fileError(pid: number, name: string, e: unknown): Error {
    const path = this.path(pid, name);
    if (!this.exists(pid)) return new ProcessGoneError(pid);
    if (e instanceof Deno.errors.PermissionDenied) {
      return new PermissionError(`Cannot read ${path}: permission denied`, ROOT_NEEDED);
    }
    if (e instanceof Deno.errors.NotFound) {
      return new UnsupportedError(`Cannot read ${path}: this kernel does not provide it`);
    }
    const code = (e as { code?: string }).code;
    if (code === "ESRCH") return new ProcessGoneError(pid);
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

  /** Opens /proc/PID/pagemap for reading. The caller closes it. */
  openPagemap(pid: number): PagemapFile {
    try {
      return new PagemapFile(Deno.openSync(this.path(pid, "pagemap"), { read: true }));
    } catch (e) {
      throw this.fileError(pid, "pagemap", e);
    }
  }
}
