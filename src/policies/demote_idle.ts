/**
 * The `demote-idle` policy: moves the pages of interest that nobody touched
 * during one interval to a slow node, reading the kernel's idle page bitmap
 * itself (no tracker; needs CONFIG_IDLE_PAGE_TRACKING). Demotion only: a
 * page that becomes busy again stays where it is.
 *
 * Pages of interest come from two sources, and both are scanned (the Go one
 * scanned only the folder when it had both):
 * - the pidwatcher's processes: their anon/heap ranges, read when the
 *   process appears; pages found idle (queued, or already on the node)
 *   leave them, as in the Go one (not in a dry run, so that every round
 *   shows what it would do);
 * - the folder `PagesOfInterestDir`: `<PID>.vab` files read every round
 *   under a shared lock on `<dir>/lock` (see poi.ts). While a writer holds
 *   the lock the folder's pages are left for that round (said once per busy
 *   stretch); the pidwatcher's pages are still handled.
 *
 * A round (at start, then every IntervalMs), per process: read pagemap over
 * its pages of interest; of the present, exclusive pages, those whose idle
 * bit is still set were not accessed since the previous round, and are
 * queued to the first node of IdleNumas (through placement.ts, which skips
 * those already there, or only logs them in a dry run). Then the idle bits of all those
 * pages are set for the next round, once per round for every process.
 * While the mover still has tasks from an earlier round, idle pages are not
 * looked for (the bits are only set again), until it has none.
 *
 * Idle bits are written for the pages of interest only: the bitmap is
 * written in 64-frame words, and a word carries only the bits of our pages
 * (the kernel ignores 0 bits), so the other 63 frames of a word, other
 * processes' pages, are not marked idle (the Go one wrote all ones).
 *
 * A transparent huge page's tail frames never read as idle, so with THP the
 * policy sees only the head page of each huge page as idle (as in the Go
 * one: turn THP off for this policy).
 *
 * Config (Go keys): IntervalMs (default 5000), IdleNumas (at least one node;
 * the first is used; node numbers or tier words such as "slower",
 * resolved per process within its Mems_allowed_list: tiers/node_list.ts),
 * PidWatcher {name, config} and PagesOfInterestDir (an existing folder; at
 * least one of the two), Mover, DryRun. A process whose IdleNumas give it
 * no node keeps its pages where they are (said once).
 *
 * @module
 */
import { errorText } from "../common/error_text.ts";
import { NODE_MAX } from "../common/limits.ts";
import { MB, PAGE_SIZE_BYTES } from "../common/units.ts";
import { ConfigError } from "../config/config_error.ts";
import * as v from "valibot";
import { componentRef, parseWithSchema } from "../config/schema.ts";
import { ProcessGoneError, UnsupportedError } from "../errors.ts";
import { type ComponentSpec, parseNested } from "../lifecycle/components.ts";
import type { ComponentDeps, ComponentFactory } from "../lifecycle/deps.ts";
import { type AddrRange, mergeRanges, pagesToRanges, totalPages } from "../memory/addr_range.ts";
import { forEachPagemapChunk } from "../memory/page_scan.ts";
import { processRanges } from "../memory/process_ranges.ts";
import { nodeTarget } from "../mover/mover.ts";
import { pidWatchers } from "../pidwatchers/mod.ts";
import type { PidWatcher, WatchedPid } from "../pidwatchers/pidwatcher.ts";
import { entryPfn, PM } from "../procfs/pagemap.ts";
import { readPageIdle, setPagesIdle } from "../sysfs/page_idle.ts";
import {
  formatNodeList,
  listNamesTiers,
  nodeListField,
  NoNodeWarnings,
  resolveNodeList,
} from "../tiers/node_list.ts";
import type { NodeSpecDeps } from "../tiers/node_spec.ts";
import { readTierTopology } from "../tiers/tier_topology.ts";
import { intervalEntry } from "./config.ts";
import { placementEntries } from "./placement.ts";
import type { Policy } from "./policy.ts";
import { type PolicyParts, PolicyRuntime } from "./runtime.ts";
import { readPoiDir, subtractRanges } from "./poi.ts";

const NAME = "demote-idle";

const schema = v.strictObject({
  IntervalMs: intervalEntry(),
  IdleNumas: v.pipe(
    nodeListField({ swap: false, maxNode: NODE_MAX }),
    v.minLength(1, "must list at least one node id or tier word"),
  ),
  PidWatcher: v.optional(componentRef()),
  PagesOfInterestDir: v.optional(v.string("must be a folder path"), ""),
  ...placementEntries,
});

type Parsed = v.InferOutput<typeof schema>;

/** The `demote-idle` config, defaults filled in and the pidwatcher looked up. */
export interface DemoteIdleConfig extends Omit<Parsed, "PidWatcher"> {
  PidWatcher?: { name: string; config?: unknown };
  pidWatcherSpec?: ComponentSpec<PidWatcher>;
}

function parse(raw: unknown, what: string): DemoteIdleConfig {
  const p = parseWithSchema(schema, raw, what);
  const { PidWatcher: ref, ...rest } = p;
  const out: DemoteIdleConfig = { ...rest };
  if (ref) {
    const config = ref.config ?? undefined;
    out.PidWatcher = config === undefined ? { name: ref.name } : { name: ref.name, config };
    out.pidWatcherSpec = parseNested(pidWatchers, "PidWatcher", out.PidWatcher, what);
  }
  if (!ref && p.PagesOfInterestDir === "") {
    throw new ConfigError({
      reason:
        "needs PidWatcher, PagesOfInterestDir or both (where the pages of interest come from)",
      component: what,
    });
  }
  if (p.PagesOfInterestDir !== "") {
    let isDir = false;
    try {
      isDir = Deno.statSync(p.PagesOfInterestDir).isDirectory;
    } catch {
      throw new ConfigError({
        reason: `no such folder ${
          JSON.stringify(p.PagesOfInterestDir)
        } (must be an existing folder)`,
        keyPath: ["PagesOfInterestDir"],
        component: what,
      });
    }
    if (!isDir) {
      throw new ConfigError({
        reason: `${
          JSON.stringify(p.PagesOfInterestDir)
        } is not a folder (must be an existing folder)`,
        keyPath: ["PagesOfInterestDir"],
        component: what,
      });
    }
  }
  return out;
}

interface Interest {
  /** The watched process (pidwatcher pages), or undefined (folder pages only). */
  watched?: WatchedPid;
  /** From the pidwatcher; sorted, merged. */
  watcherRanges: AddrRange[];
  /** From the folder's last read; sorted, merged. */
  dirRanges: AddrRange[];
}

/** The `demote-idle` logic: demotes pages left idle for one interval. */
export class DemoteIdleLogic {
  readonly config: DemoteIdleConfig;
  readonly #deps: ComponentDeps;
  readonly #parts: PolicyParts;
  /** Pages of interest from the pidwatcher, by pid. */
  #watched = new Map<number, { watched: WatchedPid; ranges: AddrRange[] }>();
  /** Pages of interest from the folder's last read, by pid. */
  #dir = new Map<number, AddrRange[]>();
  #lockBusy = false;
  /** The last error reading the folder, said once. */
  #dirError = "";
  readonly #noNode: NoNodeWarnings;
  /** What IdleNumas resolve through this round (the tiers read once, when first needed). */
  #resolveDeps: NodeSpecDeps | undefined;

  constructor(config: DemoteIdleConfig, parts: PolicyParts) {
    this.config = config;
    this.#parts = parts;
    this.#deps = parts.deps;
    this.#noNode = new NoNodeWarnings(NAME, parts.deps.logger);
  }

  get bitmapPath(): string {
    return `${this.#deps.sysfs.root}/kernel/mm/page_idle/bitmap`;
  }

  addPids(pids: readonly WatchedPid[]): void {
    for (const w of pids) {
      try {
        const ranges = mergeRanges(processRanges(this.#deps.procfs, w.pid));
        this.#watched.set(w.pid, { watched: w, ranges });
        const pages = totalPages(ranges);
        this.#deps.logger.debug(
          `policy ${NAME}: pid ${w.pid}: ${ranges.length} ranges, ${pages} pages (${
            mib(pages)
          } MiB) of interest`,
        );
      } catch (e) {
        this.#deps.logger.debug(`policy ${NAME}: pid ${w.pid} left out: ${errorText(e)}`);
      }
    }
  }

  removePids(pids: readonly WatchedPid[]): void {
    for (const w of pids) {
      const st = this.#watched.get(w.pid);
      if (st && st.watched.startTicks === w.startTicks) this.#watched.delete(w.pid);
    }
  }

  /** Fails the start on a kernel without idle page tracking. */
  prepare(): void {
    try {
      Deno.statSync(this.bitmapPath);
    } catch {
      throw new UnsupportedError(
        `policy ${NAME}: ${this.bitmapPath} is missing: this kernel lacks idle page tracking ` +
          "(CONFIG_IDLE_PAGE_TRACKING; `make vm-kernel` builds a VM kernel with it)",
      );
    }
  }

  /** The processes and their pages of interest, as this round sees them. */
  #interests(): Map<number, Interest> {
    const out = new Map<number, Interest>();
    for (const [pid, st] of this.#watched) {
      out.set(pid, { watched: st.watched, watcherRanges: st.ranges, dirRanges: [] });
    }
    for (const [pid, ranges] of this.#dir) {
      const it = out.get(pid);
      if (it) it.dirRanges = ranges;
      else out.set(pid, { watcherRanges: [], dirRanges: ranges });
    }
    return out;
  }

  #readDir(): void {
    const dir = this.config.PagesOfInterestDir;
    if (dir === "") return;
    let read;
    try {
      read = readPoiDir(dir);
    } catch (e) {
      const m = `policy ${NAME}: cannot read ${dir}: ${errorText(e)}`;
      if (m !== this.#dirError) this.#deps.logger.warn(m); // once, not every round
      this.#dirError = m;
      this.#dir.clear();
      return;
    }
    this.#dirError = "";
    if (read.kind === "busy") {
      if (!this.#lockBusy) {
        this.#deps.logger.info(
          `policy ${NAME}: ${dir}/lock is held by a writer: leaving the folder's pages ` +
            "until it is released",
        );
      }
      this.#lockBusy = true;
      this.#dir.clear();
      return;
    }
    if (this.#lockBusy) this.#deps.logger.info(`policy ${NAME}: ${dir}/lock released`);
    this.#lockBusy = false;
    for (const s of read.skipped) this.#deps.logger.warn(`policy ${NAME}: skipped: ${s}`);
    this.#dir = read.pids;
  }

  /** One round (what the loop runs). */
  round(): void {
    this.#readDir();
    this.#resolveDeps = undefined;
    let moverBusy = !this.#parts.placement.moverIdle();
    if (moverBusy) {
      this.#deps.logger.debug(
        `policy ${NAME}: mover busy: only setting idle bits until it has no tasks`,
      );
    }
    const toIdle: number[] = [];
    for (const [pid, it] of this.#interests()) {
      if (moverBusy) moverBusy = !this.#parts.placement.moverIdle();
      try {
        this.#pidRound(pid, it, !moverBusy, toIdle);
      } catch (e) {
        this.#forget(pid, it);
        if (e instanceof ProcessGoneError || !this.#deps.procfs.exists(pid)) {
          this.#deps.logger.debug(`policy ${NAME}: pid ${pid} is gone`);
        } else {
          this.#deps.logger.warn(`policy ${NAME}: pid ${pid} left out: ${errorText(e)}`);
        }
      }
    }
    // Each 64-frame word written once, with the bits of every process's pages.
    setPagesIdle(this.#deps.sysfs.root, toIdle);
  }

  #forget(pid: number, it: Interest): void {
    if (it.watched) this.#watched.delete(pid);
    this.#dir.delete(pid);
    this.#noNode.forget(pid);
  }

  /** The first node of IdleNumas for `pid`, or null (said once). */
  #dest(pid: number): number | null {
    const list = this.config.IdleNumas;
    if (!listNamesTiers(list)) return list[0] as number;
    this.#resolveDeps ??= {
      procfs: this.#deps.procfs,
      sysfs: this.#deps.sysfs,
      tiers: readTierTopology(this.#deps.sysfs),
    };
    const node = resolveNodeList(list, pid, this.#resolveDeps)[0];
    if (node === undefined) {
      this.#noNode.warn(pid, "IdleNumas", String(formatNodeList(list)));
      return null;
    }
    return node;
  }

  /** Looks for idle pages of one process and queues them; adds its frames to `toIdle`. */
  #pidRound(
    pid: number,
    it: Interest,
    demote: boolean,
    toIdle: number[],
  ): void {
    const procfs = this.#deps.procfs;
    if (it.watched && procfs.startTicks(pid) !== it.watched.startTicks) {
      throw new ProcessGoneError(pid);
    }
    const ranges = mergeRanges([...it.watcherRanges, ...it.dirRanges]);
    if (ranges.length === 0) return;
    const t0 = this.#deps.clock.now();
    const addrs: number[] = [];
    const pfns: number[] = [];
    const need = PM.PRESENT | PM.EXCLUSIVE;
    const pagemap = procfs.openPagemap(pid);
    try {
      forEachPagemapChunk(pagemap, ranges, (words, count, first) => {
        for (let i = 0; i < count; i++) {
          const hi = words[2 * i + 1]! | 0;
          if ((hi & need) !== need) continue;
          addrs.push(first + i * PAGE_SIZE_BYTES);
          pfns.push(entryPfn(words[2 * i]!, hi));
        }
      });
    } finally {
      pagemap.close();
    }
    if (addrs.length === 0 && !procfs.exists(pid)) throw new ProcessGoneError(pid);
    for (const pfn of pfns) toIdle.push(pfn);
    if (demote && pfns.length > 0) {
      // The last frames of memory may lie in a word the kernel cannot read.
      const idle = readPageIdle(this.#deps.sysfs.root, pfns, "not-idle");
      const idleAddrs: number[] = [];
      for (let i = 0; i < idle.length; i++) if (idle[i]) idleAddrs.push(addrs[i]!);
      this.#deps.stats.recordScan(
        pid,
        Math.round((this.#deps.clock.now() - t0) * 1000),
        addrs.length,
        addrs.length - idleAddrs.length,
        0,
      );
      const dest = idleAddrs.length > 0 ? this.#dest(pid) : null;
      if (dest !== null) {
        const idleRanges = pagesToRanges(idleAddrs);
        const r = this.#parts.placement.queue(
          pid,
          idleRanges,
          nodeTarget(dest),
          `idle for ${this.config.IntervalMs} ms`,
        );
        if (r.skipped === "process-gone") throw new ProcessGoneError(pid);
        const st = this.#watched.get(pid);
        if (st && !this.config.DryRun) st.ranges = subtractRanges(st.ranges, idleRanges);
      }
    }
  }

  dump(args: readonly string[]): string {
    if (args[0] === "config") return this.configJson();
    const all = this.#interests();
    let ranges = 0;
    let pages = 0;
    for (const it of all.values()) {
      const merged = mergeRanges([...it.watcherRanges, ...it.dirRanges]);
      ranges += merged.length;
      pages += totalPages(merged);
    }
    return `pids: ${all.size}, ranges: ${ranges}, pages: ${pages} (${mib(pages)} MiB)`;
  }

  configJson(): string {
    const { pidWatcherSpec: _, ...keys } = this.config;
    return JSON.stringify({ ...keys, IdleNumas: formatNodeList(keys.IdleNumas) });
  }
}

function mib(pages: number): string {
  return (pages * PAGE_SIZE_BYTES / MB).toFixed(1);
}

/** A `demote-idle` policy on its runtime (a task is worth even one page). */
export function createDemoteIdlePolicy(
  config: DemoteIdleConfig,
  deps: ComponentDeps,
): PolicyRuntime<DemoteIdleLogic> {
  return new PolicyRuntime(
    {
      name: NAME,
      intervalMs: config.IntervalMs,
      pidWatcher: config.pidWatcherSpec,
      placement: config,
      minPages: 1,
    },
    deps,
    (parts) => new DemoteIdleLogic(config, parts),
  );
}

export const demoteIdlePolicyFactory: ComponentFactory<DemoteIdleConfig, Policy> = {
  description: "moves pages left idle for IntervalMs to IdleNumas[0] (idle page bitmap)",
  parse,
  create: (config, deps) => createDemoteIdlePolicy(config, deps),
};
