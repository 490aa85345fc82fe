/**
 * Reader and writer of DAMON's sysfs interface
 * (`/sys/kernel/mm/damon/admin/kdamonds`), for one /sys root so that a
 * fixture folder stands in for the kernel in tests. It knows the layout
 * (kdamonds, one context each, targets, schemes, tried regions) and the
 * kernel's rules: `nr_kdamonds` changes only while every kdamond is off,
 * `state` takes commands (`on`, `off`, `update_schemes_tried_regions`, ...)
 * and reads back `on` or `off`, and a command is refused with EBUSY while
 * another one is in flight.
 *
 * @module
 */
import { PermissionError } from "../errors.ts";

/** How files are read and written (the real files, or a simulation in tests). */
export interface DamonIo {
  read(path: string): string;
  write(path: string, text: string): void;
  exists(path: string): boolean;
}

/** How long a file that answers EBUSY is tried again, and the pause between tries. */
const BUSY_RETRY_MS = 1000;
const BUSY_PAUSE_MS = 2;
const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * `fn()`, tried again while it throws EBUSY, for up to BUSY_RETRY_MS: DAMON
 * answers so while its lock is held, which under QEMU lasted longer than a
 * hundred immediate tries (CI: a tracker round failed beside another
 * kdamond). The pause is a blocking wait of BUSY_PAUSE_MS: these are
 * synchronous file operations.
 */
function whileBusy<T>(fn: () => T): T {
  const start = performance.now();
  for (;;) {
    try {
      return fn();
    } catch (e) {
      if (!(e instanceof Deno.errors.Busy) || performance.now() - start >= BUSY_RETRY_MS) throw e;
      Atomics.wait(pause, 0, 0, BUSY_PAUSE_MS);
    }
  }
}

/**
 * A file error as thrown to the user: "permission denied" names the file
 * and what is missing (exit 4), as DAMON's files are root's; others as
 * they are.
 */
function denied(path: string, e: unknown): unknown {
  if (!(e instanceof Deno.errors.PermissionDenied)) return e;
  return new PermissionError(
    `Cannot use DAMON: ${path}: permission denied`,
    "run memtierd as root (DAMON's sysfs files are root's)",
  );
}

/** The real files. */
const fileIo: DamonIo = {
  read: (path) => Deno.readTextFileSync(path),
  // sysfs attributes are written in place: no create, no truncate.
  write: (path, text) => {
    const f = Deno.openSync(path, { write: true });
    try {
      const bytes = new TextEncoder().encode(text);
      const n = f.writeSync(bytes);
      if (n !== bytes.length) throw new Error(`short write to ${path}`);
    } finally {
      f.close();
    }
  },
  exists: (path) => {
    try {
      Deno.statSync(path);
      return true;
    } catch {
      return false;
    }
  },
};

/** One region DAMON tried its scheme on: [startAddr, endAddr). */
export interface DamonRegion {
  startAddr: number;
  endAddr: number;
  nrAccesses: number;
  age: number;
}

/** Intervals and region counts of a context. */
export interface DamonAttrs {
  sampleUs: number;
  aggrUs: number;
  updateUs: number;
  minNrRegions: number;
  maxNrRegions: number;
}

/** The largest values DAMON's access pattern files take (u64 bytes, u32 counts). */
const SZ_MAX = "18446744073709551615";
const U32_MAX = "4294967295";

/** Options of `DamonSysfs`. */
export interface DamonSysfsOptions {
  /** The folder mounted as /sys. Default `/sys`. */
  root?: string;
  io?: DamonIo;
  /** Called with every write made, in order (for tests and debug logs). */
  onWrite?: (path: string, text: string) => void;
}

/** Reads and writes /sys/kernel/mm/damon/admin/kdamonds. */
export class DamonSysfs {
  readonly dir: string;
  #io: DamonIo;
  #onWrite: ((path: string, text: string) => void) | undefined;

  constructor(options: DamonSysfsOptions = {}) {
    this.dir = `${options.root ?? "/sys"}/kernel/mm/damon/admin/kdamonds`;
    this.#io = options.io ?? fileIo;
    this.#onWrite = options.onWrite;
  }

  /** Whether the kernel has DAMON's sysfs interface. */
  available(): boolean {
    return this.#io.exists(`${this.dir}/nr_kdamonds`);
  }

  /**
   * A file's text. DAMON's files answer EBUSY while a state command of any
   * kdamond is in flight (another user's, as memtierd's own are
   * synchronous): retried (whileBusy).
   */
  read(rel: string): string {
    const path = `${this.dir}/${rel}`;
    try {
      return whileBusy(() => this.#io.read(path).trim());
    } catch (e) {
      throw denied(path, e);
    }
  }

  readInt(rel: string): number {
    const text = this.read(rel);
    const n = Number(text);
    if (!/^\d+$/.test(text) || !Number.isSafeInteger(n)) {
      throw new Error(
        `Cannot read ${this.dir}/${rel}: expected a whole number, got ${JSON.stringify(text)}`,
      );
    }
    return n;
  }

  /**
   * Writes a file. EBUSY (a command of any kdamond in flight, the kdamonds'
   * own included: they take DAMON's lock in their rounds) is retried, as for
   * reads (whileBusy): the write was not done. (Seen in the VM: a
   * tracker's region update failed so beside another kdamond.)
   */
  write(rel: string, value: string | number): void {
    const path = `${this.dir}/${rel}`;
    const text = String(value);
    this.#onWrite?.(path, text);
    try {
      whileBusy(() => this.#io.write(path, `${text}\n`));
    } catch (e) {
      throw denied(path, e);
    }
  }

  nrKdamonds(): number {
    return this.readInt("nr_kdamonds");
  }

  setNrKdamonds(n: number): void {
    this.write("nr_kdamonds", n);
  }

  state(k: number): string {
    return this.read(`${k}/state`);
  }

  nrContexts(k: number): number {
    return this.readInt(`${k}/contexts/nr_contexts`);
  }

  /** `on`, `off`, or a command such as `update_schemes_tried_regions`. */
  command(k: number, cmd: string): void {
    this.write(`${k}/state`, cmd);
  }

  /** Operation sets the kernel offers (`vaddr`, `fvaddr`, `paddr`). */
  availOperations(k: number): string[] {
    return this.read(`${k}/contexts/0/avail_operations`).split(/\s+/).filter((s) => s !== "");
  }

  /**
   * Sets up context 0 (made by writing 1 to nr_contexts) of kdamond `k`: monitoring `pid` with `operations`, initial
   * `regions` (none: DAMON picks them), and a `stat` scheme whose access
   * pattern admits every region, so that tried regions list them all.
   */
  setupContext(
    k: number,
    operations: string,
    attrs: DamonAttrs,
    pid: number,
    regions: readonly { startAddr: number; endAddr: number }[],
  ): void {
    const c = `${k}/contexts/0`;
    this.write(`${c}/operations`, operations);
    this.write(`${c}/monitoring_attrs/intervals/sample_us`, attrs.sampleUs);
    this.write(`${c}/monitoring_attrs/intervals/aggr_us`, attrs.aggrUs);
    this.write(`${c}/monitoring_attrs/intervals/update_us`, attrs.updateUs);
    // max first: min may not go above the current max.
    this.write(`${c}/monitoring_attrs/nr_regions/max`, attrs.maxNrRegions);
    this.write(`${c}/monitoring_attrs/nr_regions/min`, attrs.minNrRegions);
    this.write(`${c}/targets/nr_targets`, 1);
    this.write(`${c}/targets/0/pid_target`, pid);
    this.setRegions(k, regions);
    const s = `${c}/schemes/0`;
    this.write(`${c}/schemes/nr_schemes`, 1);
    this.write(`${s}/action`, "stat");
    const p = `${s}/access_pattern`;
    this.write(`${p}/sz/min`, 0);
    this.write(`${p}/sz/max`, SZ_MAX);
    this.write(`${p}/nr_accesses/min`, 0);
    this.write(`${p}/nr_accesses/max`, U32_MAX);
    this.write(`${p}/age/min`, 0);
    this.write(`${p}/age/max`, U32_MAX);
  }

  /** The initial (fvaddr: the only) regions of kdamond `k`'s target. */
  setRegions(k: number, regions: readonly { startAddr: number; endAddr: number }[]): void {
    const r = `${k}/contexts/0/targets/0/regions`;
    this.write(`${r}/nr_regions`, regions.length);
    regions.forEach((reg, i) => {
      // The kernel checks start < end and the order only when the kdamond
      // takes the regions (on, commit), not per file.
      this.write(`${r}/${i}/start`, reg.startAddr);
      this.write(`${r}/${i}/end`, reg.endAddr);
    });
  }

  /** Removes the contexts of kdamond `k` (it must be off). */
  removeContexts(k: number): void {
    this.write(`${k}/contexts/nr_contexts`, 0);
  }

  /** The regions the stat scheme of kdamond `k` was tried on, after `update_schemes_tried_regions`. */
  triedRegions(k: number): { totalBytes: number; regions: DamonRegion[] } {
    const t = `${k}/contexts/0/schemes/0/tried_regions`;
    const totalBytes = this.#io.exists(`${this.dir}/${t}/total_bytes`)
      ? this.readInt(`${t}/total_bytes`)
      : 0;
    const regions: DamonRegion[] = [];
    for (let i = 0;; i++) {
      const d = `${t}/${i}`;
      if (!this.#io.exists(`${this.dir}/${d}/start`)) break;
      regions.push({
        startAddr: this.readInt(`${d}/start`),
        endAddr: this.readInt(`${d}/end`),
        nrAccesses: this.readInt(`${d}/nr_accesses`),
        age: this.readInt(`${d}/age`),
      });
    }
    return { totalBytes, regions };
  }
}
