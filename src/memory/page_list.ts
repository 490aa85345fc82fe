/**
 * A list of pages of one process: addresses in a Float64Array and each page's
 * pagemap flag word beside it, grown by doubling. Hot loops index the typed
 * arrays directly.
 *
 * @module
 */

/** Pages of one process with their pagemap high words (see procfs/pagemap.ts `PM`). */
export class PageList {
  readonly pid: number;
  #addrs: Float64Array;
  #flags: Uint32Array;
  #length = 0;

  constructor(pid: number, capacity = 1024) {
    this.pid = pid;
    this.#addrs = new Float64Array(Math.max(16, capacity));
    this.#flags = new Uint32Array(Math.max(16, capacity));
  }

  /** A list holding exactly these addresses (flags 0). */
  static of(pid: number, addrs: readonly number[] | Float64Array): PageList {
    const list = new PageList(pid, addrs.length);
    for (let i = 0; i < addrs.length; i++) list.push(addrs[i]!, 0);
    return list;
  }

  get length(): number {
    return this.#length;
  }

  /** Page addresses; valid up to `length`. */
  get addrs(): Float64Array {
    return this.#addrs.subarray(0, this.#length);
  }

  /** Pagemap high words; valid up to `length`. */
  get flags(): Uint32Array {
    return this.#flags.subarray(0, this.#length);
  }

  push(addr: number, flags: number): void {
    if (this.#length === this.#addrs.length) {
      const addrs = new Float64Array(this.#addrs.length * 2);
      addrs.set(this.#addrs);
      this.#addrs = addrs;
      const f = new Uint32Array(this.#flags.length * 2);
      f.set(this.#flags);
      this.#flags = f;
    }
    this.#addrs[this.#length] = addr;
    this.#flags[this.#length] = flags;
    this.#length++;
  }

  /** A new list of the pages whose index passes `keep`. */
  filter(keep: (index: number) => boolean): PageList {
    const out = new PageList(this.pid, this.#length);
    for (let i = 0; i < this.#length; i++) {
      if (keep(i)) out.push(this.#addrs[i]!, this.#flags[i]!);
    }
    return out;
  }
}
