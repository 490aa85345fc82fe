/**
 * The configs nri-plugins' memtierd plugin writes: every class of its
 * sample config, its Helm chart's ConfigMap and its e2e test
 * (tests/fixtures/nri-plugins/, verbatim), rendered as the plugin renders
 * them (plain text replacement of two variables), are accepted as written;
 * a template left unrendered is one error line.
 */
import YAML from "yaml";
import { ConfigError } from "../config/config_error.ts";
import { assertEquals, assertThrows } from "../testing/assert.ts";
import { parseDaemonConfig } from "./config_file.ts";
import { loadAllComponents } from "../_test_components.ts";

await loadAllComponents();

const FIXTURES = new URL("../../tests/fixtures/nri-plugins/", import.meta.url);
const CGROUP = "/sys/fs/cgroup/kubepods.slice/kubepods-pod0.slice/cri-containerd-c0.scope";
const CTRDIR = "/var/run/nri-memtierd/default/pod0/c0";

interface PluginClass {
  name: string;
  allowswap?: boolean;
  memtierdconfig?: string;
}

function classes(file: string): PluginClass[] {
  const text = Deno.readTextFileSync(new URL(file, FIXTURES));
  return (YAML.parse(text) as { classes: PluginClass[] }).classes;
}

/** What the plugin does to a template: replace each variable, as text. */
function render(template: string): string {
  return template.replaceAll("$CGROUP2_ABS_PATH", CGROUP)
    .replaceAll("$MEMTIERD_SWAP_STATS_PATH", `${CTRDIR}/memtierd.stats`);
}

/** The fields of a parsed config a person would check against the class. */
function summary(text: string) {
  const c = parseDaemonConfig(text, `${CTRDIR}/memtierd.config.yaml`);
  const p = c.policy!.config as {
    pidWatcher: { name: string; config: { Cgroups: string[] } };
    tracker: { name: string; config: { PagesInRegion: number; ScanIntervalMs: number } };
    Mover: { IntervalMs: number; Bandwidth: number };
    IntervalMs: number;
    SwapOutMs: number;
    IdleDurationMs: number;
    IdleNumas: number[];
  };
  return {
    policy: c.policy!.name,
    intervalMs: p.IntervalMs,
    pidwatcher: `${p.pidWatcher.name} ${p.pidWatcher.config.Cgroups.join(",")}`,
    tracker: `${p.tracker.name} pages ${p.tracker.config.PagesInRegion} every ` +
      `${p.tracker.config.ScanIntervalMs} ms`,
    mover: `${p.Mover.Bandwidth} MB/s every ${p.Mover.IntervalMs} ms`,
    swapOutMs: p.SwapOutMs,
    idle: `${p.IdleDurationMs} ms to [${p.IdleNumas.join(",")}]`,
    routines: c.routines.map((r) => {
      const rc = r.config as { IntervalMs: number; IntervalCommand: string[] };
      return `${r.name} every ${rc.IntervalMs} ms: ${rc.IntervalCommand.join(" ")}`;
    }),
  };
}

const swapIdleData = {
  policy: "age",
  intervalMs: 10000,
  pidwatcher: `cgroups ${CGROUP}`,
  tracker: "idlepage pages 512 every 10000 ms",
  mover: "50 MB/s every 20 ms",
  swapOutMs: 10000,
  idle: "0 ms to []",
  routines: [],
};
const trackWorkingSetSize = {
  policy: "age",
  intervalMs: 20000,
  pidwatcher: `cgroups ${CGROUP}`,
  tracker: "idlepage pages 512 every 20000 ms",
  mover: "100 MB/s every 10 ms",
  swapOutMs: 0,
  idle: "0 ms to []",
  routines: ["statactions every 60000 ms: policy -dump accessed 0,1m,30m,2h,24h,0"],
};

Deno.test("every class of nri-plugins' sample config is accepted as the plugin renders it", () => {
  const cs = classes("sample-configs.yaml");
  assertEquals(cs.map((c) => c.name), ["swap-idle-data", "track-working-set-size"]);
  assertEquals(cs.map((c) => summary(render(c.memtierdconfig!))), [
    swapIdleData,
    trackWorkingSetSize,
  ]);
});

Deno.test("every class of the plugin's Helm ConfigMap is accepted as the plugin renders it", () => {
  const cs = classes("helm-configmap.yaml");
  assertEquals(cs.map((c) => c.name), ["swap-idle-data", "track-working-set-size"]);
  assertEquals(cs.map((c) => summary(render(c.memtierdconfig!))), [
    swapIdleData,
    trackWorkingSetSize,
  ]);
});

Deno.test("the class of the plugin's e2e test: idle pages to node 2 after 3 s, 200 MB/s", () => {
  const cs = classes("e2e-move-idle.yaml");
  assertEquals(cs.map((c) => summary(render(c.memtierdconfig!))), [{
    policy: "age",
    intervalMs: 2000,
    pidwatcher: `cgroups ${CGROUP}`,
    tracker: "idlepage pages 256 every 2000 ms",
    mover: "200 MB/s every 20 ms",
    swapOutMs: 0,
    idle: "3000 ms to [2]",
    routines: [],
  }]);
});

Deno.test("a class template whose variables were not replaced is one error line naming the variable", () => {
  const file = "/var/run/nri-memtierd/default/pod0/c0/memtierd.config.yaml";
  const template = classes("e2e-move-idle.yaml")[0]!.memtierdconfig!;
  const e = assertThrows(() => parseDaemonConfig(template, file), ConfigError);
  assertEquals(
    e.message,
    `${file}:9: $CGROUP2_ABS_PATH is a variable of an nri-memtierd class template and was ` +
      "not replaced: write the container's cgroup v2 folder there",
  );
  const stats = `policy:
  name: stub
# $MEMTIERD_SWAP_STATS_PATH in a comment is no matter
routines:
  - name: statactions
    config: {intervalcommand: [cat, $MEMTIERD_SWAP_STATS_PATH]}
`;
  const e2 = assertThrows(() => parseDaemonConfig(stats, "m.yaml"), ConfigError);
  assertEquals(
    e2.message,
    "m.yaml:6: $MEMTIERD_SWAP_STATS_PATH is a variable of an nri-memtierd class template and " +
      "was not replaced: write the path of a stats file there",
  );
});
