/**
 * The typed errors that cross folder boundaries. The command line turns each
 * into a one-line message and its own exit code (see common/exit_codes.ts);
 * components throw them and never print or exit.
 *
 * Messages follow "Cannot <action>: <state>" and say what is accepted or
 * needed where that helps the user fix it.
 *
 * @module
 */

import { SyscallError } from "./ffi/syscall_error.ts";

/** The command line or a prompt command was used wrongly. */
export class UsageError extends Error {
  override name = "UsageError";
}

/**
 * A thread id given where a process id goes (a thread is in /proc/TID but
 * shares its process's memory: counting or moving it would do so twice).
 */
export class ThreadIdError extends UsageError {
  override name = "ThreadIdError";
  constructor(readonly pid: number, readonly processId: number) {
    super(
      `Cannot use pid ${pid}: it is a thread of process ${processId}, not a process ` +
        `(give ${processId})`,
    );
  }
}

/**
 * Text the user wrote (a prompt line, a component configuration) that
 * cannot be read. Bad input, like a usage error, not a failure of the
 * system: the parsers of such text throw subclasses of it, and the exit
 * code mapping needs to know only this class.
 */
export class InputSyntaxError extends SyntaxError {
  override name = "InputSyntaxError";
}

/** The process does not exist, or exited while memtierd worked on it. */
export class ProcessGoneError extends Error {
  override name = "ProcessGoneError";
  readonly pid: number;
  constructor(pid: number, message?: string) {
    super(message ?? `Cannot find process ${pid}: no such process`);
    this.pid = pid;
  }
}

/** The process is a kernel thread: it has no user memory to inspect or move. */
export class KernelThreadError extends Error {
  override name = "KernelThreadError";
  readonly pid: number;
  constructor(pid: number, comm: string) {
    super(`Cannot use pid ${pid} (${comm}): it is a kernel thread, which has no user memory`);
    this.pid = pid;
  }
}

/** memtierd lacks a privilege; `needs` says which. */
export class PermissionError extends Error {
  override name = "PermissionError";
  readonly needs: string;
  constructor(message: string, needs: string) {
    super(`${message}; ${needs}`);
    this.needs = needs;
  }
}

/** A NUMA node that does not exist, is offline, or has no memory. */
export class NodeError extends Error {
  override name = "NodeError";
}

/** The kernel lacks something memtierd needs (NUMA, move_pages, ...). */
export class UnsupportedError extends Error {
  override name = "UnsupportedError";
}

/**
 * Standard output could not be written: a full device (ENOSPC), a closed
 * descriptor (EBADF), a reader that went away (EPIPE). A failed system call
 * like any other (exit 1), with a message that says which stream.
 */
export class OutputError extends SyscallError {
  override name = "OutputError";
  constructor(errno: number, meaning: string, code: string) {
    super("write", errno);
    this.message = `Cannot write to standard output: ${meaning} (${code})`;
  }
}
