/**
 * `tiers`: the memory tiers fastest first, and what a tier-naming node
 * setting (`slower`, `fastest`, ...) gives for one process.
 *
 * @module
 */
import { PID_MAX } from "../../common/limits.ts";
import { UsageError } from "../../errors.ts";
import { NODE_SPEC_HELP, parseNodeSpec, resolveNodes } from "../../tiers/node_spec.ts";
import { renderTiers } from "../../tiers/render.ts";
import { readTierTopology } from "../../tiers/tier_topology.ts";
import { formatIdList } from "../../sysfs/id_list.ts";
import { intFlag, type PromptCommand, stringFlag } from "../command.ts";

export const tiersCommand: PromptCommand = {
  name: "tiers",
  description: "print memory tiers fastest first; resolve a node setting for a process.",
  flags: [
    {
      name: "resolve",
      type: "string",
      valueName: "SPEC",
      help: `the nodes SPEC gives for -pid: ${NODE_SPEC_HELP}`,
    },
    { name: "pid", type: "string", valueName: "PID", help: "the process for -resolve" },
  ],
  run({ session, out }, f) {
    const { procfs, sysfs } = session.opts;
    const text = stringFlag(f, "resolve");
    const pid = intFlag(f, "pid", 1, PID_MAX, "a process id");
    if (text === undefined) {
      if (pid !== undefined) throw new UsageError("Flag -pid needs -resolve SPEC");
      sysfs.requireNuma();
      out(renderTiers(readTierTopology(sysfs)));
      return;
    }
    if (pid === undefined) throw new UsageError("Flag -resolve needs -pid PID");
    let spec;
    try {
      spec = parseNodeSpec(text, "-resolve");
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    const nodes = resolveNodes(spec, pid, { procfs, sysfs });
    out(
      `${text.trim()} for pid ${pid}: ${
        nodes.length ? `nodes ${formatIdList(nodes)}` : "no nodes"
      }\n`,
    );
  },
};
