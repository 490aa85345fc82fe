/**
 * Node lists that name tiers: a policy's node setting (IdleNumas,
 * ActiveNumas, ...) is either node numbers, as in the Go memtierd, or tier
 * words resolved for each process within the nodes it may use.
 *
 * Syntax: a list of node numbers (`[2, 3]`), or a string of comma-separated
 * items (`"slower"`, `"2-3"`, `"local,tier:450"`), or a list of such
 * strings and numbers. Each item is one of
 *
 *   N, N-M     these nodes, as given (not limited to Mems_allowed, as before)
 *   fastest    the fastest tier with a node the process may use
 *   slowest    the slowest tier with a node the process may use
 *   local      the nodes of the process's allowed CPUs that have memory
 *   slower     the first tier slower than the process's home tier
 *   faster     the first tier faster than the process's home tier
 *   tier:N     the tier with id N (memtierd -tiers shows the ids: the
 *              kernel's memory_tierN, or positions 0, 1, ... when guessed)
 *
 * The result is the union of the items, ascending. Every tier word gives
 * only nodes in the process's Mems_allowed_list. A process's home tier is
 * the fastest tier holding a node of one of its allowed CPUs
 * (Cpus_allowed_list), or the fastest tier if none holds one. A word whose
 * tier does not exist for the process (`faster` from the fastest tier,
 * `slower` from the slowest) gives no nodes: the policy then has no node to
 * move to for that process.
 *
 * @module
 */
import { quoted, shownValue } from "../common/excerpt.ts";
import { ProcessGoneError } from "../errors.ts";
import type { ProcFs } from "../procfs/proc_fs.ts";
import { parseIdList } from "../sysfs/id_list.ts";
import type { SysFs } from "../sysfs/sys_fs.ts";
import * as v from "valibot";
import { readTierTopology, type TierTopology } from "./tier_topology.ts";

/** A tier word of a node spec. */
export type TierWord =
  | { kind: "fastest" }
  | { kind: "slowest" }
  | { kind: "local" }
  | { kind: "slower" }
  | { kind: "faster" }
  | { kind: "tier"; id: number };

/** A parsed node setting: node numbers and tier words. */
export interface NodeSpec {
  /** Node numbers given as such, ascending. */
  readonly nodes: readonly number[];
  readonly words: readonly TierWord[];
}

const NODE_MAX = 1023;
const WORDS = ["fastest", "slowest", "local", "slower", "faster"] as const;

/** What a node setting accepts, for error messages. */
export const NODE_SPEC_HELP = "node numbers (2, 2-3) or tier words " +
  "(fastest, slowest, local, slower, faster, tier:N)";

function parseItem(item: string, where: string, nodes: Set<number>, words: TierWord[]): void {
  const t = item.trim().toLowerCase();
  if ((WORDS as readonly string[]).includes(t)) {
    words.push({ kind: t as (typeof WORDS)[number] });
    return;
  }
  const tier = /^tier:(\d+)$/.exec(t);
  if (tier) {
    words.push({ kind: "tier", id: Number(tier[1]) });
    return;
  }
  const range = /^(\d{1,4})(?:-(\d{1,4}))?$/.exec(t);
  // Bounds checked before expanding: a huge number would never end a loop.
  if (range && Number(range[1]) <= NODE_MAX && Number(range[2] ?? range[1]) <= NODE_MAX) {
    let ids: number[] = [];
    try {
      ids = parseIdList(t, where);
    } catch {
      // reported below
    }
    if (ids.length > 0) {
      for (const n of ids) nodes.add(n);
      return;
    }
  }
  throw new SyntaxError(
    `Cannot use ${where} ${quoted(item)}: expected ${NODE_SPEC_HELP}`,
  );
}

/**
 * Parses a node setting (see the module's syntax). Throws `SyntaxError`
 * naming `where` (the config key) and what is accepted.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert";
 * import { parseNodeSpec } from "./node_spec.ts";
 * deepStrictEqual(parseNodeSpec([2, 3], "IdleNumas"), { nodes: [2, 3], words: [] });
 * deepStrictEqual(parseNodeSpec("slower", "IdleNumas"), {
 *   nodes: [],
 *   words: [{ kind: "slower" }],
 * });
 * ```
 */
export function parseNodeSpec(raw: unknown, where: string): NodeSpec {
  const nodes = new Set<number>();
  const words: TierWord[] = [];
  const items = Array.isArray(raw) ? raw : [raw];
  if (Array.isArray(raw) && raw.length === 0) return { nodes: [], words: [] };
  for (const item of items) {
    if (typeof item === "number" && Number.isInteger(item) && item >= 0 && item <= NODE_MAX) {
      nodes.add(item);
    } else if (typeof item === "string" && item.trim() !== "") {
      for (const part of item.split(",")) parseItem(part, where, nodes, words);
    } else {
      throw new SyntaxError(
        `Cannot use ${where} ${shownValue(item)}: expected ${NODE_SPEC_HELP}`,
      );
    }
  }
  return { nodes: [...nodes].sort((a, b) => a - b), words };
}

/** True when the spec names tiers, so it has to be resolved per process. */
function namesTiers(spec: NodeSpec): boolean {
  return spec.words.length > 0;
}

/** A process's placement limits: the nodes it may use and the CPUs it may run on. */
export interface ProcessPlacement {
  /** Mems_allowed_list. */
  readonly memsAllowed: readonly number[];
  /** Cpus_allowed_list; undefined: every CPU. */
  readonly cpusAllowed?: readonly number[];
}

/**
 * Resolves a spec for one process on a topology (pure): see the module's
 * syntax for each word.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert";
 * import { resolveNodeSpec } from "./node_spec.ts";
 * const node = (id: number, cpus: number[]) =>
 *   ({ id, online: true, hasMemory: true, cpus, memTotalBytes: 1, memFreeBytes: 1, distances: [] });
 * const topology = {
 *   source: "kernel" as const,
 *   tiers: [{ id: 4, nodes: [0, 1] }, { id: 450, nodes: [2, 3] }],
 *   nodes: [node(0, [0]), node(1, [1]), node(2, []), node(3, [])],
 * };
 * const spec = { nodes: [], words: [{ kind: "slower" as const }] };
 * deepStrictEqual(resolveNodeSpec(spec, { memsAllowed: [0, 1, 2] }, topology), [2]);
 * ```
 */
export function resolveNodeSpec(
  spec: NodeSpec,
  proc: ProcessPlacement,
  topology: TierTopology,
): number[] {
  const out = new Set(spec.nodes);
  if (spec.words.length > 0) {
    const allowed = new Set(proc.memsAllowed);
    const tiers = topology.tiers
      .map((t) => ({ id: t.id, nodes: t.nodes.filter((n) => allowed.has(n)) }));
    const usable = tiers.map((t, i) => ({ ...t, i })).filter((t) => t.nodes.length > 0);
    const cpus = proc.cpusAllowed ? new Set(proc.cpusAllowed) : undefined;
    const cpuNodes = topology.nodes
      .filter((n) => n.cpus.some((c) => cpus === undefined || cpus.has(c)))
      .map((n) => n.id);
    // The home tier counts all its nodes, allowed or not: where the CPUs are.
    const homeAt = topology.tiers.findIndex((t) => t.nodes.some((n) => cpuNodes.includes(n)));
    const home = homeAt < 0 ? 0 : homeAt;
    for (const w of spec.words) {
      let ids: readonly number[] = [];
      switch (w.kind) {
        case "fastest":
          ids = usable[0]?.nodes ?? [];
          break;
        case "slowest":
          ids = usable.at(-1)?.nodes ?? [];
          break;
        case "local":
          ids = cpuNodes.filter((n) =>
            allowed.has(n) && topology.nodes.find((x) => x.id === n)?.hasMemory
          );
          break;
        case "slower":
          ids = usable.find((t) => t.i > home)?.nodes ?? [];
          break;
        case "faster":
          ids = usable.filter((t) => t.i < home).at(-1)?.nodes ?? [];
          break;
        case "tier":
          ids = tiers.find((t) => t.id === w.id)?.nodes ?? [];
          break;
      }
      for (const n of ids) out.add(n);
    }
  }
  return [...out].sort((a, b) => a - b);
}

/** What `resolveNodes` reads through (a policy passes its ComponentDeps). */
export interface NodeSpecDeps {
  procfs: ProcFs;
  sysfs: SysFs;
  /** The tiers to use instead of reading them (a policy may read them once a round). */
  tiers?: TierTopology;
}

/** Reads a process's Mems_allowed_list and Cpus_allowed_list. */
export function readProcessPlacement(procfs: ProcFs, pid: number): ProcessPlacement {
  const status = procfs.status(pid);
  const mems = status.get("Mems_allowed_list");
  if (mems === undefined) {
    throw new ProcessGoneError(pid, `Cannot read process ${pid}'s Mems_allowed_list: it exited`);
  }
  const cpus = status.get("Cpus_allowed_list");
  const memsAllowed = parseIdList(mems, `/proc/${pid}/status Mems_allowed_list`);
  return cpus === undefined
    ? { memsAllowed }
    : { memsAllowed, cpusAllowed: parseIdList(cpus, `/proc/${pid}/status Cpus_allowed_list`) };
}

/**
 * The nodes `spec` names for process `pid`. A spec of node numbers only is
 * returned as is, without reading anything; tier words read the process's
 * status and (unless `deps.tiers` is given) the tiers. Throws
 * `ProcessGoneError` when the process has exited.
 */
export function resolveNodes(spec: NodeSpec, pid: number, deps: NodeSpecDeps): number[] {
  if (!namesTiers(spec)) return [...spec.nodes];
  const proc = readProcessPlacement(deps.procfs, pid);
  return resolveNodeSpec(spec, proc, deps.tiers ?? readTierTopology(deps.sysfs));
}

/**
 * A node setting as a config shows it: node numbers only as a list of
 * numbers (as the Go memtierd), else the items as one string.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert";
 * import { formatNodeSpec, parseNodeSpec } from "./node_spec.ts";
 * deepStrictEqual(formatNodeSpec(parseNodeSpec([2, 3], "X")), [2, 3]);
 * deepStrictEqual(formatNodeSpec(parseNodeSpec(["tier:450", 1], "X")), "1,tier:450");
 * ```
 */
export function formatNodeSpec(spec: NodeSpec): number[] | string {
  if (spec.words.length === 0) return [...spec.nodes];
  return [
    ...spec.nodes.map(String),
    ...spec.words.map((w) => w.kind === "tier" ? `tier:${w.id}` : w.kind),
  ].join(",");
}

/**
 * A config field (for a valibot schema, see config/schema.ts) holding a
 * node setting: its output is the parsed `NodeSpec`; anything else fails
 * with a message saying what is accepted.
 */
export function nodeSpecField() {
  const m = `must be ${NODE_SPEC_HELP}, or a list of them`;
  const parses = (x: unknown) => {
    try {
      parseNodeSpec(x, "value");
      return true;
    } catch {
      return false;
    }
  };
  return v.pipe(v.custom<unknown>(parses, m), v.transform((x) => parseNodeSpec(x, "value")));
}

/**
 * A node setting as a policy config holds it: node numbers alone stay a
 * plain list (as in the Go memtierd, so such configs read and compare as
 * before); a setting with tier words is a `NodeSpec`.
 */
export type NodeSetting = number[] | NodeSpec;

/** The setting as a `NodeSpec`, for `resolveNodes`. */
export function asNodeSpec(setting: NodeSetting): NodeSpec {
  return Array.isArray(setting) ? { nodes: [...setting], words: [] } : setting;
}

/** True when the setting names no node and no tier. */
export function isEmptySetting(setting: NodeSetting): boolean {
  const spec = asNodeSpec(setting);
  return spec.nodes.length === 0 && spec.words.length === 0;
}

/**
 * A config field holding a `NodeSetting`: node numbers give a plain list,
 * tier words a `NodeSpec`; anything else fails saying what is accepted.
 */
export function nodeSettingField() {
  return v.pipe(
    nodeSpecField(),
    v.transform((spec): NodeSetting => spec.words.length === 0 ? [...spec.nodes] : spec),
  );
}
