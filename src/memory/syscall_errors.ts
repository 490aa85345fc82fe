/**
 * Turns a failed move_pages / process_madvise call into memtierd's typed
 * errors, with a message that says what to do about it.
 *
 * @module
 */
import { NodeError, PermissionError, ProcessGoneError, UnsupportedError } from "../errors.ts";
import { Errno } from "../ffi/errno.ts";
import { SyscallError } from "../ffi/syscall_error.ts";

/** What was being done, for the message: "move pages of pid 42 to node 2". */
export function typedSyscallError(e: unknown, pid: number, doing: string): unknown {
  if (!(e instanceof SyscallError)) return e;
  switch (e.errno) {
    case Errno.ESRCH:
      return new ProcessGoneError(pid, `Cannot ${doing}: process ${pid} does not exist any more`);
    case Errno.EPERM:
      return new PermissionError(
        `Cannot ${doing}: operation not permitted`,
        "run memtierd as root (acting on another user's process needs CAP_SYS_NICE and " +
          "CAP_SYS_PTRACE)",
      );
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
      return e;
    default:
      return e;
  }
}
