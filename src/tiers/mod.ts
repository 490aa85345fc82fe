/**
 * tiers: the machine's memory tiers, fastest first, and node settings that
 * name tiers instead of node numbers.
 *
 *   tier_topology.ts   readTierTopology(sysfs): tiers + nodes (CPUs, memory,
 *     │                 access); falls back to distances without tier data
 *     ├─ memory_tiers.ts  /sys/devices/virtual/memory_tiering/memory_tierN/nodelist
 *     └─ node_access.ts   nodeN/access0/initiators/{read,write}_{latency,bandwidth}
 *   render.ts          renderTiers / tiersJson (memtierd -tiers, prompt `tiers`)
 *   node_spec.ts       parseNodeSpec + resolveNodes(spec, pid, deps): "slower",
 *                      "fastest", "tier:N", ... -> nodes, within Mems_allowed
 *   node_list.ts       ordered lists with -1 (swap) on node_spec.ts: RatioTargets,
 *                      HeatNumas, demote-idle's IdleNumas
 *
 * Readers take the /sys root from a SysFs and /proc from a ProcFs, so
 * fixture trees stand in for them in tests.
 *
 * @module
 */
export { type KernelTier, parseMemoryTiers, readMemoryTiers, tierIdOf } from "./memory_tiers.ts";
export { type NodeAccess, parseNodeAccess, readNodeAccess } from "./node_access.ts";
export {
  buildTierTopology,
  readTierTopology,
  type Tier,
  type TierNode,
  tierOf,
  tiersFromDistances,
  type TierTopology,
} from "./tier_topology.ts";
export { renderTiers, tiersJson } from "./render.ts";
export {
  asNodeSpec,
  formatNodeSpec,
  isEmptySetting,
  namesTiers,
  NODE_SPEC_HELP,
  type NodeSetting,
  nodeSettingField,
  type NodeSpec,
  type NodeSpecDeps,
  nodeSpecField,
  parseNodeSpec,
  type ProcessPlacement,
  readProcessPlacement,
  resolveNodes,
  resolveNodeSpec,
  type TierWord,
} from "./node_spec.ts";
export {
  formatNodeList,
  listNamesTiers,
  nodeListField,
  type NodeListItem,
  type NodeListOptions,
  NoNodeWarnings,
  parseNodeList,
  resolveNodeList,
} from "./node_list.ts";
