/**
 * A fake kernel for tests: processes with pages on NUMA nodes, the system
 * calls of `Syscalls` acting on them with move_pages(2)'s real reporting
 * rules, and `writeTrees()` to lay out the matching /proc and /sys files, so
 * that the same code that runs in a VM runs here against fixture folders.
 *
 * Modelled behaviour:
 * - move_pages per-page statuses: -EFAULT (not mapped), -ENOENT (not present
 *   or swapped), -EACCES (shared without MPOL_MF_MOVE_ALL), -EBUSY (busy),
 *   the node when the page is already there;
 * - a group of pages whose migration fails (a pinned page) makes the call
 *   return the number of pages not migrated and leave the statuses of that
 *   group and of all later pages unwritten;
 * - a target node that fills up makes the call fail with ENOMEM after the
 *   pages that fitted moved (statuses unwritten);
 * - ESRCH once a process has exited (`exitAfterMoveCalls`, `exitAt`), EINVAL
 *   while it is a zombie (exited, not reaped: no memory, empty maps), ENODEV
 *   for a node that is not online, EINVAL for a node id out of range;
 * - the shared zero page (`zero`): present in pagemap but not exclusive,
 *   not counted in numa_maps, EFAULT from move_pages (as FOLL_DUMP gives);
 * - hugetlb mappings (`hugePageKiB`): numa_maps counts them in huge pages;
 * - process_madvise(MADV_PAGEOUT) swaps out present, exclusive pages;
 * - soft-dirty bits (`FakePage.softDirty`, pagemap bit 55) set by `touch`
 *   with a write and cleared by clear_refs "4" (see fake_system.ts);
 * - with `pageFrames` on: /proc/kpageflags (`FakePage.kpf`) and an idle page
 *   bitmap under /sys, whose bits `touch` clears (see fake_system.ts).
 *
 * @module
 */
import { Errno } from "../ffi/errno.ts";
import { SyscallError } from "../ffi/syscall_error.ts";
import { MADV_PAGEOUT, MPOL_MF_MOVE_ALL, type Syscalls } from "../ffi/syscalls.ts";
import { PAGE_SIZE_BYTES } from "../memory/addr_range.ts";

/** A mapping of a fake process. */
export interface FakeVma {
  startAddr: number;
  pages: number;
  kind: "anon" | "heap" | "stack" | "file";
  path?: string;
  /** A hugetlb mapping's page size (numa_maps counts in these units). */
  hugePageKiB?: number;
}

/** State of one page. */
export interface FakePage {
  node: number;
  swapped: boolean;
  shared: boolean;
  busy: boolean;
  pinned: boolean;
  /** The kernel's shared zero page (read, never written). */
  zero?: boolean;
  /** Written since the last clear_refs "4" (pagemap bit 55). */
  softDirty?: boolean;
  /** /proc/kpageflags bits of its frame (default: ANON and LRU). */
  kpf?: number;
}

/** Frames the fake /proc/kpageflags and idle bitmap describe (made-up PFNs are 16 bits). */
const FAKE_PAGE_FRAMES = 65536;

/** The made-up page frame number of page `pageNo` (address / 4096). */
function fakePfn(pageNo: number): number {
  return pageNo & 0xffff;
}

/** A fake process. */
export interface FakeProcess {
  pid: number;
  /** For a thread: the process it belongs to (status Tgid); a process when absent. */
  tgid?: number;
  comm: string;
  kernelThread: boolean;
  vmas: FakeVma[];
  /** Page number (address / 4096) to state; a missing page is not present. */
  pages: Map<number, FakePage>;
  /** The process exits after this many move_pages calls that move pages. */
  exitAfterMoveCalls?: number;
  exited: boolean;
  /** Exited but not reaped: /proc/PID is there, its memory is not. */
  zombie: boolean;
  /** The process exits at the `count`th step named `step` (1 = the first), before it runs. */
  exitAt?: { step: FakeStep; count: number; zombie: boolean };
  /** Owner (real uid). */
  uid: number;
  /** Nodes the process may allocate on (Mems_allowed_list); all when absent. */
  memsAllowed?: number[];
  /** Bytes the process would read for every page (for data checks). */
  data: Map<number, number>;
  /** Start time in clock ticks (/proc/PID/stat field 22); a reused pid gets a later one. */
  startTicks: number;
  /** Target of /proc/PID/exe (default `/usr/bin/COMM`; kernel threads have none). */
  exe?: string;
}

/** A moment in memtierd's work on a process where a fake process can exit. */
export type FakeStep =
  | "stat"
  | "status"
  | "maps"
  | "numa_maps"
  | "pagemap"
  | "pagemap-read"
  | "locate"
  | "move";

/** A fake NUMA node. */
export interface FakeNode {
  id: number;
  capacityPages: number;
  cpus: number[];
}

/** One call seen by the fake, for assertions. */
export interface FakeCall {
  syscall: "move_pages" | "pidfd_open" | "process_madvise" | "close";
  pid: number;
  pages: number;
  query: boolean;
}

const MAX_NUMNODES = 1024;

/** A fake kernel implementing `Syscalls`. */
export class FakeKernel implements Syscalls {
  readonly nodes = new Map<number, FakeNode>();
  readonly processes = new Map<number, FakeProcess>();
  readonly calls: FakeCall[] = [];
  /** memtierd's own /proc/self/status: uid and effective capabilities. */
  self = { uid: 0, capEff: 0x1ffffffffffn };
  #steps = new Map<string, number>();
  /** Open pidfds: each refers to the process it was opened on, even after its pid is reused. */
  #pidfds = new Map<number, FakeProcess>();
  #ticks = 100;
  #nextFd = 100;
  #moveCalls = new Map<number, number>();
  /** Writes /proc/kpageflags and /sys/kernel/mm/page_idle/bitmap too (idle page tracking). */
  pageFrames = false;

  addNode(id: number, capacityPages: number, cpus: number[] = []): this {
    this.nodes.set(id, { id, capacityPages, cpus });
    return this;
  }

  addProcess(pid: number, comm: string, vmas: FakeVma[], kernelThread = false): FakeProcess {
    const p: FakeProcess = {
      pid,
      comm,
      kernelThread,
      vmas,
      pages: new Map(),
      exited: false,
      zombie: false,
      uid: 0,
      data: new Map(),
      startTicks: this.#ticks++,
    };
    this.processes.set(pid, p);
    return p;
  }

  /** Makes `count` pages of a VMA present on `node`, from its `firstPage`. */
  populate(
    pid: number,
    vmaIndex: number,
    node: number,
    count: number,
    firstPage = 0,
    extra: Partial<FakePage> = {},
  ): void {
    const p = this.#process(pid);
    const vma = p.vmas[vmaIndex];
    if (!vma) throw new RangeError(`no vma ${vmaIndex}`);
    const base = vma.startAddr / PAGE_SIZE_BYTES;
    for (let i = firstPage; i < firstPage + count && i < vma.pages; i++) {
      p.pages.set(base + i, {
        node,
        swapped: false,
        shared: false,
        busy: false,
        pinned: false,
        ...extra,
      });
      p.data.set(base + i, (base + i) & 0xff);
    }
  }

  /**
   * Counts a step of memtierd's work on `pid`; the process exits if its
   * `exitAt` names this step. Returns whether it exited now.
   */
  step(pid: number, step: FakeStep): boolean {
    const p = this.processes.get(pid);
    if (!p?.exitAt || p.exited) return false;
    const key = `${pid}/${step}`;
    const n = (this.#steps.get(key) ?? 0) + 1;
    this.#steps.set(key, n);
    if (p.exitAt.step !== step || p.exitAt.count !== n) return false;
    this.exit(pid, p.exitAt.zombie);
    return true;
  }

  /** Ends a process: a zombie keeps its /proc folder without memory; otherwise it is gone. */
  exit(pid: number, zombie = false): void {
    const p = this.#process(pid);
    p.exited = true;
    p.zombie = zombie;
  }

  usedPages(node: number): number {
    let n = 0;
    for (const p of this.processes.values()) {
      if (p.exited) continue;
      for (const pg of p.pages.values()) if (!pg.swapped && !pg.zero && pg.node === node) n++;
    }
    return n;
  }

  /** Pages of `pid` per node (present pages only). */
  pagesPerNode(pid: number): Map<number, number> {
    const out = new Map<number, number>();
    for (const pg of this.#process(pid).pages.values()) {
      if (!pg.swapped && !pg.zero) out.set(pg.node, (out.get(pg.node) ?? 0) + 1);
    }
    return out;
  }

  #process(pid: number): FakeProcess {
    const p = this.processes.get(pid);
    if (!p) throw new RangeError(`no fake process ${pid}`);
    return p;
  }

  #live(pid: number, syscall: string): FakeProcess {
    const p = this.processes.get(pid);
    // A zombie has no mm: move_pages finds none and says EINVAL.
    if (p?.zombie && syscall === "move_pages") throw new SyscallError(syscall, Errno.EINVAL);
    if (!p || p.exited) throw new SyscallError(syscall, Errno.ESRCH);
    return p;
  }

  #mapped(p: FakeProcess, pageNo: number): boolean {
    return p.vmas.some((v) => {
      const base = v.startAddr / PAGE_SIZE_BYTES;
      return pageNo >= base && pageNo < base + v.pages;
    });
  }

  movePages(
    pid: number,
    addrs: Float64Array,
    nodes: Int32Array | null,
    status: Int32Array,
    flags: number,
  ): number {
    const p = this.#live(pid, "move_pages");
    this.calls.push({ syscall: "move_pages", pid, pages: addrs.length, query: nodes === null });
    if (p.kernelThread) throw new SyscallError("move_pages", Errno.EINVAL);
    if (nodes === null) {
      for (let i = 0; i < addrs.length; i++) {
        const pageNo = Math.floor(addrs[i]! / PAGE_SIZE_BYTES);
        const pg = p.pages.get(pageNo);
        if (!this.#mapped(p, pageNo) || pg?.zero) status[i] = -Errno.EFAULT;
        else if (!pg || pg.swapped) status[i] = -Errno.ENOENT;
        else status[i] = pg.node;
      }
      return 0;
    }
    for (let i = 0; i < addrs.length; i++) {
      const node = nodes[i]!;
      if (node < 0 || node >= MAX_NUMNODES) throw new SyscallError("move_pages", Errno.EINVAL);
      if (!this.nodes.has(node)) throw new SyscallError("move_pages", Errno.ENODEV);
    }
    const calls = (this.#moveCalls.get(pid) ?? 0) + 1;
    this.#moveCalls.set(pid, calls);
    if (p.exitAfterMoveCalls !== undefined && calls > p.exitAfterMoveCalls) {
      p.exited = true;
      throw new SyscallError("move_pages", Errno.ESRCH);
    }
    const moveAll = (flags & MPOL_MF_MOVE_ALL) !== 0;
    let group: number[] = [];
    let groupNode = -1;
    // Migrates the pending group; returns pages not migrated (+ the rest) or 0.
    const flush = (upTo: number): number => {
      if (group.length === 0) return 0;
      let failed = 0;
      let used = this.usedPages(groupNode);
      const capacity = this.nodes.get(groupNode)!.capacityPages;
      for (const i of group) {
        const pg = p.pages.get(Math.floor(addrs[i]! / PAGE_SIZE_BYTES))!;
        // No room on the node: migration stops and the call fails.
        if (used >= capacity) throw new SyscallError("move_pages", Errno.ENOMEM);
        if (pg.pinned) failed++;
        else {
          pg.node = groupNode;
          used++;
        }
      }
      if (failed > 0) return failed + (addrs.length - upTo);
      for (const i of group) status[i] = groupNode;
      group = [];
      return 0;
    };
    for (let i = 0; i < addrs.length; i++) {
      const node = nodes[i]!;
      if (group.length > 0 && node !== groupNode) {
        const r = flush(i);
        if (r) return r;
      }
      if (group.length === 0) groupNode = node;
      const pageNo = Math.floor(addrs[i]! / PAGE_SIZE_BYTES);
      const pg = p.pages.get(pageNo);
      let err = 0;
      if (!this.#mapped(p, pageNo) || pg?.zero) err = -Errno.EFAULT;
      else if (!pg || pg.swapped) err = -Errno.ENOENT;
      else if (pg.shared && !moveAll) err = -Errno.EACCES;
      else if (pg.busy) err = -Errno.EBUSY;
      else if (pg.node !== node) {
        group.push(i);
        continue;
      }
      status[i] = err || node;
      const r = flush(i);
      if (r) return r > 0 ? r - 1 : r;
    }
    return flush(addrs.length);
  }

  pidfdOpen(pid: number): number {
    const p = this.#live(pid, "pidfd_open");
    this.calls.push({ syscall: "pidfd_open", pid, pages: 0, query: false });
    const fd = this.#nextFd++;
    this.#pidfds.set(fd, p);
    return fd;
  }

  /** Pidfds opened and not closed yet (a leak check). */
  get openPidfds(): number {
    return this.#pidfds.size;
  }

  /** Whether the process a pidfd refers to has exited (poll(2) on a pidfd). */
  pidfdExited(pidfd: number): boolean {
    const p = this.#pidfds.get(pidfd);
    if (p === undefined) throw new SyscallError("poll", Errno.EBADF);
    return p.exited || this.processes.get(p.pid) !== p;
  }

  processMadvise(pidfd: number, iov: Float64Array, advice: number): number {
    const target = this.#pidfds.get(pidfd);
    if (target === undefined) throw new SyscallError("process_madvise", Errno.EBADF);
    const pid = target.pid;
    if (this.processes.get(pid) !== target) throw new SyscallError("process_madvise", Errno.ESRCH);
    const p = this.#live(pid, "process_madvise");
    if (advice !== MADV_PAGEOUT) throw new SyscallError("process_madvise", Errno.EINVAL);
    let bytes = 0;
    for (let k = 0; k + 1 < iov.length; k += 2) {
      const start = iov[k]!;
      const len = iov[k + 1]!;
      this.calls.push({
        syscall: "process_madvise",
        pid,
        pages: len / PAGE_SIZE_BYTES,
        query: false,
      });
      for (let a = start; a < start + len; a += PAGE_SIZE_BYTES) {
        const pageNo = a / PAGE_SIZE_BYTES;
        if (!this.#mapped(p, pageNo)) {
          if (bytes === 0) throw new SyscallError("process_madvise", Errno.EFAULT);
          return bytes;
        }
        const pg = p.pages.get(pageNo);
        if (pg && !pg.shared) pg.swapped = true;
      }
      bytes += len;
    }
    return bytes;
  }

  close(fd: number): void {
    if (!this.#pidfds.delete(fd)) throw new SyscallError("close", Errno.EBADF);
  }

  /** The process reads (or writes) its present pages in [startAddr, endAddr): a write sets soft-dirty. */
  touch(pid: number, startAddr: number, endAddr: number, write: boolean): number[] {
    const p = this.#live(pid, "touch");
    const pfns: number[] = [];
    for (let a = startAddr; a < endAddr; a += PAGE_SIZE_BYTES) {
      const pg = p.pages.get(a / PAGE_SIZE_BYTES);
      if (!pg || pg.swapped) continue;
      if (write) pg.softDirty = true;
      pfns.push(fakePfn(a / PAGE_SIZE_BYTES));
    }
    return pfns;
  }

  /** clear_refs "4": clears the soft-dirty bits of a process. */
  clearSoftDirty(pid: number): void {
    for (const pg of this.#live(pid, "clear_refs").pages.values()) pg.softDirty = false;
  }

  /** Brings swapped pages of a range back to `node` (what a read through /proc/PID/mem does). */
  swapIn(pid: number, startAddr: number, endAddr: number, node: number): void {
    const p = this.#live(pid, "read");
    for (let a = startAddr; a < endAddr; a += PAGE_SIZE_BYTES) {
      const pg = p.pages.get(a / PAGE_SIZE_BYTES);
      if (pg?.swapped) {
        pg.swapped = false;
        pg.node = node;
      }
    }
  }

  /**
   * Writes /proc/PID/{maps,numa_maps,pagemap,status,stat} for every live
   * process under `procRoot`, and the node files under `sysRoot`.
   */
  writeTrees(procRoot: string, sysRoot: string): void {
    Deno.mkdirSync(`${procRoot}/self`, { recursive: true });
    Deno.writeTextFileSync(
      `${procRoot}/self/status`,
      `Name:\tmemtierd\nUid:\t${this.self.uid}\t${this.self.uid}\t${this.self.uid}\t` +
        `${this.self.uid}\nCapEff:\t${this.self.capEff.toString(16).padStart(16, "0")}\n`,
    );
    for (const p of this.processes.values()) {
      const dir = `${procRoot}/${p.pid}`;
      if (p.exited && !p.zombie) {
        Deno.removeSync(dir, { recursive: true });
        continue;
      }
      Deno.mkdirSync(dir, { recursive: true });
      this.#writeProcess(p, dir);
    }
    if (this.pageFrames) this.#writePageFrames(procRoot, sysRoot);
    const nodeDir = `${sysRoot}/devices/system/node`;
    Deno.mkdirSync(nodeDir, { recursive: true });
    const ids = [...this.nodes.keys()].sort((a, b) => a - b);
    const list = (xs: number[]) => `${xs.join(",")}\n`;
    Deno.writeTextFileSync(`${nodeDir}/online`, list(ids));
    Deno.writeTextFileSync(`${nodeDir}/possible`, list(ids));
    Deno.writeTextFileSync(
      `${nodeDir}/has_memory`,
      list(ids.filter((n) => this.nodes.get(n)!.capacityPages > 0)),
    );
    Deno.writeTextFileSync(
      `${nodeDir}/has_cpu`,
      list(ids.filter((n) => this.nodes.get(n)!.cpus.length > 0)),
    );
    for (const n of this.nodes.values()) {
      const d = `${nodeDir}/node${n.id}`;
      Deno.mkdirSync(d, { recursive: true });
      const totalKiB = n.capacityPages * 4;
      const freeKiB = Math.max(0, n.capacityPages - this.usedPages(n.id)) * 4;
      Deno.writeTextFileSync(
        `${d}/meminfo`,
        `Node ${n.id} MemTotal:       ${totalKiB} kB\nNode ${n.id} MemFree:        ${freeKiB} kB\n`,
      );
      Deno.writeTextFileSync(`${d}/cpulist`, list(n.cpus));
      Deno.writeTextFileSync(
        `${d}/distance`,
        ids.map((m) => (m === n.id ? 10 : 20)).join(" ") + "\n",
      );
    }
  }

  /** /proc/kpageflags from the pages' `kpf`, and an idle bitmap (all active) if there is none yet. */
  #writePageFrames(procRoot: string, sysRoot: string): void {
    const flags = new Uint32Array(2 * FAKE_PAGE_FRAMES);
    for (const p of this.processes.values()) {
      if (p.exited) continue;
      for (const [pageNo, pg] of p.pages) {
        if (!pg.swapped) flags[2 * fakePfn(pageNo)] = pg.kpf ?? ((1 << 5) | (1 << 12));
      }
    }
    Deno.writeFileSync(`${procRoot}/kpageflags`, new Uint8Array(flags.buffer));
    const dir = `${sysRoot}/kernel/mm/page_idle`;
    Deno.mkdirSync(dir, { recursive: true });
    try {
      Deno.statSync(`${dir}/bitmap`);
    } catch {
      Deno.writeFileSync(`${dir}/bitmap`, new Uint8Array(FAKE_PAGE_FRAMES / 8));
    }
  }

  #writeProcess(p: FakeProcess, dir: string): void {
    const maps: string[] = [];
    const numa: string[] = [];
    for (const v of p.vmas) {
      const start = v.startAddr.toString(16);
      const end = (v.startAddr + v.pages * PAGE_SIZE_BYTES).toString(16);
      const path = v.kind === "heap" ? "[heap]" : v.kind === "stack" ? "[stack]" : v.path ?? "";
      maps.push(`${start}-${end} rw-p 00000000 00:00 0${path ? `    ${path}` : ""}`);
      const perNode = new Map<number, number>();
      const base = v.startAddr / PAGE_SIZE_BYTES;
      let present = 0;
      for (let i = 0; i < v.pages; i++) {
        const pg = p.pages.get(base + i);
        if (!pg || pg.swapped || pg.zero) continue;
        present++;
        perNode.set(pg.node, (perNode.get(pg.node) ?? 0) + 1);
      }
      const unit = (v.hugePageKiB ?? 4) / 4;
      const words = [start, "default"];
      if (v.kind === "file") words.push(`file=${(v.path ?? "").replaceAll(" ", "\\040")}`);
      if (v.kind === "heap") words.push("heap");
      if (v.kind === "stack") words.push("stack");
      if (v.hugePageKiB) words.push("huge");
      if (present > 0) {
        const c = Math.ceil(present / unit);
        words.push(v.kind === "file" ? `mapped=${c}` : `anon=${c}`, `dirty=${c}`);
      }
      for (const [n, c] of [...perNode].sort((a, b) => a[0] - b[0])) {
        words.push(`N${n}=${Math.ceil(c / unit)}`);
      }
      words.push(`kernelpagesize_kB=${v.hugePageKiB ?? 4}`);
      numa.push(words.join(" "));
    }
    if (p.kernelThread || p.zombie) {
      maps.length = 0;
      numa.length = 0;
    }
    Deno.writeTextFileSync(`${dir}/maps`, maps.map((l) => `${l}\n`).join(""));
    Deno.writeTextFileSync(`${dir}/numa_maps`, numa.map((l) => `${l}\n`).join(""));
    const flags = p.kernelThread ? 0x00208040 : 0x00400100;
    const state = p.zombie ? "Z" : "S";
    Deno.writeTextFileSync(
      `${dir}/stat`,
      `${p.pid} (${p.comm}) ${state} 1 ${p.pid} ${p.pid} 0 -1 ${flags} 0 0 0 0 0 0 0 0 20 0 1 0 ${p.startTicks}\n`,
    );
    try {
      Deno.removeSync(`${dir}/exe`);
    } catch {
      // not there yet
    }
    if (!p.kernelThread) Deno.symlinkSync(p.exe ?? `/usr/bin/${p.comm}`, `${dir}/exe`);
    let rssKiB = 0;
    for (const pg of p.pages.values()) if (!pg.swapped && !p.zombie) rssKiB += 4;
    const mems = p.memsAllowed ?? [...this.nodes.keys()].sort((a, b) => a - b);
    Deno.writeTextFileSync(
      `${dir}/status`,
      `Name:\t${p.comm.replaceAll("\n", "\\n")}\n` +
        `State:\t${p.zombie ? "Z (zombie)" : "S (sleeping)"}\nTgid:\t${p.tgid ?? p.pid}\n` +
        `Pid:\t${p.pid}\n` +
        `Uid:\t${p.uid}\t${p.uid}\t${p.uid}\t${p.uid}\n` +
        (p.kernelThread || p.zombie ? "" : `VmRSS:\t${String(rssKiB).padStart(8)} kB\n`) +
        `Mems_allowed_list:\t${mems.join(",")}\n`,
    );
    Deno.writeTextFileSync(`${dir}/clear_refs`, "");
    if (p.zombie) {
      Deno.writeFileSync(`${dir}/pagemap`, new Uint8Array(0));
      return;
    }
    // The file spans the address space up to the end of the last mapping.
    const last = Math.max(0, ...p.vmas.map((v) => v.startAddr / PAGE_SIZE_BYTES + v.pages));
    const words = new Uint32Array(last * 2);
    for (const [pageNo, pg] of p.pages) {
      let hi = pg.swapped ? 1 << 30 : 1 << 31;
      if (!pg.shared && !pg.zero) hi |= 1 << 24;
      if (pg.softDirty && !pg.swapped) hi |= 1 << 23;
      words[2 * pageNo] = pg.swapped ? 0 : fakePfn(pageNo);
      words[2 * pageNo + 1] = hi >>> 0;
    }
    Deno.writeFileSync(`${dir}/pagemap`, new Uint8Array(words.buffer));
  }
}
