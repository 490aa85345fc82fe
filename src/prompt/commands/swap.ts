/**
 * `swap`: swap the memory of processes out and in, and show how much of it
 * is swapped out.
 *
 * @module
 */
import { PID_MAX } from "../../common/limits.ts";
import { MB, PAGE_SIZE_BYTES } from "../../common/units.ts";
import { UsageError } from "../../errors.ts";
import { formatRange, intersectRanges } from "../../memory/addr_range.ts";
import { pageFilter } from "../../memory/page_scan.ts";
import { readPages } from "../../memory/process_pages.ts";
import { parseRangeSpecs } from "../../memory/range_spec.ts";
import { SWAP_TARGET } from "../../mover/mover.ts";
import { CgroupFs } from "../../pidwatchers/cgroup_pids.ts";
import { swapInRanges, swapOutRanges, swapStatus } from "../../swap/swap.ts";
import { boolFlag, intFlag, intListFlag, type PromptCommand, stringFlag } from "../command.ts";
import { rangesOf } from "./pages.ts";

export const swapCommand: PromptCommand = {
  name: "swap",
  description: "swap in/out, print swapped pages.",
  flags: [
    { name: "pid", type: "string", valueName: "PID", help: "act on PID" },
    { name: "pids", type: "string", valueName: "PID[,PID...]", help: "act on these pids" },
    {
      name: "pid-cgroups",
      type: "string",
      valueName: "CGPATH[,CGPATH...]",
      help: "act on the processes in these cgroups (globs allowed) and below",
    },
    { name: "in", type: "bool", help: "swap the selected ranges in" },
    { name: "out", type: "bool", help: "swap the selected ranges out" },
    {
      name: "ranges",
      type: "string",
      valueName: "RANGE[,RANGE...]",
      help: "only these ranges: STARTADDR, STARTADDR-ENDADDR, STARTADDR+SIZE[k|M|G|T]",
    },
    {
      name: "status",
      type: "bool",
      help: "print swapped-out pages out of pages in memory or swap",
    },
    { name: "vaddrs", type: "bool", help: "print the address ranges that are swapped out" },
    { name: "mover", type: "bool", help: "swap out through the mover (bandwidth limited)" },
  ],
  run({ session, out }, f) {
    const { procfs, syscalls, stats } = session.opts;
    if (boolFlag(f, "in") && boolFlag(f, "out")) {
      throw new UsageError("Cannot swap in and out at once: give -in or -out, not both");
    }
    const pids: number[] = [];
    const globs = stringFlag(f, "pid-cgroups");
    if (globs !== undefined) {
      const paths = [
        ...new Set(globs.split(",").flatMap((g) => new CgroupFs().expandGlob(g.trim()))),
      ];
      if (paths.length === 0) throw new UsageError("could not find any matching cgroups");
      const found = new CgroupFs().pids(paths).pids;
      out(`pidwatcher: AddPids([${found.join(" ")}])\n`);
      if (found.length === 0) {
        // At most 5 of them: a long list of globs is not echoed whole.
        const shown = paths.length <= 5
          ? paths.join(" ")
          : `${paths.slice(0, 5).join(" ")} ... and ${paths.length - 5} more`;
        throw new UsageError(`could not find any pids from cgroups [${shown}]`);
      }
      pids.push(...found);
    }
    const pid = intFlag(f, "pid", 1, PID_MAX, "a process id");
    if (pid !== undefined) pids.push(pid);
    pids.push(...(intListFlag(f, "pids", 1, PID_MAX, "process ids") ?? []));
    if (pids.length === 0) {
      throw new UsageError(
        "missing pids, add -pid=PID, -pids=PID[,PID...] or -pid-cgroups PATH[,PATH...]",
      );
    }
    const rangeText = stringFlag(f, "ranges");
    const cuts = rangeText === undefined ? undefined : parseRangeSpecs(rangeText);
    for (const p of pids) {
      let ranges = rangesOf(session, p);
      if (cuts) {
        ranges = intersectRanges(ranges, cuts);
        out(`using ${ranges.length} address ranges\n`);
      }
      if (ranges.length === 0) throw new UsageError("no address ranges from which to find pages");
      if (boolFlag(f, "in")) swapInRanges(procfs, p, ranges);
      if (boolFlag(f, "out")) {
        if (boolFlag(f, "mover")) {
          const pages = readPages(procfs, p, ranges, pageFilter({ present: true }));
          const mover = session.components.mover;
          mover.start();
          mover.addTask(p, pages.addrs, SWAP_TARGET);
        } else {
          swapOutRanges(syscalls(), p, ranges, stats);
        }
      }
      if (boolFlag(f, "status") || boolFlag(f, "vaddrs")) {
        const st = swapStatus(procfs, p, ranges);
        if (boolFlag(f, "vaddrs")) out(st.swappedRanges.map((r) => `${formatRange(r)}\n`).join(""));
        const pct = st.pages > 0 ? (100 * st.swappedPages) / st.pages : 0;
        out(
          `${p} ${st.swappedPages} / ${st.pages} pages, ${
            Math.floor(st.swappedPages * PAGE_SIZE_BYTES / MB)
          } / ${Math.floor(st.pages * PAGE_SIZE_BYTES / MB)} MB (${
            pct.toFixed(1)
          } %) swapped out\n`,
        );
      }
    }
  },
};
