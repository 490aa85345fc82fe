/**
 * procfs: readers and pure parsers of /proc/PID files.
 *
 *   proc_fs.ts     ProcFs: reads whole files under a root folder (a fixture
 *                  tree in tests) and types the errors
 *     ├─ maps.ts        parseMaps
 *     ├─ numa_maps.ts   parseNumaMaps
 *     ├─ status.ts      parseStatus
 *     ├─ stat.ts        parseStat
 *     ├─ stat_start.ts  parseStartTicks (field 22: tells a reused pid apart)
 *     ├─ smaps.ts       sumSmapsKiB, privateDirtyKiB (smaps_rollup, else smaps)
 *     ├─ pagemap.ts     PagemapFile: chunked reads, flags in Uint32 halves
 *     ├─ zoneinfo.ts    parseZoneinfo (/proc/zoneinfo: what each zone keeps free)
 *     └─ privileges.ts  CapEff and uids: which capability a refusal needs
 *
 * @module
 */
export { type MapsEntry, parseMaps } from "./maps.ts";
export { type NumaMapsEntry, parseNumaMaps } from "./numa_maps.ts";
export { decodeEntry, entryPfn, PagemapFile, type PagemapSource, PM } from "./pagemap.ts";
export { type MemFile, ProcFs, type ProcFsOptions } from "./proc_fs.ts";
export { parseStat, PF_KTHREAD, type ProcStat } from "./stat.ts";
export { parseStartTicks } from "./stat_start.ts";
export { parseZoneinfo, type ZoneInfo } from "./zoneinfo.ts";
export { privateDirtyKiB, sumSmapsKiB } from "./smaps.ts";
export { parseStatus, type ProcStatus, statusKiB } from "./status.ts";
export * from "./privileges.ts";
