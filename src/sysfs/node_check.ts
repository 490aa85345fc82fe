/**
 * Checks that a node named by the user can be used, with messages that list
 * the nodes that can.
 *
 * @module
 */
import { NodeError } from "../errors.ts";
import { formatIdList } from "./id_list.ts";
import type { NumaNode } from "./sys_fs.ts";

/** Throws `NodeError` unless `id` is an online node. */
export function requireOnlineNode(nodes: readonly NumaNode[], id: number, doing: string): NumaNode {
  const node = nodes.find((n) => n.id === id);
  if (!node) {
    throw new NodeError(
      `Cannot ${doing} node ${id}: no such node (online nodes: ${
        formatIdList(nodes.map((n) => n.id))
      })`,
    );
  }
  return node;
}

/** Throws `NodeError` unless `id` is an online node with memory, so pages can go there. */
export function requireTargetNode(nodes: readonly NumaNode[], id: number): NumaNode {
  const node = requireOnlineNode(nodes, id, "move to");
  if (!node.hasMemory) {
    const withMemory = nodes.filter((n) => n.hasMemory).map((n) => n.id);
    throw new NodeError(
      `Cannot move to node ${id}: it has no memory (nodes with memory: ${
        formatIdList(withMemory)
      })`,
    );
  }
  return node;
}

/**
 * Throws `NodeError` unless `id` is among the nodes a process may allocate
 * on (its `Mems_allowed_list`, from its cpuset): the kernel would refuse to
 * move its pages there.
 */
export function requireAllowedNode(
  allowed: readonly number[],
  id: number,
  pid: number,
): void {
  if (allowed.includes(id)) return;
  throw new NodeError(
    `Cannot move to node ${id}: process ${pid} may not use it (its allowed memory nodes, ` +
      `cpuset.mems: ${formatIdList(allowed)})`,
  );
}
