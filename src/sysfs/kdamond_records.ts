/**
 * Ownership records of DAMON kdamonds, so that a kdamond a killed memtierd
 * had taken is known for what it is. A kdamond outlives the process that
 * switched it on (it stops only when told, or when its targets exit), and
 * DAMON's sysfs tree cannot say who set it up: a memtierd killed with
 * SIGKILL (as nri-plugins stops it) leaves its kdamond on, with a context,
 * looking exactly like somebody else's.
 *
 * Before memtierd sets up a context in kdamond K it writes
 * `DIR/kdamond-K` (default `/run/memtierd/kdamonds`, a tmpfs cleared at
 * boot as kdamonds are): its own pid and start time (field 22 of
 * /proc/PID/stat, which tells a reused pid apart), the boot id, the target
 * pid and, once the kdamond is on, the kdamond thread's pid. A clean stop
 * removes the record with the context. The next memtierd reclaims a
 * kdamond only when its record proves the taker is gone (its pid is gone,
 * or runs a process started at another time) and the kdamond still holds
 * what the taker left (same target, same thread): never a kdamond with no
 * record, with a record it cannot read, or whose taker still runs.
 *
 * The folder is made 0700 and must be the user's own, not writable by
 * others and no symlink; records are written through an exclusively
 * created file renamed into place (`replaceFile`), so a planted symlink is
 * never followed.
 *
 * @module
 */
import { replaceFile } from "../common/safe_write.ts";
import { parseStartTicks } from "../procfs/stat_start.ts";

/** What a record says of the memtierd that took a kdamond. */
export interface KdamondRecord {
  kdamond: number;
  /** The taker's pid and start time (clock ticks after boot). */
  pid: number;
  startTicks: number;
  /** /proc/sys/kernel/random/boot_id when it was written ("" where there is none). */
  bootId: string;
  /** The pid the kdamond's context monitors. */
  target: number;
  /** The kdamond thread's pid, once it was switched on. */
  thread?: number;
}

/** Options of `KdamondRecords`. */
export interface KdamondRecordsOptions {
  /** Default `/run/memtierd/kdamonds`. */
  dir?: string;
  /** The folder mounted as /proc. Default `/proc`. */
  procRoot?: string;
  /** The taker's (this memtierd's) pid. Default `Deno.pid`. */
  pid?: number;
}

/** A record file is a line of JSON: anything longer is not one of ours. */
const RECORD_MAX_BYTES = 4096;

function isCount(x: unknown): x is number {
  return typeof x === "number" && Number.isSafeInteger(x) && x >= 0;
}

/** The records of one memtierd, and its view of the others'. */
export class KdamondRecords {
  readonly dir: string;
  readonly pid: number;
  #procRoot: string;
  #own: { startTicks: number; bootId: string } | undefined;

  constructor(options: KdamondRecordsOptions = {}) {
    this.dir = options.dir ?? "/run/memtierd/kdamonds";
    this.#procRoot = options.procRoot ?? "/proc";
    this.pid = options.pid ?? Deno.pid;
  }

  /**
   * Makes the folder and reads this memtierd's identity. Returns why the
   * records cannot be kept (then nothing is written or reclaimed), or
   * undefined when they can.
   */
  open(): string | undefined {
    try {
      Deno.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      const info = Deno.lstatSync(this.dir);
      if (info.isSymlink || !info.isDirectory) return `${this.dir} is no folder`;
      if (info.uid !== Deno.uid()) {
        return `${this.dir} belongs to user ${info.uid}, not to memtierd's ${Deno.uid()}`;
      }
      if (((info.mode ?? 0) & 0o022) !== 0) {
        return `${this.dir} may be written by others (mode ${
          ((info.mode ?? 0) & 0o777).toString(8)
        })`;
      }
      this.#own = { startTicks: this.#startTicks(this.pid) ?? -1, bootId: this.#bootId() };
      if (this.#own.startTicks < 0) return `cannot read ${this.#procRoot}/${this.pid}/stat`;
      return undefined;
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    }
  }

  #path(k: number): string {
    return `${this.dir}/kdamond-${k}`;
  }

  #bootId(): string {
    try {
      return Deno.readTextFileSync(`${this.#procRoot}/sys/kernel/random/boot_id`).trim();
    } catch {
      return "";
    }
  }

  #startTicks(pid: number): number | undefined {
    return this.#stat(pid)?.startTicks;
  }

  /** The start time and state letter of a process (undefined: unreadable, gone). */
  #stat(pid: number): { startTicks: number; state: string } | undefined {
    try {
      const text = Deno.readTextFileSync(`${this.#procRoot}/${pid}/stat`);
      const state = text.slice(text.lastIndexOf(")") + 1).trim().charAt(0);
      return { startTicks: parseStartTicks(text), state };
    } catch {
      return undefined;
    }
  }

  /** Records that this memtierd takes kdamond `k` to monitor `target` (thread: once on). */
  write(k: number, target: number, thread?: number): void {
    const own = this.#own;
    if (!own) throw new Error("kdamond records not open");
    const rec: KdamondRecord = {
      kdamond: k,
      pid: this.pid,
      startTicks: own.startTicks,
      bootId: own.bootId,
      target,
      ...(thread === undefined ? {} : { thread }),
    };
    replaceFile(`kdamond ${k} record`, this.#path(k), `${JSON.stringify(rec)}\n`);
  }

  /** Removes the record of kdamond `k` (none there: nothing to do). */
  remove(k: number): void {
    try {
      Deno.removeSync(this.#path(k));
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
  }

  /** The record of kdamond `k`; undefined when there is none or it is not one of ours. */
  read(k: number): KdamondRecord | undefined {
    let text: string;
    try {
      const info = Deno.lstatSync(this.#path(k));
      if (!info.isFile || info.size > RECORD_MAX_BYTES) return undefined;
      text = Deno.readTextFileSync(this.#path(k));
    } catch {
      return undefined;
    }
    let r: Partial<KdamondRecord>;
    try {
      r = JSON.parse(text);
    } catch {
      return undefined;
    }
    if (
      typeof r !== "object" || r === null || r.kdamond !== k || !isCount(r.pid) ||
      !isCount(r.startTicks) || typeof r.bootId !== "string" || !isCount(r.target) ||
      (r.thread !== undefined && !isCount(r.thread))
    ) return undefined;
    return r as KdamondRecord;
  }

  /**
   * The pid of another memtierd that runs and whose record names kdamond
   * `k` (it set the kdamond up, or is about to); undefined when there is
   * none.
   */
  heldByAnother(k: number): number | undefined {
    const own = this.#own;
    const rec = this.read(k);
    if (!own || !rec || rec.bootId !== own.bootId) return undefined;
    if (rec.pid === this.pid && rec.startTicks === own.startTicks) return undefined;
    const stat = this.#stat(rec.pid);
    const runs = stat !== undefined && stat.startTicks === rec.startTicks && stat.state !== "Z" &&
      stat.state !== "X";
    return runs ? rec.pid : undefined;
  }

  /**
   * Why `rec`'s taker is known to be gone ("is gone", "now runs another
   * process", a zombie: killed, not reaped), or undefined when it may still run: this memtierd itself, a
   * record of another boot, a pid whose start time cannot be read.
   */
  takerGone(rec: KdamondRecord): string | undefined {
    const own = this.#own;
    if (!own || rec.bootId !== own.bootId) return undefined;
    if (rec.pid === this.pid && rec.startTicks === own.startTicks) return undefined;
    let exists = true;
    try {
      Deno.statSync(`${this.#procRoot}/${rec.pid}`);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) return undefined;
      exists = false;
    }
    if (!exists) return "is gone";
    const stat = this.#stat(rec.pid);
    if (stat === undefined) {
      // Exited between the two looks.
      try {
        Deno.statSync(`${this.#procRoot}/${rec.pid}`);
        return undefined;
      } catch {
        return "is gone";
      }
    }
    if (stat.startTicks !== rec.startTicks) return "now runs another process (pid reused)";
    // Killed and not yet reaped by its parent: it holds nothing any more.
    return stat.state === "Z" || stat.state === "X" ? "is a zombie (killed)" : undefined;
  }
}
