/**
 * Linux errno numbers (x86-64) and their names, for reports and errors.
 *
 * @module
 */

/** Errno numbers memtierd names in its reports and checks. */
export const Errno = {
  EPERM: 1,
  ENOENT: 2,
  ESRCH: 3,
  EINTR: 4,
  EIO: 5,
  E2BIG: 7,
  EBADF: 9,
  EAGAIN: 11,
  ENOMEM: 12,
  EACCES: 13,
  EFAULT: 14,
  EBUSY: 16,
  EEXIST: 17,
  ENODEV: 19,
  EINVAL: 22,
  ENOSPC: 28,
  ENOSYS: 38,
  EHWPOISON: 133,
} as const;

const NAMES: ReadonlyMap<number, string> = new Map(
  Object.entries(Errno).map(([name, num]) => [num, name]),
);

/** strerror(3) texts, lower-case as Go prints them (the stats tables show these). */
const MEANINGS: Readonly<Record<string, string>> = {
  EPERM: "operation not permitted",
  ENOENT: "no such file or directory",
  ESRCH: "no such process",
  EINTR: "interrupted system call",
  EIO: "input/output error",
  E2BIG: "argument list too long",
  EBADF: "bad file descriptor",
  EAGAIN: "resource temporarily unavailable",
  ENOMEM: "cannot allocate memory",
  EACCES: "permission denied",
  EFAULT: "bad address",
  EBUSY: "device or resource busy",
  EEXIST: "file exists",
  ENODEV: "no such device",
  EINVAL: "invalid argument",
  ENOSPC: "no space left on device",
  ENOSYS: "function not implemented",
  EHWPOISON: "memory page has hardware error",
};

/**
 * The symbolic name of an errno number, or `errno N` for one we do not name.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert";
 * import { errnoName } from "./errno.ts";
 * strictEqual(errnoName(16), "EBUSY");
 * ```
 */
export function errnoName(errno: number): string {
  return NAMES.get(errno) ?? `errno ${errno}`;
}

/** A short lower-case meaning of an errno number, as in strerror(3). */
export function errnoMeaning(errno: number): string {
  return MEANINGS[errnoName(errno)] ?? `error ${errno}`;
}
