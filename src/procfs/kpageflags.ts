/**
 * /proc/kpageflags: 64 flag bits per page frame (as root).
 *
 * @module
 */
import { planWords, readAt, readWords } from "../common/word_file.ts";
import { PermissionError, UnsupportedError } from "../errors.ts";

/** The flag names, by bit (include/uapi/linux/kernel-page-flags.h). */
export const KPF_NAMES = [
  "LOCKED",
  "ERROR",
  "REFERENCED",
  "UPTODATE",
  "DIRTY",
  "LRU",
  "ACTIVE",
  "SLAB",
  "WRITEBACK",
  "RECLAIM",
  "BUDDY",
  "MMAP",
  "ANON",
  "SWAPCACHE",
  "SWAPBACKED",
  "COMPOUND_HEAD",
  "COMPOUND_TAIL",
  "HUGE",
  "UNEVICTABLE",
  "HWPOISON",
  "NOPAGE",
  "KSM",
  "THP",
  "OFFLINE",
  "ZERO_PAGE",
  "IDLE",
  "PGTABLE",
] as const;

function openKpageflags(procRoot: string): Deno.FsFile {
  const path = `${procRoot}/kpageflags`;
  try {
    return Deno.openSync(path, { read: true });
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new UnsupportedError(`Cannot read ${path}: this kernel does not provide it`);
    }
    if (e instanceof Deno.errors.PermissionDenied) {
      throw new PermissionError(`Cannot read ${path}: permission denied`, "run memtierd as root");
    }
    throw e;
  }
}

/**
 * Reads the flags of the page frames `pfns` (any order, repeats allowed):
 * the file is opened once and each frame's word read once, in chunks of up
 * to 64 KiB. Returns, in the order of `pfns`, the low 32 bits of each
 * frame's flags (every named flag is there). Throws `RangeError` for a
 * frame past the last one.
 *
 * @example
 * ```ts ignore
 * import { KPF_NAMES, readKpageflags } from "./kpageflags.ts";
 * const [flags] = readKpageflags("/proc", [4096]); // needs root
 * console.log((flags! >>> KPF_NAMES.indexOf("ANON")) & 1);
 * ```
 */
export function readKpageflags(procRoot: string, pfns: ArrayLike<number>): Uint32Array {
  const plan = planWords(pfns);
  const file = openKpageflags(procRoot);
  let halves: Uint32Array;
  try {
    halves = readWords(file, plan.words, (pfn) => {
      throw new RangeError(`Cannot read flags of PFN ${pfn}: beyond the last page frame`);
    });
  } finally {
    file.close();
  }
  const out = new Uint32Array(pfns.length);
  for (let i = 0; i < out.length; i++) out[i] = halves[2 * plan.slot[i]!]!;
  return out;
}

/**
 * /proc/kpageflags opened for reading runs of consecutive frames (a
 * tracker's scan: one read per run of nearby frames, into a buffer the
 * caller keeps). Each frame's flags are two Uint32 halves, low then high.
 */
export class KpageflagsFile {
  #file: Deno.FsFile;

  private constructor(file: Deno.FsFile) {
    this.#file = file;
  }

  static open(procRoot: string): KpageflagsFile {
    return new KpageflagsFile(openKpageflags(procRoot));
  }

  /**
   * Reads the flags of frames [first, first + count) into `into`. Throws
   * `RangeError` when the file ends before the last of them.
   */
  read(first: number, count: number, into: Uint32Array): void {
    const bytes = new Uint8Array(into.buffer, into.byteOffset, count * 8);
    if (readAt(this.#file, bytes, first * 8, count * 8) < count * 8) {
      throw new RangeError(
        `Cannot read flags of PFNs ${first}..${first + count - 1}: beyond the last page frame`,
      );
    }
  }

  close(): void {
    this.#file.close();
  }
}

/** The flags as the Go memtierd prints them: one `NAME  0|1` line per flag. */
export function formatKpageflags(flags: number): string {
  return KPF_NAMES.map((name, bit) => `${name.padEnd(14)}${(flags >>> bit) & 1}\n`).join("");
}
