/**
 * /proc/PID/pagemap: 8 bytes per virtual page, read in large chunks and
 * decoded through Uint32 halves (no BigInt per page).
 *
 * Entry bits (Documentation/admin-guide/mm/pagemap.rst): 0-54 PFN (or swap
 * type/offset), 55 soft-dirty, 56 exclusively mapped, 57 uffd-wp, 61 file or
 * shared-anon, 62 swapped, 63 present. The flags all live in the high word;
 * `PM` holds them as int32 masks of that word.
 *
 * @module
 */
import { PAGE_SIZE_BYTES } from "../common/units.ts";

/** Pagemap flags as masks of an entry's high 32-bit word (int32, for `&`). */
export const PM = {
  SOFT_DIRTY: 1 << 23,
  EXCLUSIVE: 1 << 24,
  UFFD_WP: 1 << 25,
  FILE: 1 << 29,
  SWAP: 1 << 30,
  PRESENT: 1 << 31,
} as const;

const PFN_HI_MASK = 0x7fffff;
const TWO_32 = 4294967296;

/** The page frame number of an entry (meaningful only for present pages, as root). */
export function entryPfn(lo: number, hi: number): number {
  return (hi & PFN_HI_MASK) * TWO_32 + (lo >>> 0);
}

/** Decoded flags of one pagemap entry, for printing (`pages -pm`). */
export interface PagemapEntryFlags {
  softDirty: boolean;
  exclusive: boolean;
  uffdWp: boolean;
  file: boolean;
  swap: boolean;
  present: boolean;
  pfn: number;
}

/** Decodes one entry given as its two 32-bit halves. */
export function decodeEntry(lo: number, hi: number): PagemapEntryFlags {
  return {
    softDirty: (hi & PM.SOFT_DIRTY) !== 0,
    exclusive: (hi & PM.EXCLUSIVE) !== 0,
    uffdWp: (hi & PM.UFFD_WP) !== 0,
    file: (hi & PM.FILE) !== 0,
    swap: (hi & PM.SWAP) !== 0,
    present: (hi & PM.PRESENT) !== 0,
    pfn: entryPfn(lo, hi),
  };
}

/** Entries read per read(2): 64 Ki entries = 512 KiB = 256 MiB of address space. */
export const PAGEMAP_CHUNK_ENTRIES = 65536;

/** Something that yields pagemap entries for consecutive pages. */
export interface PagemapSource {
  /**
   * Reads the entries of `countPages` pages from `startAddr` into `into`
   * (two words per page, low then high). Returns the number of entries read;
   * fewer than asked means the end of the address space or of the process.
   */
  read(startAddr: number, countPages: number, into: Uint32Array): number;
  close(): void;
}

/** A pagemap file opened for reading. */
export class PagemapFile implements PagemapSource {
  #file: Deno.FsFile;

  constructor(file: Deno.FsFile) {
    this.#file = file;
  }

  read(startAddr: number, countPages: number, into: Uint32Array): number {
    const want = countPages * 8;
    if (into.length < countPages * 2) {
      throw new RangeError("Cannot read pagemap: buffer smaller than the pages asked");
    }
    const bytes = new Uint8Array(into.buffer, into.byteOffset, want);
    this.#file.seekSync(Math.floor(startAddr / PAGE_SIZE_BYTES) * 8, Deno.SeekMode.Start);
    let got = 0;
    while (got < want) {
      const n = this.#file.readSync(bytes.subarray(got));
      if (n === null || n === 0) break;
      got += n;
    }
    return Math.floor(got / 8);
  }

  close(): void {
    this.#file.close();
  }
}
