/**
 * `picture`: record the pages per node of processes at an interval, and
 * show them as Unicode blocks or write them as an SVG chart (kept up to
 * date while recording, so a daemon run always leaves a current picture).
 *
 * @module
 */
import { PID_MAX } from "../../common/limits.ts";
import { UsageError } from "../../errors.ts";
import { nodePagesSvg } from "../../pictures/node_chart.ts";
import { NodePagesRecorder } from "../../pictures/recorder.ts";
import { nodePagesBlocks } from "../../pictures/terminal.ts";
import type { Session } from "../session.ts";
import { boolFlag, intFlag, intListFlag, type PromptCommand, stringFlag } from "../command.ts";

const recorders = new WeakMap<Session, NodePagesRecorder>();

function writeSvg(path: string, svg: string): void {
  // Whole or not at all: a viewer never sees half a file.
  const tmp = `${path}.tmp`;
  try {
    Deno.writeTextFileSync(tmp, svg);
    Deno.renameSync(tmp, path);
  } catch (e) {
    throw new UsageError(
      `Cannot write picture ${JSON.stringify(path)}: ${e instanceof Error ? e.message : e}`,
    );
  }
}

function title(pids: readonly number[]): string {
  return `anonymous memory per node of pid ${pids.join(",")}`;
}

export const pictureCommand: PromptCommand = {
  name: "picture",
  description: "record pages per node over time; show them as blocks or write an SVG chart.",
  flags: [
    { name: "record", type: "bool", help: "start recording -pids every -interval-ms" },
    { name: "pids", type: "string", valueName: "PID[,PID...]", help: "processes to record" },
    {
      name: "interval-ms",
      type: "string",
      valueName: "MS",
      help: "time between samples (default 1000, at least 100)",
    },
    {
      name: "svg",
      type: "string",
      valueName: "FILE.svg",
      help: "write the chart to FILE.svg (with -record: after every sample)",
    },
    { name: "stop", type: "bool", help: "stop recording (the samples stay)" },
  ],
  async run({ session, out }, f) {
    const svg = stringFlag(f, "svg");
    if (svg !== undefined && !/\.svg$/i.test(svg)) {
      throw new UsageError(
        `Invalid -svg ${JSON.stringify(svg)}: expected a file name ending in .svg`,
      );
    }
    if (boolFlag(f, "stop")) {
      await recorders.get(session)?.stop();
      out("picture: recording stopped\n");
      return;
    }
    if (boolFlag(f, "record")) {
      const pids = intListFlag(f, "pids", 1, PID_MAX, "a process id");
      if (!pids) throw new UsageError("Flag -record needs -pids PID[,PID...]");
      const intervalMs = intFlag(f, "interval-ms", 100, 3_600_000, "milliseconds") ?? 1000;
      await recorders.get(session)?.stop();
      const rec = new NodePagesRecorder({
        procfs: session.opts.procfs,
        clock: session.opts.clock,
        pids,
        intervalMs,
        ...(svg === undefined
          ? {}
          : { onSample: (samples) => writeSvg(svg, nodePagesSvg(samples, title(pids))) }),
      });
      recorders.set(session, rec);
      if (!rec.sample()) throw new UsageError(`Cannot record: none of pids ${pids} exists`);
      rec.start();
      session.closers.add(() => rec.stop());
      out(`picture: recording pid ${pids.join(",")} every ${intervalMs} ms\n`);
      return;
    }
    const rec = recorders.get(session);
    if (!rec || rec.samples().length === 0) {
      throw new UsageError("Nothing recorded: start with picture -record -pids PID");
    }
    if (svg !== undefined) {
      writeSvg(svg, nodePagesSvg(rec.samples(), title(rec.pids())));
      out(`picture: ${rec.samples().length} samples written to ${svg}\n`);
      return;
    }
    out(nodePagesBlocks(rec.samples()));
  },
};
