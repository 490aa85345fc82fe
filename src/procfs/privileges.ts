/**
 * Which privilege a refused operation on another process needs, and whether
 * memtierd has it: the effective capabilities (`CapEff`) and uids of
 * /proc/self/status against the target's owner, so that a refusal names the
 * capability actually missing and says "run as root" only when memtierd is
 * not root.
 *
 * @module
 */
import type { ProcStatus } from "./status.ts";

/** Capability numbers (include/uapi/linux/capability.h). */
const Cap = {
  CAP_SYS_PTRACE: 19,
  CAP_SYS_ADMIN: 21,
  CAP_SYS_NICE: 23,
} as const;

/** A capability memtierd may need. */
export type CapName = keyof typeof Cap;

/** What memtierd runs with, and who owns the target. */
export interface Privileges {
  /** memtierd's effective uid. */
  readonly euid: number;
  /** memtierd's effective capability set, or undefined if unknown. */
  readonly capEff: bigint | undefined;
  /** The target process's real uid, or undefined if unknown. */
  readonly targetUid: number | undefined;
}

/** Reads euid and CapEff from a parsed /proc/PID/status (pure). */
export function parseOwnPrivileges(
  status: ProcStatus,
): { euid: number | undefined; capEff: bigint | undefined } {
  const uids = (status.get("Uid") ?? "").split(/\s+/);
  const euid = uids[1] !== undefined && /^\d+$/.test(uids[1]) ? Number(uids[1]) : undefined;
  const cap = status.get("CapEff");
  const capEff = cap !== undefined && /^[0-9a-f]+$/i.test(cap) ? BigInt(`0x${cap}`) : undefined;
  return { euid, capEff };
}

/** The real uid of a process from its parsed /proc/PID/status (pure). */
export function parseRealUid(status: ProcStatus): number | undefined {
  const first = (status.get("Uid") ?? "").split(/\s+/)[0];
  return first !== undefined && /^\d+$/.test(first) ? Number(first) : undefined;
}

/** Whether `p` has capability `cap`; undefined when CapEff is unknown. */
function hasCap(p: Privileges, cap: CapName): boolean | undefined {
  if (p.capEff === undefined) return undefined;
  return ((p.capEff >> BigInt(Cap[cap])) & 1n) === 1n;
}

/** Whether the target belongs to another user than memtierd's effective one. */
export function otherUser(p: Privileges): boolean {
  return p.targetUid !== undefined && p.targetUid !== p.euid;
}

/**
 * What to do about a refusal that `cap` would have let through (pure).
 * `action` says what needs it: "reading another user's memory map".
 *
 * @example
 * ```ts
 * import { privilegeAdvice } from "./privileges.ts";
 * import { assertEquals } from "../testing/assert.ts";
 * const rootWithoutPtrace = { euid: 0, capEff: 0n, targetUid: 1000 };
 * assertEquals(
 *   privilegeAdvice(rootWithoutPtrace, "CAP_SYS_PTRACE", "reading another user's memory map"),
 *   "memtierd runs as root but lacks CAP_SYS_PTRACE, which reading another user's memory " +
 *     "map needs (a container or capsh may have dropped it)",
 * );
 * ```
 */
export function privilegeAdvice(p: Privileges, cap: CapName, action: string): string {
  const has = hasCap(p, cap);
  if (has === true) {
    return `memtierd has ${cap}, which ${action} needs: a security module (Yama ` +
      "ptrace_scope 3, SELinux, AppArmor) refuses it";
  }
  if (p.euid === 0) {
    return `memtierd runs as root but lacks ${cap}, which ${action} needs (a container or ` +
      "capsh may have dropped it)";
  }
  return `run memtierd as root (${action} needs ${cap})`;
}

/** The action that reading /proc/PID/{maps,pagemap,...} of the target is, for messages. */
export function readAction(p: Privileges): string {
  return otherUser(p)
    ? "reading another user's memory map"
    : "reading the memory map of a process that is not dumpable or that Yama's ptrace_scope " +
      "protects";
}
