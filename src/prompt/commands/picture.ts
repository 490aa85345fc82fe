/**
 * `picture`: record the pages per node of processes at an interval, and
 * show them as Unicode blocks or write them as an SVG chart (kept up to
 * date while recording, so a daemon run always leaves a current picture).
 * With -heat, the same for the heat policy's heatmap of one process: its
 * address space over time, heat classes as colours (or shades).
 *
 * A session has one recording of each kind; -stop ends both.
 *
 * @module
 */
import { quoted } from "../../common/excerpt.ts";
import { PID_MAX } from "../../common/limits.ts";
import { replaceFile } from "../../common/safe_write.ts";
import { errorText } from "../../common/error_text.ts";
import { UsageError } from "../../errors.ts";
import { heatChartSvg, type HeatSample } from "../../pictures/heat_chart.ts";
import { HeatRecorder, type HeatScale } from "../../pictures/heat_recorder.ts";
import { nodePagesSvg } from "../../pictures/node_chart.ts";
import { NodePagesRecorder } from "../../pictures/recorder.ts";
import { heatBlocks, nodePagesBlocks } from "../../pictures/terminal.ts";
import type { PolicyHeats } from "../../policies/policy.ts";
import type { Session } from "../session.ts";
import {
  boolFlag,
  type CommandContext,
  intFlag,
  intListFlag,
  type PromptCommand,
  stringFlag,
} from "../command.ts";

function writeSvg(path: string, svg: string): void {
  // Whole or not at all (a viewer never sees half a file), and never
  // through another user's symlink: see common/safe_write.ts.
  replaceFile("picture", path, svg);
}

function title(pids: readonly number[]): string {
  return `anonymous memory per node of pid ${pids.join(",")}`;
}

/** The adopted policy's heatmap now, or a usage error saying what is needed. */
function policyHeats(session: Session): PolicyHeats {
  const slot = session.components.policy;
  if (!slot?.instance) {
    throw new UsageError(
      "Cannot picture heat: no policy (-heat needs policy heat: policy -create heat -config ...)",
    );
  }
  const heats = slot.instance.heats?.() ?? null;
  if (!heats) {
    throw new UsageError(
      `Cannot picture heat: policy ${slot.name} keeps no heatmap (-heat needs policy heat)`,
    );
  }
  return heats;
}

/** The heatmap, with `pid` among the processes the policy watches. */
function watchedHeats(session: Session, pid: number): PolicyHeats {
  const heats = policyHeats(session);
  if (!heats.pids.includes(pid)) {
    throw new UsageError(
      `Cannot picture heat: pid ${pid} is not watched by the policy (watched: ${
        heats.pids.join(",") || "none"
      })`,
    );
  }
  return heats;
}

function heatTitle(pid: number, samples: readonly HeatSample[]): string {
  return `heat of pid ${pid}: address space (top: low) over time (${samples.length} samples)`;
}

function writeHeatSvg(path: string, pid: number, samples: readonly HeatSample[], s: HeatScale) {
  writeSvg(path, heatChartSvg(samples, { pid, ...s, title: heatTitle(pid, samples) }));
}

/** `picture -heat ...` (not -stop). */
async function runHeat(
  { session, out }: CommandContext,
  f: Parameters<PromptCommand["run"]>[1],
  svg: string | undefined,
): Promise<void> {
  if (stringFlag(f, "pids") !== undefined) {
    throw new UsageError("Flag -heat takes one process as -pid PID, not -pids");
  }
  let pid = intFlag(f, "pid", 1, PID_MAX, "a process id");
  if (boolFlag(f, "record")) {
    if (pid === undefined) throw new UsageError("Flag -heat -record needs -pid PID");
    const intervalMs = intFlag(f, "interval-ms", 100, 3_600_000, "milliseconds") ?? 1000;
    watchedHeats(session, pid);
    await session.recorders.heat?.stop();
    const rec = new HeatRecorder({
      clock: session.opts.clock,
      source: () => session.components.policy?.instance?.heats?.() ?? null,
      pid,
      intervalMs,
      ...(svg === undefined
        ? {}
        : { onSample: (samples, scale) => writeHeatSvg(svg, rec.pid, samples, scale) }),
      onError: (e) => session.logger.error(`picture -heat: ${errorText(e)}`),
    });
    session.recorders.heat = rec;
    rec.sample();
    rec.start();
    out(`picture: recording the heat of pid ${pid} every ${intervalMs} ms\n`);
    return;
  }
  const rec = session.recorders.heat;
  pid ??= rec?.pid;
  if (pid === undefined) throw new UsageError("Flag -heat needs -pid PID");
  let samples: readonly HeatSample[];
  let scale: HeatScale;
  if (rec && rec.pid === pid && rec.scale()) {
    samples = rec.samples();
    scale = rec.scale()!;
  } else {
    // Nothing recorded for it: the heatmap now, one column.
    const now = watchedHeats(session, pid);
    samples = [{ timeMs: session.opts.clock.now(), heats: now.heats }];
    scale = { heatMax: now.heatMax, classes: now.classes };
  }
  if (svg !== undefined) {
    writeHeatSvg(svg, pid, samples, scale);
    out(`picture: ${samples.length} heat samples of pid ${pid} written to ${svg}\n`);
    return;
  }
  out(heatBlocks(samples, pid, scale));
}

export const pictureCommand: PromptCommand = {
  name: "picture",
  description:
    "record pages per node (or -heat) over time; show them as blocks or write an SVG chart.",
  flags: [
    {
      name: "record",
      type: "bool",
      help: "start recording -pids (with -heat: -pid) every -interval-ms",
    },
    { name: "pids", type: "string", valueName: "PID[,PID...]", help: "processes to record" },
    {
      name: "heat",
      type: "bool",
      help: "the heat policy's heatmap of -pid instead (now, or as recorded)",
    },
    { name: "pid", type: "string", valueName: "PID", help: "with -heat: the process" },
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
    { name: "stop", type: "bool", help: "stop recording, -heat too (the samples stay)" },
  ],
  async run(ctx, f) {
    const { session, out } = ctx;
    const svg = stringFlag(f, "svg");
    if (svg !== undefined && !/\.svg$/i.test(svg)) {
      throw new UsageError(
        `Invalid -svg ${quoted(svg)}: expected a file name ending in .svg`,
      );
    }
    if (boolFlag(f, "stop")) {
      await session.recorders.nodePages?.stop();
      await session.recorders.heat?.stop();
      out("picture: recording stopped\n");
      return;
    }
    if (boolFlag(f, "heat")) return await runHeat(ctx, f, svg);
    if (stringFlag(f, "pid") !== undefined) {
      throw new UsageError("Flag -pid goes with -heat (pages per node take -pids PID[,PID...])");
    }
    if (boolFlag(f, "record")) {
      const pids = intListFlag(f, "pids", 1, PID_MAX, "a process id");
      if (!pids) throw new UsageError("Flag -record needs -pids PID[,PID...]");
      const intervalMs = intFlag(f, "interval-ms", 100, 3_600_000, "milliseconds") ?? 1000;
      await session.recorders.nodePages?.stop();
      const rec = new NodePagesRecorder({
        procfs: session.opts.procfs,
        clock: session.opts.clock,
        pids,
        intervalMs,
        ...(svg === undefined
          ? {}
          : { onSample: (samples) => writeSvg(svg, nodePagesSvg(samples, title(pids))) }),
        onError: (e) => session.logger.error(`picture: ${errorText(e)}`),
      });
      session.recorders.nodePages = rec;
      if (!rec.sample()) throw new UsageError(`Cannot record: none of pids ${pids} exists`);
      rec.start();
      out(`picture: recording pid ${pids.join(",")} every ${intervalMs} ms\n`);
      return;
    }
    const rec = session.recorders.nodePages;
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
