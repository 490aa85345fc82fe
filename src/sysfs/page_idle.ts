/**
 * /sys/kernel/mm/page_idle/bitmap: one idle bit per page frame, in 64-bit
 * words (bit = PFN % 64 of word PFN / 64). Writing a 1 bit marks that page
 * idle; 0 bits are ignored, so one page can be marked without touching its
 * neighbours.
 *
 * @module
 */
import { UnsupportedError } from "../errors.ts";

function open(sysRoot: string, write: boolean): Deno.FsFile {
  const path = `${sysRoot}/kernel/mm/page_idle/bitmap`;
  try {
    return Deno.openSync(path, { read: !write, write });
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new UnsupportedError(
        `Cannot open ${path}: this kernel has no idle page tracking ` +
          "(CONFIG_IDLE_PAGE_TRACKING; `make vm-kernel` builds a VM kernel with it)",
      );
    }
    throw e;
  }
}

/** Whether page frame `pfn` is idle. */
export function getPageIdle(sysRoot: string, pfn: number): boolean {
  const f = open(sysRoot, false);
  try {
    const buf = new Uint8Array(8);
    f.seekSync(Math.floor(pfn / 64) * 8, Deno.SeekMode.Start);
    if (f.readSync(buf) !== 8) throw new RangeError(`Cannot read idle bit of PFN ${pfn}`);
    const bit = pfn % 64;
    const word = new DataView(buf.buffer).getUint32(bit < 32 ? 0 : 4, true);
    return ((word >>> (bit % 32)) & 1) === 1;
  } finally {
    f.close();
  }
}

/** Marks page frame `pfn` idle (only that page). */
export function setPageIdle(sysRoot: string, pfn: number): void {
  const f = open(sysRoot, true);
  try {
    const buf = new Uint8Array(8);
    const bit = pfn % 64;
    new DataView(buf.buffer).setUint32(bit < 32 ? 0 : 4, (1 << (bit % 32)) >>> 0, true);
    f.seekSync(Math.floor(pfn / 64) * 8, Deno.SeekMode.Start);
    f.writeSync(buf);
  } finally {
    f.close();
  }
}
