/**
 * Turns a failed move_pages / process_madvise call into memtierd's typed
 * errors, with a message that says what to do about it.
 *
 * What the kernel (Linux 5.10 and later) checks, and so what a refusal means:
 * - move_pages: ptrace read access to the target (another user's process, a
 *   non-dumpable one: CAP_SYS_PTRACE) gives EPERM; so does MPOL_MF_MOVE_ALL
 *   without CAP_SYS_NICE. A target that has exited but is not reaped yet (a
 *   zombie: no memory any more) gives EINVAL; one that is gone, ESRCH.
 * - process_madvise: ptrace read access (EACCES without it), and
 *   CAP_SYS_NICE for any process but memtierd itself, whoever owns it (EPERM).
 *
 * @module
 */
import { NodeError, PermissionError, ProcessGoneError, UnsupportedError } from "../errors.ts";
import { Errno } from "../ffi/errno.ts";
import { SyscallError } from "../ffi/syscall_error.ts";
import { MPOL_MF_MOVE_ALL } from "../ffi/syscalls.ts";
import { ProcFs } from "../procfs/proc_fs.ts";
import { type CapName, otherUser, privilegeAdvice, type Privileges } from "../procfs/privileges.ts";

/** What `typedSyscallError` may ask about the target, read only when a call failed. */
export interface TargetProbe {
  /** Whether the process has exited (gone from /proc, or a zombie). */
  isGone(pid: number): boolean;
  /** memtierd's uid and capabilities and the target's owner. */
  privileges(pid: number): Privileges;
}

let liveProbe: TargetProbe | undefined;
function defaultProbe(): TargetProbe {
  return (liveProbe ??= new ProcFs());
}

/**
 * The typed error for a failed call. `doing` says what was being done, for
 * the message: "move pages of pid 42 to node 2"; `flags` are the call's
 * move_pages flags; `probe` reads /proc (the live one by default).
 */
export function typedSyscallError(
  e: unknown,
  pid: number,
  doing: string,
  probe: TargetProbe = defaultProbe(),
  flags = 0,
): unknown {
  if (!(e instanceof SyscallError)) return e;
  const gone = () =>
    new ProcessGoneError(pid, `Cannot ${doing}: process ${pid} does not exist any more`);
  const refused = (what: string, cap: CapName, action: (p: Privileges) => string) => {
    const p = probe.privileges(pid);
    return new PermissionError(`Cannot ${doing}: ${what}`, privilegeAdvice(p, cap, action(p)));
  };
  switch (e.errno) {
    case Errno.ESRCH:
      return gone();
    case Errno.EINVAL:
      // An exited process's mm is gone: move_pages says EINVAL, not ESRCH.
      return probe.isGone(pid) ? gone() : e;
    case Errno.EPERM:
      if (e.syscall === "process_madvise") {
        return refused(
          "operation not permitted",
          "CAP_SYS_NICE",
          () => "process_madvise on a process other than memtierd itself",
        );
      }
      if ((flags & MPOL_MF_MOVE_ALL) !== 0) {
        return refused(
          "operation not permitted",
          "CAP_SYS_NICE",
          () => "moving pages shared with other processes (MPOL_MF_MOVE_ALL)",
        );
      }
      return refused("operation not permitted", "CAP_SYS_PTRACE", moveAction);
    case Errno.ENOSYS:
      return new UnsupportedError(
        `Cannot ${doing}: this kernel has no ${e.syscall} system call (it needs CONFIG_NUMA ` +
          "and CONFIG_MIGRATION for move_pages, Linux 5.10+ for process_madvise)",
      );
    case Errno.ENODEV:
      return new NodeError(`Cannot ${doing}: the target node is not online`);
    case Errno.EACCES:
      if (e.syscall === "move_pages") {
        return new NodeError(
          `Cannot ${doing}: the node is not in the memory nodes process ${pid} may use ` +
            "(its cpuset.mems)",
        );
      }
      if (e.syscall === "process_madvise") {
        return refused("permission denied", "CAP_SYS_PTRACE", moveAction);
      }
      return e;
    default:
      return e;
  }
}

function moveAction(p: Privileges): string {
  return otherUser(p)
    ? "acting on another user's process"
    : "acting on a process that is not dumpable or that Yama's ptrace_scope protects";
}
