/**
 * memtierd's exit codes: one per kind of failure, so that scripts can tell
 * them apart. Documented in README.md and `memtierd --help`.
 *
 * @module
 */
import {
  InputSyntaxError,
  KernelThreadError,
  NodeError,
  PermissionError,
  ProcessGoneError,
  UnsupportedError,
  UsageError,
} from "../errors.ts";
import { SyscallError } from "../ffi/syscall_error.ts";

export const ExitCode = {
  /** Done as asked. */
  OK: 0,
  /** A failure not covered below (an I/O error, a failed system call). */
  FAILURE: 1,
  /** Bad command line: unknown flag, malformed or out-of-range value. */
  USAGE: 2,
  /** The process does not exist, or exited while memtierd worked on it. */
  NO_PROCESS: 3,
  /** memtierd lacks a privilege (run it as root). */
  PERMISSION: 4,
  /** A node that does not exist, is offline, has no memory, or the process may not use. */
  BAD_NODE: 5,
  /** The kernel lacks NUMA, move_pages or another needed feature. */
  UNSUPPORTED: 6,
  /** The pid is a kernel thread, which has no user memory. */
  KERNEL_THREAD: 7,
  /** The move ran, but some of the chosen pages could not be moved. */
  INCOMPLETE: 8,
  /** A bug in memtierd: an error it did not expect. */
  INTERNAL: 70,
} as const;

/** The exit code for an error thrown out of a command. */
export function exitCodeFor(e: unknown): number {
  if (e instanceof UsageError) return ExitCode.USAGE;
  // A bad configuration or prompt line is bad input too.
  if (e instanceof InputSyntaxError) return ExitCode.USAGE;
  if (e instanceof ProcessGoneError) return ExitCode.NO_PROCESS;
  if (e instanceof PermissionError) return ExitCode.PERMISSION;
  if (e instanceof NodeError) return ExitCode.BAD_NODE;
  if (e instanceof UnsupportedError) return ExitCode.UNSUPPORTED;
  if (e instanceof KernelThreadError) return ExitCode.KERNEL_THREAD;
  if (e instanceof Deno.errors.PermissionDenied) return ExitCode.PERMISSION;
  // A failed system call or file operation, or a kernel file we could not parse.
  if (e instanceof SyscallError || e instanceof SyntaxError) return ExitCode.FAILURE;
  if (e instanceof Error && Object.values(Deno.errors).some((t) => e instanceof t)) {
    return ExitCode.FAILURE;
  }
  return ExitCode.INTERNAL;
}
