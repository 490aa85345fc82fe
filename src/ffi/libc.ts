/**
 * The real system calls, through glibc's `syscall()`.
 *
 * glibc does not export move_pages (that is libnuma), so every call goes
 * through `syscall(NR, ...)` with the exact arity of that system call: a
 * missing argument would pass register garbage. errno is read right after
 * each call from `*__errno_location()`, with no other libc call in between.
 * Addresses are written into 64-bit words through Uint32 halves: no BigInt
 * per page.
 *
 * @module
 */
import { SyscallError } from "./syscall_error.ts";
import type { Syscalls } from "./syscalls.ts";

const SYS_read = 0n;
const SYS_openat = 257n;
const SYS_move_pages = 279n;
const SYS_pidfd_open = 434n;
const SYS_process_madvise = 440n;
const AT_FDCWD = -100n;
const O_RDONLY_NONBLOCK_CLOEXEC = 0o4000n | 0o2000000n;
const EAGAIN = 11;
const POLLIN = 0x1;
const POLLHUP = 0x10;

const SYMBOLS = {
  // long syscall(SYS_move_pages, int pid, unsigned long count, void **pages,
  //              const int *nodes, int *status, int flags)
  move_pages: {
    name: "syscall",
    parameters: ["i64", "i64", "u64", "buffer", "buffer", "buffer", "i64"],
    result: "i64",
  },
  // long syscall(SYS_pidfd_open, pid_t pid, unsigned int flags)
  pidfd_open: { name: "syscall", parameters: ["i64", "i64", "i64"], result: "i64" },
  // long syscall(SYS_process_madvise, int pidfd, const struct iovec *iovec,
  //              size_t vlen, int advice, unsigned int flags)
  process_madvise: {
    name: "syscall",
    parameters: ["i64", "i64", "buffer", "u64", "i64", "i64"],
    result: "i64",
  },
  // long syscall(SYS_openat, int dirfd, const char *path, int flags, mode_t mode)
  openat: { name: "syscall", parameters: ["i64", "i64", "buffer", "i64", "i64"], result: "i64" },
  // long syscall(SYS_read, int fd, void *buf, size_t count)
  read: { name: "syscall", parameters: ["i64", "i64", "buffer", "u64"], result: "i64" },
  // int poll(struct pollfd *fds, nfds_t nfds, int timeout)
  poll: { parameters: ["buffer", "u64", "i32"], result: "i32" },
  // int close(int fd)
  close: { parameters: ["i32"], result: "i32" },
  // int *__errno_location(void)
  __errno_location: { parameters: [], result: "pointer" },
} as const satisfies Deno.ForeignLibraryInterface;

type Libc = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];

const TWO_32 = 4294967296;

/** Writes non-negative integers (< 2^53) into a u64 array given as Uint32 halves. */
function putU64(words: Uint32Array, index: number, value: number): void {
  words[2 * index] = value >>> 0;
  words[2 * index + 1] = Math.floor(value / TWO_32);
}

class LibcSyscalls implements Syscalls {
  #libc: Libc;
  #errno: Deno.UnsafePointerView;
  #addrWords = new Uint32Array(2 * 4096);
  #iovWords = new Uint32Array(4 * 1024);

  constructor() {
    this.#libc = Deno.dlopen("libc.so.6", SYMBOLS).symbols;
    const ptr = this.#libc.__errno_location();
    if (ptr === null) throw new Error("Cannot read errno: __errno_location() returned NULL");
    this.#errno = new Deno.UnsafePointerView(ptr);
  }

  #check(syscall: string, result: number | bigint): number {
    const n = Number(result);
    if (n === -1) throw new SyscallError(syscall, this.#errno.getInt32());
    return n;
  }

  movePages(
    pid: number,
    addrs: Float64Array,
    nodes: Int32Array | null,
    status: Int32Array,
    flags: number,
  ): number {
    const count = addrs.length;
    if (status.length < count || (nodes !== null && nodes.length < count)) {
      throw new RangeError("Cannot move_pages: status and nodes need one entry per page");
    }
    if (this.#addrWords.length < 2 * count) this.#addrWords = new Uint32Array(2 * count);
    const words = this.#addrWords;
    for (let i = 0; i < count; i++) putU64(words, i, addrs[i]!);
    return this.#check(
      "move_pages",
      this.#libc.move_pages(
        SYS_move_pages,
        BigInt(pid),
        BigInt(count),
        words,
        nodes,
        status,
        BigInt(flags),
      ),
    );
  }

  pidfdOpen(pid: number): number {
    return this.#check("pidfd_open", this.#libc.pidfd_open(SYS_pidfd_open, BigInt(pid), 0n));
  }

  processMadvise(pidfd: number, iov: Float64Array, advice: number): number {
    const pairs = iov.length >> 1;
    if (this.#iovWords.length < 2 * iov.length) this.#iovWords = new Uint32Array(2 * iov.length);
    const words = this.#iovWords;
    for (let i = 0; i < 2 * pairs; i++) putU64(words, i, iov[i]!);
    return this.#check(
      "process_madvise",
      this.#libc.process_madvise(
        SYS_process_madvise,
        BigInt(pidfd),
        words,
        BigInt(pairs),
        BigInt(advice),
        0n,
      ),
    );
  }

  pidfdExited(pidfd: number): boolean {
    // struct pollfd { int fd; short events; short revents; }; a pidfd turns
    // readable (POLLIN) when its process exits.
    const pfd = new Int32Array([pidfd, POLLIN]);
    this.#check("poll", this.#libc.poll(pfd, 1n, 0));
    return ((pfd[1]! >>> 16) & (POLLIN | POLLHUP)) !== 0;
  }

  openNonblocking(path: string): number {
    const cPath = new TextEncoder().encode(`${path}\0`);
    return this.#check(
      "openat",
      this.#libc.openat(SYS_openat, AT_FDCWD, cPath, O_RDONLY_NONBLOCK_CLOEXEC, 0n),
    );
  }

  readNonblocking(fd: number, buf: Uint8Array): number | null {
    const n = Number(this.#libc.read(SYS_read, BigInt(fd), buf, BigInt(buf.length)));
    if (n !== -1) return n;
    const errno = this.#errno.getInt32();
    if (errno === EAGAIN) return null;
    throw new SyscallError("read", errno);
  }

  close(fd: number): void {
    if (this.#libc.close(fd) === -1) throw new SyscallError("close", this.#errno.getInt32());
  }
}

let shared: LibcSyscalls | undefined;

/**
 * The real kernel's system calls. libc is opened on first use.
 *
 * @example
 * ```ts ignore
 * import { libcSyscalls } from "./libc.ts";
 * const status = new Int32Array(1);
 * libcSyscalls().movePages(Deno.pid, new Float64Array([0x400000]), null, status, 0);
 * ```
 */
export function libcSyscalls(): Syscalls {
  shared ??= new LibcSyscalls();
  return shared;
}
