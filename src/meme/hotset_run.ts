/**
 * `meme hotset`'s run: allocates and fills the working set, sets the
 * starting placement, touches the pages in rounds (hotset.ts says which) and
 * prints a `hotset:` line every second from move_pages queries on a sample
 * of its own pages; at the end checks every page's data.
 *
 * @module
 */
import { ExitCode } from "../common/exit_codes.ts";
import { Errno } from "../ffi/errno.ts";
import { SyscallError } from "../ffi/syscall_error.ts";
import { parseIdList } from "../sysfs/id_list.ts";
import { parseNodeMeminfo } from "../sysfs/node_meminfo.ts";
import {
  coldFastPlan,
  coldPage,
  countTierChanges,
  endLine,
  hotLayout,
  hotsetLine,
  type HotsetOptions,
  hotStart,
  samplePages,
  summarizePlacement,
  tierChanges,
} from "./hotset.ts";
import { fillPattern, PAGE_BYTES, patternStart, verifyPattern } from "./pattern.ts";

/** What the run needs from its surroundings. */
export interface HotsetEnv {
  out: (line: string) => void;
  /** Milliseconds from any fixed point. */
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  readText: (path: string) => string;
  addressOf: (buffer: ArrayBuffer) => number;
  /**
   * move_pages(2) on this process: with nodes, moves (MPOL_MF_MOVE); with
   * null, queries. Throws SyscallError; a move to a full node fails with
   * ENOMEM after it moved what fitted, leaving the other statuses unwritten.
   */
  movePages: (addrs: Float64Array, nodes: Int32Array | null, status: Int32Array) => void;
  /** Resolves when a `start` line arrives on stdin. */
  waitStart: () => Promise<void>;
}

const WORDS_PER_PAGE = PAGE_BYTES / 4;
const BATCH = 4096;

function nodeCounts(status: Int32Array): string {
  const counts = new Map<number, number>();
  for (const s of status) counts.set(s, (counts.get(s) ?? 0) + 1);
  return [...counts].sort((a, b) => a[0] - b[0]).map(([n, c]) => `${n}:${c}`).join(" ");
}

function query(env: HotsetEnv, base: number, pages: readonly number[]): Int32Array {
  const status = new Int32Array(pages.length);
  for (let i = 0; i < pages.length; i += BATCH) {
    const end = Math.min(i + BATCH, pages.length);
    const addrs = new Float64Array(end - i);
    for (let j = i; j < end; j++) addrs[j - i] = base + pages[j]! * PAGE_BYTES;
    env.movePages(addrs, null, status.subarray(i, end));
  }
  return status;
}

/**
 * Moves the pages whose target node passes `only` there; returns how many
 * did not get there. A full target node (ENOMEM) only leaves pages where
 * they are: the starting placement is as good as the nodes allow.
 */
function moveTo(
  env: HotsetEnv,
  base: number,
  target: Int32Array,
  only: (node: number) => boolean,
): number {
  let failed = 0;
  const addrs = new Float64Array(BATCH);
  const nodes = new Int32Array(BATCH);
  const status = new Int32Array(BATCH);
  let n = 0;
  const flush = () => {
    if (n === 0) return;
    // Unwritten statuses (after ENOMEM) then differ from every target.
    status.fill(-1);
    try {
      env.movePages(addrs.subarray(0, n), nodes.subarray(0, n), status.subarray(0, n));
    } catch (e) {
      if (!(e instanceof SyscallError && e.errno === Errno.ENOMEM)) throw e;
    }
    for (let i = 0; i < n; i++) if (status[i] !== nodes[i]) failed++;
    n = 0;
  };
  for (let p = 0; p < target.length; p++) {
    if (!only(target[p]!)) continue;
    addrs[n] = base + p * PAGE_BYTES;
    nodes[n++] = target[p]!;
    if (n === BATCH) flush();
  }
  flush();
  return failed;
}

/** Runs the workload; resolves with the exit status (0: data verified, 1: not, 5: no slow node to place on). */
export async function runHotset(o: HotsetOptions, env: HotsetEnv): Promise<number> {
  const layout = hotLayout(o);
  const buffer = new ArrayBuffer(o.workingSetBytes);
  const words = new Int32Array(buffer);
  const start = patternStart(o.patternSeed, 0);
  fillPattern(words, start);
  const base = env.addressOf(buffer);
  env.out(
    `hotset: ${layout.pages} pages at 0x${base.toString(16)}, hot ${layout.hotPages} pages ` +
      `(${o.hotPercent} %, ${o.hotAccessPercent} % of the touches), ${layout.coldPerRound} cold pages a round, ` +
      `${o.write ? "writing" : "read-only"}`,
  );
  const fast = o.fastNodes ??
    parseIdList(env.readText("/sys/devices/system/node/has_cpu"), "has_cpu");
  const memory = parseIdList(env.readText("/sys/devices/system/node/has_memory"), "has_memory");
  const slow = memory.filter((n) => !fast.includes(n));
  env.out(`hotset: fast nodes ${fast.join(",")}, slow nodes ${slow.join(",") || "none"}`);
  const all = Array.from({ length: layout.pages }, (_, i) => i);
  if (o.place === "cold-fast") {
    if (slow.length === 0) {
      env.out("hotset: Cannot place cold-fast: no slow-tier node (a node with memory and no CPU)");
      return ExitCode.BAD_NODE;
    }
    const where = query(env, base, all);
    const fastPages = fast.map((n) => {
      const free = parseNodeMeminfo(env.readText(`/sys/devices/system/node/node${n}/meminfo`)).get(
        "MemFree",
      ) ?? 0;
      let own = 0;
      for (const s of where) if (s === n) own++;
      return Math.max(0, Math.floor((free - o.fastReserveBytes) / PAGE_BYTES) + own);
    });
    const plan = coldFastPlan(layout, fast, fastPages, slow);
    // Slow first: that frees the fast nodes for the cold pages that go there.
    const failed = moveTo(env, base, plan, (n) => !fast.includes(n)) +
      moveTo(env, base, plan, (n) => fast.includes(n));
    env.out(`hotset: placed cold-fast (${failed} pages did not move)`);
  }
  const startNodes = query(env, base, all);
  env.out(`hotset: pages per node ${nodeCounts(startNodes)}`);
  env.out(`ready: ${layout.pages} pages`);
  if (o.waitStart) await env.waitStart();
  const samples = [
    samplePages(layout, 0, o.samplePages),
    samplePages(layout, 1, o.samplePages),
  ] as const;
  const t0 = env.now();
  let nextReport = 0;
  let accesses = 0;
  let cursor = 0;
  let sink = 0;
  const coldCount = layout.pages - layout.hotPages;
  // Every sampled page of both phases, followed from tier to tier.
  const followed = [
    ...new Set([...samples[0].hot, ...samples[0].cold, ...samples[1].hot, ...samples[1].cold]),
  ];
  const tiers = new Int8Array(followed.length).fill(-1);
  const changes = new Uint16Array(followed.length);
  for (;;) {
    const elapsedMs = env.now() - t0;
    const phase: 0 | 1 = o.shiftAtNs !== undefined && elapsedMs * 1e6 >= o.shiftAtNs ? 1 : 0;
    if (elapsedMs >= nextReport) {
      countTierChanges(query(env, base, followed), fast, tiers, changes);
      const s = samples[phase];
      const p = summarizePlacement(
        query(env, base, s.hot),
        query(env, base, s.cold),
        fast,
        o.hotAccessPercent,
      );
      env.out(hotsetLine(elapsedMs / 1000, accesses, phase, p));
      nextReport += 1000;
    }
    if (elapsedMs * 1e6 >= o.ttlNs) break;
    const first = hotStart(layout, phase);
    const end = (first + layout.hotPages) * WORDS_PER_PAGE;
    if (o.write) {
      for (let i = first * WORDS_PER_PAGE; i < end; i += WORDS_PER_PAGE) words[i] = words[i]!;
    } else {
      for (let i = first * WORDS_PER_PAGE; i < end; i += WORDS_PER_PAGE) {
        sink = (sink + words[i]!) | 0;
      }
    }
    for (let k = 0; k < layout.coldPerRound; k++) {
      const i = coldPage(layout, first, cursor) * WORDS_PER_PAGE;
      if (o.write) words[i] = words[i]!;
      else sink = (sink + words[i]!) | 0;
      cursor = cursor + 1 === coldCount ? 0 : cursor + 1;
    }
    accesses += layout.hotPages + layout.coldPerRound;
    await env.sleep(o.roundPauseNs / 1e6);
  }
  env.out(`hotset: done, ${accesses} accesses (sum ${sink})`);
  const endNodes = query(env, base, all);
  env.out(`hotset: pages per node at the end ${nodeCounts(endNodes)}`);
  env.out(
    endLine(
      tierChanges(startNodes, endNodes, fast),
      changes.filter((c) => c >= 3).length,
      followed.length,
    ),
  );
  const check = verifyPattern(words, start);
  if (check.badPages === 0) {
    env.out(`verify: OK ${check.pages} pages in 1 arrays`);
    return 0;
  }
  const f = check.firstBad!;
  env.out(
    `verify: FAILED ${check.badPages} of ${check.pages} pages differ from the pattern; first at offset 0x${
      f.offsetBytes.toString(16)
    }: expected 0x${f.expected.toString(16)}, found 0x${f.found.toString(16)}`,
  );
  return 1;
}
