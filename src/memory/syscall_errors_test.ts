import { PermissionError, ProcessGoneError } from "../errors.ts";
import { Errno } from "../ffi/errno.ts";
import { SyscallError } from "../ffi/syscall_error.ts";
import { MPOL_MF_MOVE_ALL } from "../ffi/syscalls.ts";
import type { Privileges } from "../procfs/privileges.ts";
import { assertEquals } from "../testing/assert.ts";
import { type TargetProbe, typedSyscallError } from "./syscall_errors.ts";

const ALL_CAPS = 0x1ffffffffffn;
const probe = (p: Privileges, gone = false): TargetProbe => ({
  isGone: () => gone,
  privileges: () => p,
});
const message = (e: unknown) => (e as Error).message;

Deno.test("typedSyscallError(): nobody swapping its own process is told about CAP_SYS_NICE, not another user", () => {
  const nobody = { euid: 65534, capEff: 0n, targetUid: 65534 };
  const e = typedSyscallError(
    new SyscallError("process_madvise", Errno.EPERM),
    7,
    "swap out pages of pid 7",
    probe(nobody),
  );
  assertEquals(e instanceof PermissionError, true);
  assertEquals(
    message(e),
    "Cannot swap out pages of pid 7: operation not permitted; run memtierd as root " +
      "(process_madvise on a process other than memtierd itself needs CAP_SYS_NICE)",
  );
});

Deno.test("typedSyscallError(): root without CAP_SYS_PTRACE moving pid 1 is told which capability, not 'run as root'", () => {
  const rootNoPtrace = { euid: 0, capEff: ALL_CAPS & ~(1n << 19n), targetUid: 0 };
  const e = typedSyscallError(
    new SyscallError("move_pages", Errno.EPERM),
    1,
    "move pages of pid 1 to node 2",
    probe(rootNoPtrace),
  );
  assertEquals(
    message(e),
    "Cannot move pages of pid 1 to node 2: operation not permitted; memtierd runs as root but " +
      "lacks CAP_SYS_PTRACE, which acting on a process that is not dumpable or that Yama's " +
      "ptrace_scope protects needs (a container or capsh may have dropped it)",
  );
});

Deno.test("typedSyscallError(): MPOL_MF_MOVE_ALL refused names CAP_SYS_NICE", () => {
  const user = { euid: 1000, capEff: 0n, targetUid: 1000 };
  const e = typedSyscallError(
    new SyscallError("move_pages", Errno.EPERM),
    9,
    "move pages",
    probe(user),
    MPOL_MF_MOVE_ALL,
  );
  assertEquals(
    message(e),
    "Cannot move pages: operation not permitted; run memtierd as root (moving pages shared " +
      "with other processes (MPOL_MF_MOVE_ALL) needs CAP_SYS_NICE)",
  );
});

Deno.test("typedSyscallError(): EINVAL from move_pages means the process exited only if it has", () => {
  const p = { euid: 0, capEff: ALL_CAPS, targetUid: 0 };
  const err = new SyscallError("move_pages", Errno.EINVAL);
  assertEquals(typedSyscallError(err, 5, "move", probe(p, true)) instanceof ProcessGoneError, true);
  assertEquals(typedSyscallError(err, 5, "move", probe(p, false)), err);
});
