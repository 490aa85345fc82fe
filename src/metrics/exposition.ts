/**
 * The Prometheus text exposition format (version 0.0.4): metric families
 * with their HELP and TYPE lines, then one line per sample,
 * `name{label="value",...} number`.
 *
 * Escaping follows the format's rules: in label values a backslash, a
 * double quote and a newline become `\\`, `\"` and `\n`; in HELP text a
 * backslash and a newline. Numbers are written as JavaScript writes them
 * (`1e+21` is valid Go float syntax too), with `NaN`, `+Inf` and `-Inf`
 * for the special values.
 *
 * @module
 */

/** The Content-Type of the text format. */
export const EXPOSITION_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** The metric types memtierd exposes. */
export type MetricType = "counter" | "gauge";

/** One sample: its labels in the order written, and its value. */
export interface Sample {
  readonly labels?: Readonly<Record<string, string | number>>;
  readonly value: number;
}

/** A metric family: a name, what it means, its type and its samples. */
export interface MetricFamily {
  readonly name: string;
  readonly help: string;
  readonly type: MetricType;
  readonly samples: readonly Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

function escapeHelp(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

/**
 * A sample value as the format writes it.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert";
 * import { formatValue } from "./exposition.ts";
 * strictEqual(formatValue(4096), "4096");
 * strictEqual(formatValue(0.25), "0.25");
 * strictEqual(formatValue(Infinity), "+Inf");
 * ```
 */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  return String(v);
}

/**
 * The text of `families`, in the order given; a family without samples
 * still gets its HELP and TYPE lines (Prometheus accepts that, and a
 * reader sees the metric exists). Throws `TypeError` for a name or label
 * name the format does not allow, or a counter whose name lacks `_total`.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert";
 * import { renderExposition } from "./exposition.ts";
 * const text = renderExposition([{
 *   name: "x_total", help: "Things.", type: "counter",
 *   samples: [{ labels: { a: 'say "hi"' }, value: 2 }],
 * }]);
 * strictEqual(text, '# HELP x_total Things.\n# TYPE x_total counter\nx_total{a="say \\"hi\\""} 2\n');
 * ```
 */
export function renderExposition(families: readonly MetricFamily[]): string {
  const lines: string[] = [];
  const seen = new Set<string>();
  for (const f of families) {
    if (!NAME.test(f.name)) throw new TypeError(`Invalid metric name ${JSON.stringify(f.name)}`);
    if (seen.has(f.name)) throw new TypeError(`Metric ${f.name} is written twice`);
    seen.add(f.name);
    if (f.type === "counter" && !f.name.endsWith("_total")) {
      throw new TypeError(`Counter ${f.name} must end in _total`);
    }
    lines.push(`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} ${f.type}`);
    for (const s of f.samples) {
      const pairs = Object.entries(s.labels ?? {}).map(([k, v]) => {
        if (!LABEL.test(k) || k.startsWith("__")) {
          throw new TypeError(`Invalid label name ${JSON.stringify(k)} in ${f.name}`);
        }
        return `${k}="${escapeLabelValue(String(v))}"`;
      });
      const labels = pairs.length > 0 ? `{${pairs.join(",")}}` : "";
      lines.push(`${f.name}${labels} ${formatValue(s.value)}`);
    }
  }
  return lines.length > 0 ? `${lines.join("\n")}\n` : "";
}
