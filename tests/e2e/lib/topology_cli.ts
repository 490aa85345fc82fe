/**
 * The command line of topology.ts, for tests/e2e/lib/vm.bash:
 *
 *   deno run tests/e2e/lib/topology_cli.ts qemu-args TOPOLOGY_JSON   one QEMU argument a line
 *   deno run tests/e2e/lib/topology_cli.ts describe TOPOLOGY_JSON    one line a node
 *   deno run tests/e2e/lib/topology_cli.ts totals TOPOLOGY_JSON      "NODES CPUS MEM_MIB"
 *
 * Exits 2 with one line on stderr when the topology is wrong.
 *
 * @module
 */
import { describeTopology, layoutTopology, parseTopology, qemuArgs } from "./topology.ts";
import { errorText } from "../../../src/common/error_text.ts";

function main(args: string[]): number {
  const [command, json] = args;
  if (!command || json === undefined || args.length !== 2) {
    console.error("usage: topology_cli.ts qemu-args|describe|totals TOPOLOGY_JSON");
    return 2;
  }
  try {
    const t = layoutTopology(parseTopology(json));
    switch (command) {
      case "qemu-args":
        console.log(qemuArgs(t).join("\n"));
        return 0;
      case "describe":
        console.log(describeTopology(t));
        return 0;
      case "totals":
        console.log(`${t.nodes.length} ${t.cpuCount} ${t.memMiB}`);
        return 0;
      default:
        console.error(`topology: unknown command ${JSON.stringify(command)}`);
        return 2;
    }
  } catch (e) {
    console.error(`topology: ${errorText(e)}`);
    return 2;
  }
}

if (import.meta.main) Deno.exit(main(Deno.args));
