/**
 * /proc/kpageflags: 64 flag bits per page frame (as root).
 *
 * @module
 */
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

/** Reads the flags of page frame `pfn` (the low 32 bits hold every named flag). */
export function readKpageflags(procRoot: string, pfn: number): number {
  const path = `${procRoot}/kpageflags`;
  let file: Deno.FsFile;
  try {
    file = Deno.openSync(path, { read: true });
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new UnsupportedError(`Cannot read ${path}: this kernel does not provide it`);
    }
    if (e instanceof Deno.errors.PermissionDenied) {
      throw new PermissionError(`Cannot read ${path}: permission denied`, "run memtierd as root");
    }
    throw e;
  }
  try {
    const buf = new Uint8Array(8);
    file.seekSync(pfn * 8, Deno.SeekMode.Start);
    const n = file.readSync(buf);
    if (n !== 8) {
      throw new RangeError(`Cannot read flags of PFN ${pfn}: beyond the last page frame`);
    }
    return new DataView(buf.buffer).getUint32(0, true);
  } finally {
    file.close();
  }
}

/** The flags as the Go memtierd prints them: one `NAME  0|1` line per flag. */
export function formatKpageflags(flags: number): string {
  return KPF_NAMES.map((name, bit) => `${name.padEnd(14)}${(flags >>> bit) & 1}\n`).join("");
}
