/**
 * ffi: the only folder that touches Deno.dlopen and pointers.
 *
 *   syscalls.ts       the `Syscalls` interface (move_pages, pidfd_open,
 *                     process_madvise, close) and their constants
 *   libc.ts           the real implementation through glibc's syscall()
 *   signal_mask.ts    releases the signals the single-file launcher holds
 *   errno.ts          errno numbers and names
 *   syscall_error.ts  `SyscallError { syscall, errno, code }`
 *
 * Everything else takes a `Syscalls`, so tests pass `FakeKernel`
 * (src/testing) and the VM runs the real one.
 *
 * @module
 */
export { Errno, errnoMeaning, errnoName } from "./errno.ts";
export { libcSyscalls } from "./libc.ts";
export { releaseStartSignals } from "./signal_mask.ts";
export { SyscallError } from "./syscall_error.ts";
export {
  IOV_MAX,
  MADV_COLD,
  MADV_PAGEOUT,
  MPOL_MF_MOVE,
  MPOL_MF_MOVE_ALL,
  type Syscalls,
} from "./syscalls.ts";
