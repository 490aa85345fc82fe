/**
 * A FakeKernel together with fixture folders that describe it, and the
 * readers pointed at them.
 *
 * @module
 */
import { PAGE_SIZE_BYTES } from "../memory/addr_range.ts";
import { type MemFile, ProcFs } from "../procfs/proc_fs.ts";
import type { PagemapFile } from "../procfs/pagemap.ts";
import { SysFs } from "../sysfs/sys_fs.ts";
import type { Syscalls } from "../ffi/syscalls.ts";
import type { FakeKernel, FakeStep } from "./fake_kernel.ts";

/** Fixture folders of a fake kernel. */
export interface FakeSystem extends Disposable {
  kernel: FakeKernel;
  procfs: ProcFs;
  sysfs: SysFs;
  /** Rewrites the folders from the kernel's current state. */
  sync(): void;
  /** The kernel's system calls, rewriting the folders after each change. */
  syscalls: Syscalls;
  /**
   * `pid` reads (or writes) its pages in [startAddr, endAddr): a write sets
   * their soft-dirty bits, and with `kernel.pageFrames` on, their frames'
   * idle bits are cleared, as the kernel does on access.
   */
  access(pid: number, startAddr: number, endAddr: number, write: boolean): void;
}

/**
 * A ProcFs over the fixture folder whose /proc/PID/mem reads act on the fake
 * kernel: reading a swapped-out page brings it back (to the node of the
 * process's first page, or node 0), as the kernel's fault path would. Each
 * read is a step at which a process can exit (`FakeProcess.exitAt`); a
 * zombie's pagemap cannot be opened (ESRCH, as Deno reports it) and a
 * pagemap read after an exit finds the end of the file.
 */
class FakeProcFs extends ProcFs {
  #kernel: FakeKernel;
  #sync: () => void;

  constructor(root: string, kernel: FakeKernel, sync: () => void) {
    super({ root });
    this.#kernel = kernel;
    this.#sync = sync;
  }

  #step(pid: number, step: FakeStep): void {
    if (this.#kernel.step(pid, step)) this.#sync();
  }

  override readText(pid: number, name: string): string {
    if (name === "stat" || name === "status" || name === "maps" || name === "numa_maps") {
      this.#step(pid, name);
    }
    return super.readText(pid, name);
  }

  override openPagemap(pid: number): PagemapFile {
    this.#step(pid, "pagemap");
    const p = this.#kernel.processes.get(pid);
    if (p?.zombie) {
      throw this.fileError(
        pid,
        "pagemap",
        new Error(`No such process (os error 3): open '${this.path(pid, "pagemap")}'`),
      );
    }
    const file = super.openPagemap(pid);
    const kernel = this.#kernel;
    const step = (s: FakeStep) => this.#step(pid, s);
    const reading = Object.create(file) as PagemapFile;
    reading.read = (startAddr: number, countPages: number, into: Uint32Array) => {
      step("pagemap-read");
      if (kernel.processes.get(pid)?.exited) return 0;
      return file.read(startAddr, countPages, into);
    };
    reading.close = () => file.close();
    return reading;
  }

  override clearRefs(pid: number, what: "1" | "4"): void {
    super.clearRefs(pid, what);
    if (what === "4") this.#kernel.clearSoftDirty(pid);
    this.#sync();
  }

  override openMem(pid: number): MemFile {
    if (!this.exists(pid)) throw this.fileError(pid, "mem", new Deno.errors.NotFound());
    const kernel = this.#kernel;
    const sync = this.#sync;
    let pos = 0;
    return {
      seekSync(offset: number) {
        pos = offset;
        return pos;
      },
      readSync(buffer: Uint8Array) {
        const proc = kernel.processes.get(pid)!;
        const home = [...proc.pages.values()].find((p) => !p.swapped)?.node ?? 0;
        kernel.swapIn(pid, pos, pos + buffer.length, home);
        buffer.fill(0);
        for (let a = pos; a < pos + buffer.length; a += PAGE_SIZE_BYTES) {
          buffer[a - pos] = proc.data.get(a / PAGE_SIZE_BYTES) ?? 0;
        }
        pos += buffer.length;
        sync();
        return buffer.length;
      },
      close() {},
    };
  }
}

/** Writes `kernel`'s /proc and /sys into a temporary folder; `using` removes it. */
export function fakeSystem(kernel: FakeKernel): FakeSystem {
  const dir = Deno.makeTempDirSync({ prefix: "memtierd-fake-" });
  const procRoot = `${dir}/proc`;
  const sysRoot = `${dir}/sys`;
  const sync = () => kernel.writeTrees(procRoot, sysRoot);
  sync();
  return {
    kernel,
    procfs: new FakeProcFs(procRoot, kernel, sync),
    sysfs: new SysFs({ root: sysRoot }),
    sync,
    syscalls: {
      movePages(pid, addrs, nodes, status, flags) {
        if (kernel.step(pid, nodes === null ? "locate" : "move")) sync();
        try {
          return kernel.movePages(pid, addrs, nodes, status, flags);
        } finally {
          if (nodes !== null) sync();
        }
      },
      pidfdOpen: (pid) => kernel.pidfdOpen(pid),
      processMadvise(pidfd, iov, advice) {
        try {
          return kernel.processMadvise(pidfd, iov, advice);
        } finally {
          sync();
        }
      },
      pidfdExited: (fd) => kernel.pidfdExited(fd),
      close: (fd) => kernel.close(fd),
    },
    access(pid, startAddr, endAddr, write) {
      const pfns = kernel.touch(pid, startAddr, endAddr, write);
      const bitmap = `${sysRoot}/kernel/mm/page_idle/bitmap`;
      if (kernel.pageFrames) {
        const bytes = Deno.readFileSync(bitmap);
        for (const pfn of pfns) bytes[pfn >> 3] = bytes[pfn >> 3]! & ~(1 << (pfn & 7));
        Deno.writeFileSync(bitmap, bytes);
      }
      sync();
    },
    [Symbol.dispose]() {
      Deno.removeSync(dir, { recursive: true });
    },
  };
}
