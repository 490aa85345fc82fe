/**
 * pictures: SVG charts and terminal block pictures of heat and placement.
 *
 *   heat_chart.ts   heatChartSvg(samples of Heats, pid): address space x time,
 *                   heat classes as colours
 *   node_chart.ts   nodePagesSvg(samples): pages per node over time, stacked
 *   recorder.ts     NodePagesRecorder: numa_maps of processes every intervalMs
 *   heat_recorder.ts  HeatRecorder: a policy's heatmap of one process
 *                     every intervalMs (the heat policy's heats())
 *   sampling.ts     samplingLoop (the Loop both recorders run on), keepLast
 *   terminal.ts     nodePagesBlocks / heatBlocks: the same in Unicode blocks
 *   svg.ts          escaping, document, colours
 *
 * The charts are pure functions of their samples; only the recorders read
 * (/proc through a ProcFs, or a policy's heats) and wait (through a Clock).
 *
 * @module
 */
export {
  addressBands,
  type HeatChartOptions,
  heatChartSvg,
  heatClass,
  heatGrid,
  type HeatSample,
} from "./heat_chart.ts";
export { HeatRecorder, type HeatRecorderOptions, type HeatScale } from "./heat_recorder.ts";
export { type NodePagesSample, nodePagesSvg } from "./node_chart.ts";
export { anonPagesByNode, NodePagesRecorder, type NodePagesRecorderOptions } from "./recorder.ts";
export { heatBlocks, nodePagesBlocks } from "./terminal.ts";
export { heatColor, nodeColor } from "./svg.ts";
