/**
 * DAMON's results as events: the `damon:damon_aggregated` tracepoint, read
 * from a tracefs instance of memtierd's own
 * (`/sys/kernel/tracing/instances/memtierd-PID-N`), so that nobody else's
 * tracing is touched and nobody else's reads take memtierd's events. The
 * kdamond emits one event per region at the end of each aggregation
 * interval; memtierd reads what is there without waiting (the pipe is
 * opened O_NONBLOCK) whenever it likes, so its cost follows the kdamond's
 * pace, not a poll of four sysfs files per region.
 *
 * tracefs is looked for where systemd mounts it (`/sys/kernel/tracing`),
 * then under debugfs (`/sys/kernel/debug/tracing`, where the kernel mounts
 * it on first use wherever debugfs is mounted: hosts and VMs booted
 * without systemd).
 *
 * An instance left by a memtierd that was killed (its pid gone) is removed
 * when the next one opens.
 *
 * @module
 */
import type { Syscalls } from "../ffi/syscalls.ts";

/** One `damon_aggregated` event: a region of a kdamond's target and its counts. */
export interface DamonAggregated {
  /** The pid of the kdamond thread that emitted it. */
  kdamondPid: number;
  /** Index of the target in the kdamond's context. */
  targetId: number;
  /** Regions the target had at that aggregation. */
  nrRegions: number;
  startAddr: number;
  endAddr: number;
  nrAccesses: number;
  age: number;
}

// "  kdamond.0-1234  [001] .....  123.456789: damon_aggregated: target_id=0
// nr_regions=10 94000000000000-94000000004096: 3 2" (the flags column
// depends on trace options: not required).
const EVENT =
  /-(\d+)\s+\[\d+\][^:]*:\s+damon_aggregated:\s+target_id=(\d+)\s+nr_regions=(\d+)\s+(\d+)-(\d+):\s+(\d+)\s+(\d+)\s*$/;

/**
 * One line of `trace_pipe` as a `damon_aggregated` event; undefined for
 * other lines (other events, the "CPU:N [LOST M EVENTS]" notes).
 *
 * @example
 * ```ts
 * import { parseDamonAggregated } from "./damon_trace.ts";
 * import { assertEquals } from "../testing/assert.ts";
 * const e = parseDamonAggregated(
 *   "  kdamond.0-812  [001] .....  95.5: damon_aggregated: target_id=0 nr_regions=2 4096-8192: 5 1",
 * );
 * assertEquals(e, {
 *   kdamondPid: 812, targetId: 0, nrRegions: 2, startAddr: 4096, endAddr: 8192, nrAccesses: 5, age: 1,
 * });
 * ```
 */
export function parseDamonAggregated(line: string): DamonAggregated | undefined {
  const m = EVENT.exec(line);
  if (!m) return undefined;
  return {
    kdamondPid: Number(m[1]),
    targetId: Number(m[2]),
    nrRegions: Number(m[3]),
    startAddr: Number(m[4]),
    endAddr: Number(m[5]),
    nrAccesses: Number(m[6]),
    age: Number(m[7]),
  };
}

/** A file read without waiting. */
export interface NonblockingFile {
  /** Bytes read into `buf`; 0 at end of file; null when nothing is there now. */
  read(buf: Uint8Array): number | null;
  close(): void;
}

/** What the trace reader does to tracefs (the real files, or a simulation in tests). */
export interface TraceIo {
  exists(path: string): boolean;
  list(dir: string): string[];
  mkdir(path: string): void;
  rmdir(path: string): void;
  write(path: string, text: string): void;
  openNonblocking(path: string): NonblockingFile;
}

/** tracefs through Deno's file calls and the syscall layer's non-blocking open and read. */
export function realTraceIo(syscalls: Syscalls): TraceIo {
  const { openNonblocking, readNonblocking } = syscalls;
  return {
    exists: (path) => {
      try {
        Deno.statSync(path);
        return true;
      } catch {
        return false;
      }
    },
    list: (dir) => [...Deno.readDirSync(dir)].map((e) => e.name),
    mkdir: (path) => Deno.mkdirSync(path),
    rmdir: (path) => Deno.removeSync(path),
    write: (path, text) => {
      const f = Deno.openSync(path, { write: true });
      try {
        f.writeSync(new TextEncoder().encode(text));
      } finally {
        f.close();
      }
    },
    openNonblocking: (path) => {
      if (!openNonblocking || !readNonblocking) {
        throw new Deno.errors.NotSupported("no non-blocking reads in this syscall layer");
      }
      const fd = openNonblocking.call(syscalls, path);
      return {
        read: (buf) => readNonblocking.call(syscalls, fd, buf),
        close: () => syscalls.close(fd),
      };
    },
  };
}

/** Where tracefs is looked for, under the folder mounted as /sys, in this order. */
export const TRACEFS_PLACES = ["kernel/tracing", "kernel/debug/tracing"] as const;

/** Options of `DamonTrace.open`. */
export interface DamonTraceOptions {
  /** The folder mounted as /sys. Default `/sys`. */
  sysRoot?: string;
  /** The folder mounted as /proc, to tell instances of memtierds gone. Default `/proc`. */
  procRoot?: string;
  /** memtierd's pid, in the instance's name. Default `Deno.pid`. */
  pid?: number;
  io: TraceIo;
}

/** memtierd's own tracefs instance with `damon:damon_aggregated` enabled. */
export class DamonTrace {
  readonly dir: string;
  #io: TraceIo;
  #pipe: NonblockingFile;
  #buf = new Uint8Array(1 << 16);
  #decoder = new TextDecoder();
  #partial = "";

  private constructor(dir: string, io: TraceIo, pipe: NonblockingFile) {
    this.dir = dir;
    this.#io = io;
    this.#pipe = pipe;
  }

  /**
   * Makes the instance, enables the event and opens its pipe. Throws (with
   * what is missing) where tracefs, its instances or DAMON's events are not
   * there; nothing is left behind then.
   */
  static open(options: DamonTraceOptions): DamonTrace {
    const io = options.io;
    const sys = options.sysRoot ?? "/sys";
    const candidates = TRACEFS_PLACES.map((place) => `${sys}/${place}/instances`);
    const base = candidates.find((dir) => io.exists(dir));
    const event = "events/damon/damon_aggregated/enable";
    if (base === undefined) {
      throw new Deno.errors.NotFound(
        `${candidates.join(" and ")} are missing (tracefs not mounted, nor debugfs)`,
      );
    }
    const pid = options.pid ?? Deno.pid;
    const procRoot = options.procRoot ?? "/proc";
    for (const name of io.list(base)) {
      const m = /^memtierd-(\d+)-\d+$/.exec(name);
      if (m && Number(m[1]) !== pid && !io.exists(`${procRoot}/${m[1]}`)) {
        try {
          io.rmdir(`${base}/${name}`);
        } catch {
          // Another memtierd's cleanup got there first, or it is in use.
        }
      }
    }
    // The lowest free number: one instance per tracker of this memtierd.
    let n = 0;
    while (io.exists(`${base}/memtierd-${pid}-${n}`)) n++;
    const dir = `${base}/memtierd-${pid}-${n}`;
    io.mkdir(dir);
    try {
      if (!io.exists(`${dir}/${event}`)) {
        throw new Deno.errors.NotFound(`${dir}/${event} is missing (no DAMON tracepoints)`);
      }
      io.write(`${dir}/${event}`, "1\n");
      return new DamonTrace(dir, io, io.openNonblocking(`${dir}/trace_pipe`));
    } catch (e) {
      try {
        io.rmdir(dir);
      } catch {
        // The first error says what is wrong.
      }
      throw e;
    }
  }

  /** The events emitted since the last call (none when there are none: never waits). */
  read(): DamonAggregated[] {
    const events: DamonAggregated[] = [];
    for (;;) {
      const n = this.#pipe.read(this.#buf);
      if (n === null || n === 0) break;
      const text = this.#partial + this.#decoder.decode(this.#buf.subarray(0, n), { stream: true });
      const lines = text.split("\n");
      this.#partial = lines.pop() ?? "";
      for (const line of lines) {
        const e = parseDamonAggregated(line);
        if (e) events.push(e);
      }
    }
    return events;
  }

  /** Disables the event, closes the pipe, removes the instance. */
  close(): void {
    try {
      this.#io.write(`${this.dir}/events/damon/damon_aggregated/enable`, "0\n");
    } finally {
      this.#pipe.close();
      this.#io.rmdir(this.dir);
    }
  }
}
