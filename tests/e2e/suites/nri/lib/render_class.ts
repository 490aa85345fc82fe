/**
 * Renders a class of an nri-memtierd plugin config as the plugin does
 * before it starts memtierd (cmd/plugins/memtierd/main.go, newMemtierdEnv):
 * the class's `memtierdconfig` string with `$CGROUP2_ABS_PATH` and
 * `$MEMTIERD_SWAP_STATS_PATH` replaced as plain text, nothing else.
 *
 *   deno run -R -E render_class.ts CLASSES.yaml                 the class names, one a line
 *   deno run -R -E render_class.ts CLASSES.yaml CLASS CGROUP CTRDIR   the config
 *
 * CLASSES.yaml is a plugin config (`classes: [{name, memtierdconfig}]`),
 * e.g. tests/fixtures/nri-plugins/sample-configs.yaml.
 *
 * @module
 */
import YAML from "yaml";

interface PluginConfig {
  classes?: { name?: string; memtierdconfig?: string }[];
}

/** The rendered config of `className`, for a container in `cgroup` whose run folder is `ctrDir`. */
function renderClass(
  pluginConfig: string,
  className: string,
  cgroup: string,
  ctrDir: string,
): string {
  const c = YAML.parse(pluginConfig) as PluginConfig;
  const cls = c.classes?.find((k) => k.name === className);
  if (!cls?.memtierdconfig) {
    console.error(
      `render_class.ts: the plugin config has no class ${className} with a memtierdconfig`,
    );
    Deno.exit(2);
  }
  return cls.memtierdconfig.replaceAll("$CGROUP2_ABS_PATH", cgroup)
    .replaceAll("$MEMTIERD_SWAP_STATS_PATH", `${ctrDir}/memtierd.stats`);
}

if (import.meta.main) {
  const [file, className, cgroup, ctrDir] = Deno.args;
  if (!file) {
    console.error("usage: render_class.ts CLASSES.yaml [CLASS CGROUP CTRDIR]");
    Deno.exit(2);
  }
  const text = Deno.readTextFileSync(file);
  if (className === undefined) {
    const c = YAML.parse(text) as PluginConfig;
    for (const k of c.classes ?? []) if (k.memtierdconfig) console.log(k.name);
  } else {
    Deno.stdout.writeSync(
      new TextEncoder().encode(renderClass(text, className, cgroup ?? "", ctrDir ?? "")),
    );
  }
}
