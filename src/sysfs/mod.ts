/**
 * sysfs: the NUMA topology from /sys/devices/system/node.
 *
 *   sys_fs.ts         SysFs: nodes, their CPUs, memory and distances, read
 *                     under a root folder (a fixture tree in tests)
 *     ├─ id_list.ts       parseIdList / formatIdList ("0-3,8")
 *     └─ node_meminfo.ts  parseNodeMeminfo
 *
 * @module
 */
export { formatIdList, parseIdList } from "./id_list.ts";
export { parseNodeMeminfo } from "./node_meminfo.ts";
export { type NumaNode, SysFs, type SysFsOptions } from "./sys_fs.ts";
