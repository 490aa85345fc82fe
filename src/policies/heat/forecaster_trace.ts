/**
 * The `trace` heat forecaster: appends the heats it is shown to a file and
 * forecasts nothing (the measured heats stay). Each call adds a header
 * `table: heat forecast NS pid addr size heat created updated` and one row
 * per range: `PID ADDR(hex) SIZE(bytes) HEAT CREATED UPDATED`, times in ns
 * since the epoch, as the Go memtierd writes them. Config: `File`
 * (required; checked when the config is loaded: its folder must exist and
 * be writable, the file, if present, writable and reached through no other
 * user's symlink), `HideHeatZero` (leave out ranges of heat 0).
 *
 * @module
 */
import * as v from "valibot";
import { bool, nonEmptyString, parseWithSchema } from "../../config/schema.ts";
import { ConfigError } from "../../config/config_error.ts";
import { quoted } from "../../common/excerpt.ts";
import { PAGE_SIZE_BYTES } from "../../common/units.ts";
import {
  type FileLookup,
  FileWriteError,
  openAppend,
  realFileLookup,
  whyNotAppendable,
} from "../../common/safe_write.ts";
import type { ComponentDeps, ComponentFactory } from "../../lifecycle/deps.ts";
import type { HeatForecaster, Heats } from "../policy.ts";

const schema = v.strictObject({
  File: nonEmptyString("a file path"),
  HideHeatZero: v.optional(bool(), false),
});

export type TraceForecasterConfig = v.InferOutput<typeof schema>;

/**
 * Checks a raw trace config, and that its File can be appended to (looked
 * at on `fs`, not opened), so that a config naming a file memtierd cannot
 * write is refused at load, not failed every round.
 */
export function parseTraceForecasterConfig(
  raw: unknown,
  what: string,
  fs: FileLookup = realFileLookup,
): TraceForecasterConfig {
  const c = parseWithSchema(schema, raw, what);
  const why = whyNotAppendable(c.File, fs);
  if (why !== undefined) {
    throw new ConfigError({
      reason: `cannot write heat trace to ${quoted(c.File)}: ${why}`,
      keyPath: ["File"],
      component: what,
    });
  }
  return c;
}

/** Writes heats to a file, forecasts nothing. */
export class TraceForecaster implements HeatForecaster {
  readonly config: TraceForecasterConfig;
  #deps: Pick<ComponentDeps, "clock">;

  constructor(config: TraceForecasterConfig, deps: Pick<ComponentDeps, "clock">) {
    this.config = config;
    this.#deps = deps;
  }

  forecast(heats: Heats): null {
    const ns = (ms: number) => Math.round(ms * 1e6);
    const lines = [
      `table: heat forecast ${ns(this.#deps.clock.wallMs())} pid addr size heat created updated`,
    ];
    for (const [pid, ranges] of [...heats].sort((a, b) => a[0] - b[0])) {
      for (const r of ranges) {
        if (this.config.HideHeatZero && r.heat < 1e-9) continue;
        lines.push(
          `${pid} ${r.addr.toString(16)} ${r.lengthPages * PAGE_SIZE_BYTES} ${r.heat.toFixed(9)} ${
            ns(r.createdMs)
          } ${ns(r.updatedMs)}`,
        );
      }
    }
    // Not through another user's symlink: see common/safe_write.ts.
    const file = openAppend("heat trace to", this.config.File);
    try {
      const bytes = new TextEncoder().encode(lines.join("\n") + "\n");
      for (let off = 0; off < bytes.length;) off += file.writeSync(bytes.subarray(off));
    } catch (e) {
      throw new FileWriteError("heat trace to", this.config.File, e);
    } finally {
      file.close();
    }
    return null;
  }

  dump(): string {
    return `HeatForecasterTrace{config=${JSON.stringify(this.config)}}`;
  }
}

export const traceForecasterFactory: ComponentFactory<TraceForecasterConfig, HeatForecaster> = {
  description: "appends the heats to File each round, forecasts nothing",
  parse: (raw, what) => parseTraceForecasterConfig(raw, what),
  create: (config, deps) => new TraceForecaster(config, deps),
};
