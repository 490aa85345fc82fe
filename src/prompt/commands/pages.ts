/**
 * `arange` and `pages`: select address ranges and pages of a process, and
 * look at pagemap bits, kpageflags and idle bits.
 *
 * @module
 */
import { quoted } from "../../common/excerpt.ts";
import { COUNT_MAX, NODE_MAX, PID_MAX } from "../../common/limits.ts";
import { UsageError } from "../../errors.ts";
import { PAGE_SIZE_BYTES } from "../../common/units.ts";
import {
  formatRange,
  intersectRanges,
  rangeLengthPages,
  splitRanges,
} from "../../memory/addr_range.ts";
import { countByNode, locatePages } from "../../memory/locate.ts";
import { forEachPagemapChunk, type PageAttrs, pageFilter } from "../../memory/page_scan.ts";
import { readPages, userProcessName } from "../../memory/process_pages.ts";
import { processRanges } from "../../memory/process_ranges.ts";
import { parseRangeSpecs } from "../../memory/range_spec.ts";
import { formatKpageflags, readKpageflags } from "../../procfs/kpageflags.ts";
import { decodeEntry } from "../../procfs/pagemap.ts";
import { requireOnlineNode } from "../../sysfs/node_check.ts";
import { readPageIdle, setPagesIdle } from "../../sysfs/page_idle.ts";
import { boolFlag, intFlag, type PromptCommand, stringFlag } from "../command.ts";
import type { Session } from "../session.ts";

const PFN_MAX = 2 ** 52;

/** The anon/heap ranges of a user process. */
export function rangesOf(session: Session, pid: number) {
  userProcessName(session.opts.procfs, pid);
  return processRanges(session.opts.procfs, pid);
}

export const arangeCommand: PromptCommand = {
  name: "arange",
  description: "select/split/filter address ranges.",
  flags: [
    { name: "pid", type: "string", valueName: "PID", help: "select the address ranges of PID" },
    { name: "ls", type: "bool", help: "list the selected address ranges" },
    {
      name: "split-length",
      type: "string",
      valueName: "PAGES",
      help: "split ranges longer than PAGES pages",
    },
    {
      name: "min-length",
      type: "string",
      valueName: "PAGES",
      help: "drop ranges shorter than PAGES pages",
    },
  ],
  run({ session, out }, f) {
    const pid = intFlag(f, "pid", 1, PID_MAX, "a process id");
    const split = intFlag(f, "split-length", 1, COUNT_MAX, "a number of pages");
    const min = intFlag(f, "min-length", 1, COUNT_MAX, "a number of pages");
    if (pid !== undefined) session.aranges = { pid, ranges: rangesOf(session, pid) };
    const sel = session.aranges;
    if (!sel) throw new UsageError("no address ranges selected, use -pid PID");
    if (split !== undefined) sel.ranges = splitRanges(sel.ranges, split);
    if (min !== undefined) sel.ranges = sel.ranges.filter((r) => rangeLengthPages(r) >= min);
    if (boolFlag(f, "ls")) out(sel.ranges.map((r) => `${formatRange(r)}\n`).join(""));
    out(`selected address ranges: ${sel.ranges.length}\n`);
  },
};

const ATTRS: Record<string, PageAttrs> = {
  Present: { present: true },
  Exclusive: { exclusive: true },
  Dirty: { softDirty: true },
  NotDirty: { softDirty: false },
};

/** Parses `-attrs` (default Present,Exclusive, as in the Go memtierd). */
function parsePageAttrs(text: string | undefined): PageAttrs {
  if (text === undefined || text === "") return { present: true, exclusive: true };
  const attrs: PageAttrs = {};
  for (const word of text.split(",")) {
    const a = ATTRS[word.trim()];
    if (!a) {
      throw new UsageError(
        `Invalid -attrs ${quoted(word)}: expected ${Object.keys(ATTRS).join(", ")}`,
      );
    }
    if (
      a.softDirty !== undefined && attrs.softDirty !== undefined && a.softDirty !== attrs.softDirty
    ) {
      throw new UsageError("Invalid -attrs: contradicting page requirements: Dirty,NotDirty");
    }
    Object.assign(attrs, a);
  }
  return attrs;
}

export const pagesCommand: PromptCommand = {
  name: "pages",
  description: "select pages, print selected page nodes and flags.",
  flags: [
    { name: "pid", type: "string", valueName: "PID", help: "select pages of PID" },
    {
      name: "attrs",
      type: "string",
      valueName: "ATTR[,ATTR...]",
      help: "only pages with Present, Exclusive, Dirty, NotDirty (default Present,Exclusive)",
    },
    {
      name: "ranges",
      type: "string",
      valueName: "RANGE[,RANGE...]",
      help: "only pages in RANGE: STARTADDR, STARTADDR-ENDADDR, STARTADDR+SIZE[k|M|G|T]",
    },
    { name: "node", type: "string", valueName: "NODE", help: "only pages now on NODE" },
    { name: "pr", type: "string", valueName: "N", help: "print the first N address ranges" },
    {
      name: "pm",
      type: "string",
      valueName: "N",
      help: "print pagemap bits and PFNs of the first N pages",
    },
    { name: "pi", type: "string", valueName: "PFN", help: "print the idle bit of a page frame" },
    { name: "si", type: "string", valueName: "PFN", help: "set the idle bit of a page frame" },
    { name: "pk", type: "string", valueName: "PFN", help: "print kpageflags of a page frame" },
  ],
  run({ session, out }, f) {
    const { procfs, sysfs, syscalls } = session.opts;
    if (f.size === 0) {
      const pages = session.pages;
      if (!pages) throw new UsageError("no pages selected, try pages -pid PID");
      const { nodes } = countByNode(locatePages(syscalls(), pages.pid, pages.addrs));
      out(`pages of pid ${pages.pid}\n`);
      for (const n of [...nodes.keys()].sort((a, b) => a - b)) out(`node ${n}: ${nodes.get(n)}\n`);
      return;
    }
    const pi = intFlag(f, "pi", 0, PFN_MAX, "a page frame number");
    const si = intFlag(f, "si", 0, PFN_MAX, "a page frame number");
    const pk = intFlag(f, "pk", 0, PFN_MAX, "a page frame number");
    if (pi !== undefined || si !== undefined) {
      if (pi !== undefined) out(`PFN ${pi} idle: ${readPageIdle(sysfs.root, [pi])[0] === 1}\n`);
      if (si !== undefined) setPagesIdle(sysfs.root, [si]);
      return;
    }
    if (pk !== undefined) {
      let flags: Uint32Array;
      try {
        flags = readKpageflags(procfs.root, [pk]);
      } catch (e) {
        // A number past this machine's memory is bad input, not a failure.
        if (!(e instanceof RangeError)) throw e;
        throw new UsageError(
          `Invalid -pk ${pk}: beyond the last page frame of this machine ` +
            "(accepted: a page frame number within /proc/kpageflags)",
        );
      }
      out(formatKpageflags(flags[0]!));
      return;
    }
    const pid = intFlag(f, "pid", 1, PID_MAX, "a process id");
    const node = intFlag(f, "node", 0, NODE_MAX, "a node id");
    const pr = intFlag(f, "pr", 0, COUNT_MAX, "a number of ranges");
    const pm = intFlag(f, "pm", 0, COUNT_MAX, "a number of pages");
    const attrs = parsePageAttrs(stringFlag(f, "attrs"));
    const rangeText = stringFlag(f, "ranges");
    const cuts = rangeText === undefined ? undefined : parseRangeSpecs(rangeText);
    if (pid === undefined) throw new UsageError("missing -pid PID");
    if (node !== undefined) requireOnlineNode(sysfs.nodes(), node, "select pages on");
    out(`searching for address ranges of pid ${pid}\n`);
    let ranges = rangesOf(session, pid);
    out(`found ${ranges.length} address ranges\n`);
    if (cuts) {
      ranges = intersectRanges(ranges, cuts);
      out(`using ${ranges.length} address ranges\n`);
    }
    if (ranges.length === 0) throw new UsageError("no address ranges from which to find pages");
    if (pm !== undefined) {
      out("bits: softdirty, exclusive, uffd_wp, file, swap, present\n");
      printPagemap(session, pid, ranges, pm, out);
      return;
    }
    session.aranges = { pid, ranges };
    out(`aranges = <${ranges.length} address ranges of pid ${pid}>\n`);
    if (pr !== undefined) {
      out(ranges.slice(0, pr).map((r) => `${formatRange(r)}\n`).join(""));
      return;
    }
    let pages = readPages(procfs, pid, ranges, pageFilter(attrs));
    if (node !== undefined) {
      const where = locatePages(syscalls(), pid, pages.addrs);
      pages = pages.filter((i) => where[i] === node);
    }
    session.pages = pages;
    out(`pages = <${pages.length} pages of pid ${pid}>\n`);
  },
};

function printPagemap(
  session: Session,
  pid: number,
  ranges: ReturnType<typeof rangesOf>,
  limit: number,
  out: (t: string) => void,
): void {
  const procfs = session.opts.procfs;
  const pagemap = procfs.openPagemap(pid);
  let printed = 0;
  let text = "";
  try {
    forEachPagemapChunk(pagemap, ranges, (words, count, firstAddr) => {
      for (let i = 0; i < count && printed < limit; i++, printed++) {
        const e = decodeEntry(words[2 * i]!, words[2 * i + 1]!);
        const bits = [e.softDirty, e.exclusive, e.uffdWp, e.file, e.swap, e.present]
          .map((b) => (b ? "1" : "0")).join("");
        text += `${(firstAddr + i * PAGE_SIZE_BYTES).toString(16)}: bits: ${bits} pfn: ${e.pfn}\n`;
      }
    }, Math.min(65536, Math.max(1, limit)));
  } catch (e) {
    throw procfs.fileError(pid, "pagemap", e);
  } finally {
    pagemap.close();
  }
  out(text);
}
