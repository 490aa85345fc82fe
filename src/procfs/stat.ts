/**
 * Parser for /proc/PID/stat.
 *
 * @module
 */

/** `flags` bit of a kernel thread (PF_KTHREAD). */
export const PF_KTHREAD = 0x00200000;

/** The fields of /proc/PID/stat that memtierd uses. */
export interface ProcStat {
  readonly pid: number;
  /** The command name, without the parentheses; may contain spaces and `)`. */
  readonly comm: string;
  /** One-letter state: R, S, D, Z, T, ... */
  readonly state: string;
  readonly ppid: number;
  /** The task's PF_* flags. */
  readonly flags: number;
}

/**
 * Parses the text of /proc/PID/stat. The command name is found by the last
 * `)`, since the name itself may contain spaces and parentheses.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert";
 * import { parseStat, PF_KTHREAD } from "./stat.ts";
 * const s = parseStat("2 (kthreadd) S 0 0 0 0 -1 2129984 0 0");
 * strictEqual(s.flags & PF_KTHREAD, PF_KTHREAD);
 * ```
 */
export function parseStat(text: string, source = "stat"): ProcStat {
  const open = text.indexOf("(");
  const close = text.lastIndexOf(")");
  const bad = () => new SyntaxError(`Cannot parse ${source}: ${JSON.stringify(text.slice(0, 80))}`);
  if (open < 0 || close < open) throw bad();
  const pid = Number(text.slice(0, open).trim());
  const rest = text.slice(close + 1).trim().split(/\s+/);
  // After the name: state(3) ppid(4) pgrp(5) session(6) tty_nr(7) tpgid(8) flags(9).
  const state = rest[0];
  const ppid = Number(rest[1]);
  const flags = Number(rest[6]);
  if (
    !Number.isInteger(pid) || state === undefined || !Number.isInteger(ppid) ||
    !Number.isInteger(flags)
  ) {
    throw bad();
  }
  return { pid, comm: text.slice(open + 1, close), state, ppid, flags };
}
