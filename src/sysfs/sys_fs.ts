/**
 * Reader of the NUMA topology under /sys for one root folder, so that a
 * fixture tree stands in for the live /sys in tests.
 *
 * @module
 */
import { UnsupportedError } from "../errors.ts";
import { parseIdList } from "./id_list.ts";
import { parseNodeMeminfo } from "./node_meminfo.ts";

/** Options of `SysFs`. */
export interface SysFsOptions {
  /** The folder mounted as /sys. Default `/sys`. */
  root?: string;
}

/** One NUMA node as /sys describes it. */
export interface NumaNode {
  readonly id: number;
  readonly online: boolean;
  readonly hasMemory: boolean;
  readonly cpus: readonly number[];
  readonly memTotalBytes: number;
  readonly memFreeBytes: number;
  /** Distances to nodes in `online` order, from nodeN/distance. */
  readonly distances: readonly number[];
}

/** Reads /sys/devices/system/node and friends. */
export class SysFs {
  readonly root: string;

  constructor(options: SysFsOptions = {}) {
    this.root = options.root ?? "/sys";
  }

  get nodeDir(): string {
    return `${this.root}/devices/system/node`;
  }

  #read(path: string): string {
    return Deno.readTextFileSync(path);
  }

  #readOr(path: string, fallback: string): string {
    try {
      return this.#read(path);
    } catch {
      return fallback;
    }
  }

  /** Throws `UnsupportedError` if the kernel has no NUMA support. */
  requireNuma(): void {
    try {
      Deno.statSync(`${this.nodeDir}/online`);
    } catch {
      throw new UnsupportedError(
        `Cannot use NUMA: this kernel has no NUMA support (${this.nodeDir}/online is missing; ` +
          "it needs CONFIG_NUMA)",
      );
    }
  }

  /** A node list file of the node folder: `online`, `possible`, `has_memory`, `has_cpu`... */
  nodeList(name: string): number[] {
    this.requireNuma();
    const path = `${this.nodeDir}/${name}`;
    return parseIdList(this.#readOr(path, ""), path);
  }

  /** Ids of online nodes. */
  onlineNodes(): number[] {
    return this.nodeList("online");
  }

  /** Fields of nodeN/meminfo in bytes (empty if the node has no such folder). */
  nodeMeminfo(node: number): Map<string, number> {
    return parseNodeMeminfo(this.#readOr(`${this.nodeDir}/node${node}/meminfo`, ""));
  }

  /** Every online node with its CPUs, memory and distances. */
  nodes(): NumaNode[] {
    const online = this.onlineNodes();
    const withMemory = new Set(this.nodeList("has_memory"));
    return online.map((id) => {
      const dir = `${this.nodeDir}/node${id}`;
      const meminfo = this.nodeMeminfo(id);
      const cpuText = this.#readOr(`${dir}/cpulist`, "");
      const distText = this.#readOr(`${dir}/distance`, "").trim();
      return {
        id,
        online: true,
        hasMemory: withMemory.has(id),
        cpus: parseIdList(cpuText, `${dir}/cpulist`),
        memTotalBytes: meminfo.get("MemTotal") ?? 0,
        memFreeBytes: meminfo.get("MemFree") ?? 0,
        distances: distText === "" ? [] : distText.split(/\s+/).map(Number),
      };
    });
  }
}
