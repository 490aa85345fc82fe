import { errnoMeaning, errnoName } from "./errno.ts";

/**
 * A system call that returned -1; `errno` is the number, `code` its name.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert";
 * import { SyscallError } from "./syscall_error.ts";
 * const e = new SyscallError("move_pages", 3);
 * strictEqual(e.code, "ESRCH");
 * ```
 */
export class SyscallError extends Error {
  override name = "SyscallError";
  readonly syscall: string;
  readonly errno: number;
  readonly code: string;

  constructor(syscall: string, errno: number) {
    super(`Cannot ${syscall}: ${errnoMeaning(errno)} (${errnoName(errno)})`);
    this.syscall = syscall;
    this.errno = errno;
    this.code = errnoName(errno);
  }
}
