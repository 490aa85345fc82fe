/**
 * Ordered node lists that may name tiers: the settings whose order matters
 * (RatioTargets: the first target the process may use; HeatNumas: ties go
 * to the first listed; demote-idle's IdleNumas: the first node) and that
 * may hold -1 for swap.
 *
 * The syntax is node_spec.ts's (a list of numbers, a string of
 * comma-separated items, or a list of both), plus `-1` (swap) where the
 * setting allows it; the items keep the order they were written in. A
 * tier word resolves, per process, to its tier's nodes in the process's
 * Mems_allowed_list, ascending, in the word's place; a tier word never
 * means swap.
 *
 * @module
 */
import { shownValue } from "../common/excerpt.ts";
import * as v from "valibot";
import type { Logger } from "../log/logger.ts";
import {
  formatNodeSpec,
  NODE_SPEC_HELP,
  type NodeSpecDeps,
  parseNodeSpec,
  readProcessPlacement,
  resolveNodeSpec,
  type TierWord,
} from "./node_spec.ts";
import { readTierTopology } from "./tier_topology.ts";

/** An item of a node list: a node number, -1 (swap, where allowed) or a tier word. */
export type NodeListItem = number | TierWord;

/** What a node list accepts. */
export interface NodeListOptions {
  /** -1 stands for swap. */
  swap: boolean;
  /** The largest node number. */
  maxNode: number;
}

/** What a node list accepts, for error messages. */
function nodeListHelp(opts: NodeListOptions): string {
  return opts.swap ? `${NODE_SPEC_HELP}, or -1 (swap)` : NODE_SPEC_HELP;
}

/**
 * Parses an ordered node list; throws `SyntaxError` naming `where` and what
 * is accepted.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert";
 * import { parseNodeList } from "./node_list.ts";
 * const opts = { swap: true, maxNode: 1023 };
 * deepStrictEqual(parseNodeList([3, 2], "RatioTargets", opts), [3, 2]);
 * deepStrictEqual(parseNodeList("slower,-1", "RatioTargets", opts), [{ kind: "slower" }, -1]);
 * ```
 */
export function parseNodeList(raw: unknown, where: string, opts: NodeListOptions): NodeListItem[] {
  const bad = (item: unknown) =>
    new SyntaxError(
      `Cannot use ${where} ${shownValue(item)}: expected ${nodeListHelp(opts)}`,
    );
  const out: NodeListItem[] = [];
  const items = Array.isArray(raw) ? raw : [raw];
  for (const item of items) {
    if (typeof item === "number") {
      const min = opts.swap ? -1 : 0;
      if (!Number.isInteger(item) || item < min || item > opts.maxNode) throw bad(item);
      out.push(item);
    } else if (typeof item === "string" && item.trim() !== "") {
      for (const part of item.split(",")) {
        if (opts.swap && part.trim() === "-1") {
          out.push(-1);
          continue;
        }
        let spec;
        try {
          spec = parseNodeSpec(part, where);
        } catch {
          throw bad(part.trim());
        }
        out.push(...spec.nodes, ...spec.words);
      }
    } else {
      throw bad(item);
    }
  }
  // A node given twice counts where it first appears.
  return out.filter((x, i) => typeof x !== "number" || out.indexOf(x) === i);
}

/** True when the list names tiers, so it has to be resolved per process. */
export function listNamesTiers(list: readonly NodeListItem[]): boolean {
  return list.some((x) => typeof x !== "number");
}

/**
 * A node list as a config shows it: numbers only as a list of numbers (as
 * the Go memtierd), else the items as one string, in their order.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert";
 * import { formatNodeList } from "./node_list.ts";
 * deepStrictEqual(formatNodeList([2, -1]), [2, -1]);
 * deepStrictEqual(formatNodeList([{ kind: "tier", id: 450 }, -1]), "tier:450,-1");
 * ```
 */
export function formatNodeList(list: readonly NodeListItem[]): number[] | string {
  if (!listNamesTiers(list)) return list as number[];
  return list.map((x) =>
    typeof x === "number" ? String(x) : formatNodeSpec({ nodes: [], words: [x] })
  ).join(",");
}

/**
 * The node numbers (and -1) `list` gives process `pid`, in the list's
 * order, each once. Numbers only are returned as they are, nothing read;
 * tier words read the process's status and (unless `deps.tiers` is given)
 * the tiers. Throws `ProcessGoneError` when the process has exited.
 */
export function resolveNodeList(
  list: readonly NodeListItem[],
  pid: number,
  deps: NodeSpecDeps,
): number[] {
  if (!listNamesTiers(list)) return list as number[];
  const proc = readProcessPlacement(deps.procfs, pid);
  const topology = deps.tiers ?? readTierTopology(deps.sysfs);
  const out: number[] = [];
  for (const x of list) {
    const ids = typeof x === "number"
      ? [x]
      : resolveNodeSpec({ nodes: [], words: [x] }, proc, topology);
    for (const n of ids) if (!out.includes(n)) out.push(n);
  }
  return out;
}

/**
 * A config field (valibot, see config/schema.ts) holding a node list: its
 * output is the parsed list; anything else fails saying what is accepted.
 */
export function nodeListField(opts: NodeListOptions) {
  const m = `must be ${nodeListHelp(opts)}, or a list of them`;
  const parses = (x: unknown) => {
    try {
      parseNodeList(x, "value", opts);
      return true;
    } catch {
      return false;
    }
  };
  return v.pipe(
    v.custom<unknown>(parses, m),
    v.transform((x) => parseNodeList(x, "value", opts)),
  );
}

/**
 * Says once per process and setting that a process may use none of the
 * nodes a setting gives it, so its memory stays (a process is skipped,
 * never an error that stops the policy).
 */
export class NoNodeWarnings {
  readonly #seen = new Set<string>();
  readonly #policy: string;
  readonly #logger: Logger;

  constructor(policy: string, logger: Logger) {
    this.#policy = policy;
    this.#logger = logger;
  }

  /** Warns about `pid` and setting `key` (shown as `text`) unless done already. */
  warn(pid: number, key: string, text: string): void {
    const id = `${pid}\0${key}\0${text}`;
    if (this.#seen.has(id)) return;
    this.#seen.add(id);
    this.#logger.warn(
      `policy ${this.#policy}: pid ${pid} may not use any of ${key} ${text} ` +
        `(its Mems_allowed_list): its memory stays where it is`,
    );
  }

  /** Forgets a process (it exited; its pid may come back as another). */
  forget(pid: number): void {
    for (const id of this.#seen) if (id.startsWith(`${pid}\0`)) this.#seen.delete(id);
  }
}
