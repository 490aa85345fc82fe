/**
 * The `softdirty` tracker: which regions were written since the last scan,
 * from the soft-dirty bit (55) of /proc/PID/pagemap, reset by writing "4"
 * to /proc/PID/clear_refs after each pass. Sees writes only. Only present,
 * exclusively mapped pages are looked at.
 *
 * Config (Go keys; defaults for omitted ones): PagesInRegion 512,
 * MaxCountPerRegion 1 (0 = PagesInRegion), ScanIntervalMs 5000,
 * RegionsUpdateMs 10000 (0 = before every scan), SkipPageProb 0 (per mille
 * of pages after a region's first left unread), PagemapReadahead 0 (taken
 * for compatibility: pagemap is always read in chunks of up to 64 Ki
 * entries), TrackReferenced false (taken, but not supported: the Go one
 * documents it as not working; one log line says so).
 *
 * @module
 */
import * as v from "valibot";
import { bool, intInRange, parseWithSchema, positiveInt } from "../config/schema.ts";
import type { ComponentDeps, ComponentFactory } from "../lifecycle/deps.ts";
import { PM } from "../procfs/pagemap.ts";
import { PageTracker, SCANNED, WRITTEN } from "./page_tracker.ts";
import type { Tracker } from "./tracker.ts";

/** Longest interval a tracker takes: one hour. */
export const MAX_TRACKER_MS = 3_600_000;
/** Largest region: 1 GiB of 4 KiB pages. */
export const MAX_REGION_PAGES = 262_144;

/** Fields softdirty and idlepage share, with the Go defaults. */
export const pageTrackerFields = {
  PagesInRegion: v.optional(positiveInt(MAX_REGION_PAGES), 512),
  MaxCountPerRegion: v.optional(intInRange(0, MAX_REGION_PAGES), 1),
  ScanIntervalMs: v.optional(positiveInt(MAX_TRACKER_MS), 5000),
  RegionsUpdateMs: v.optional(intInRange(0, MAX_TRACKER_MS), 10000),
  PagemapReadahead: v.optional(intInRange(-1, 65536), 0),
};

const schema = v.strictObject({
  ...pageTrackerFields,
  SkipPageProb: v.optional(intInRange(0, 1000), 0),
  TrackReferenced: v.optional(bool(), false),
});

/** The `softdirty` config, defaults filled in. */
export type SoftDirtyConfig = v.InferOutput<typeof schema>;

/** Counts written pages per region. */
export class SoftDirtyTracker extends PageTracker {
  readonly config: SoftDirtyConfig;

  constructor(config: SoftDirtyConfig, deps: ComponentDeps) {
    super("TrackerSoftDirty", config, deps);
    this.config = config;
    this.skipProb = config.SkipPageProb / 1000;
    this.writtenBit = PM.SOFT_DIRTY;
    if (config.TrackReferenced) {
      deps.logger.info(
        "tracker softdirty: TrackReferenced is not supported (the Go memtierd documents it as not working); tracking writes only",
      );
    }
  }

  protected classify(_pid: number, e: Uint32Array, n: number, out: Uint8Array): void {
    const need = PM.PRESENT | PM.EXCLUSIVE;
    for (let i = 0; i < n; i++) {
      const hi = e[2 * i + 1]! | 0;
      if ((hi & need) !== need) continue;
      out[i] = (hi & PM.SOFT_DIRTY) !== 0 ? SCANNED | WRITTEN : SCANNED;
    }
  }

  protected afterPid(pid: number): void {
    this.deps.procfs.clearRefs(pid, "4");
  }

  configJson(): string {
    return JSON.stringify(this.config);
  }
}

export const softDirtyTrackerFactory: ComponentFactory<SoftDirtyConfig, Tracker> = {
  description: "writes per region, from pagemap's soft-dirty bit (clear_refs 4)",
  parse: (raw, what) => parseWithSchema(schema, raw, what),
  create: (config, deps) => new SoftDirtyTracker(config, deps),
};
