/**
 * `deno run --allow-read --allow-write tests/compare/report.ts RUNS_DIR`:
 * the `compare:` lines of every run in RUNS_DIR (VARIANT-CONTENDER.out,
 * .before, .after, .meta as tests/compare/lib.bash leaves them) and one chart
 * per variant, RUNS_DIR/hot-residency-VARIANT.svg.
 *
 * @module
 */
import {
  compareLine,
  figuresOf,
  parseCounters,
  parseSamples,
  parseWords,
  residencyChart,
} from "./figures.ts";

const dir = Deno.args[0];
if (dir === undefined) {
  console.error("usage: report.ts RUNS_DIR");
  Deno.exit(2);
}
const metas = [...Deno.readDirSync(dir)].filter((e) => e.name.endsWith(".meta")).map((e) => e.name)
  .sort();
const byVariant = new Map<string, { name: string; samples: ReturnType<typeof parseSamples> }[]>();
const order = (n: string) =>
  n.startsWith("none")
    ? 0
    : n.startsWith("kernel")
    ? 1
    : n === "damos"
    ? 2
    : n.startsWith("go")
    ? 3
    : 4;
const runs = metas.map((m) => {
  const tag = m.slice(0, -".meta".length);
  const meta = parseWords(Deno.readTextFileSync(`${dir}/${m}`));
  return { tag, meta, contender: meta.get("contender") ?? tag };
}).sort((a, b) => order(a.contender) - order(b.contender) || a.tag.localeCompare(b.tag));
for (const { tag, meta, contender } of runs) {
  const read = (ext: string) => {
    try {
      return Deno.readTextFileSync(`${dir}/${tag}.${ext}`);
    } catch {
      return "";
    }
  };
  const out = read("out");
  const samples = parseSamples(out);
  const end = out.split("\n").find((l) => l.startsWith("hotset: end ")) ?? "";
  const variant = meta.get("variant") ?? "?";
  const f = figuresOf(
    samples,
    Number(meta.get("shift")),
    parseCounters(read("before")),
    parseCounters(read("after")),
    end,
  );
  console.log(`compare: ${compareLine(variant, contender, f)}`);
  if (!byVariant.has(variant)) byVariant.set(variant, []);
  byVariant.get(variant)!.push({ name: contender, samples });
}
for (const [variant, series] of byVariant) {
  const meta = runs.find((x) => x.meta.get("variant") === variant)!.meta;
  const svg = residencyChart(
    `Hot set on the fast tier: ${variant === "read" ? "read-only" : "writing"} workload, ${
      meta.get("ws")
    } working set`,
    series,
    Number(meta.get("ttl")),
    Number(meta.get("shift")),
  );
  Deno.writeTextFileSync(`${dir}/hot-residency-${variant}.svg`, svg);
  console.log(`compare: chart ${dir}/hot-residency-${variant}.svg`);
}
