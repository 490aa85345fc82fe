import { SysFs } from "../sysfs/sys_fs.ts";
import { assertEquals } from "../testing/assert.ts";
import { FakeKernel } from "../testing/fake_kernel.ts";
import { fakeSystem } from "../testing/fake_system.ts";
import { ExitCode } from "../common/exit_codes.ts";
import { testEnv } from "./_test_env.ts";
import { runCli } from "./run.ts";

const hmat4 = new URL("../../tests/fixtures/sys-hmat4", import.meta.url).pathname;

async function run(args: string[]) {
  using sys = fakeSystem(new FakeKernel().addNode(0, 1000, [0]));
  const env = { ...testEnv(sys), sysfs: new SysFs({ root: hmat4 }) };
  const code = await runCli(args, env);
  return { code, out: env.stdout(), err: env.stderr() };
}

Deno.test("memtierd -tiers prints the HMAT VM's two tiers fastest first", async () => {
  const r = await run(["-tiers"]);
  assertEquals(r.code, ExitCode.OK);
  assertEquals(r.err, "");
  assertEquals(r.out.split("\n").slice(0, 6), [
    "2 memory tiers from the kernel (memory_tierN: a larger N is slower), fastest first:",
    "tier  node  cpus  free / total MB  latency r/w ns  bandwidth r/w MB/s  initiators",
    "   4     0  0       610.0 / 754.6           10/10         10240/10240  0",
    "         1  1       584.3 / 718.3           10/10         10240/10240  1",
    " 450     2  -       497.5 / 503.8         100/100           1024/1024  0",
    "         3  -       486.7 / 501.7         100/100           1024/1024  0",
  ]);
});

Deno.test("memtierd -tiers --output=json gives tier ids and their nodes", async () => {
  const r = await run(["-tiers", "--output=json"]);
  assertEquals(r.code, ExitCode.OK);
  const j = JSON.parse(r.out) as { tiers: { id: number; nodes: { node: number }[] }[] };
  assertEquals(j.tiers.map((t) => [t.id, t.nodes.map((n) => n.node)]), [[4, [0, 1]], [450, [
    2,
    3,
  ]]]);
});

Deno.test("memtierd -tiers refuses other flags and bad --output with one line and exit 2", async () => {
  const r = await run(["-tiers", "--pid=1"]);
  assertEquals(r.code, ExitCode.USAGE);
  assertEquals(r.err, "memtierd: Flag --pid does not go with -tiers (it takes only --output)\n");
  const o = await run(["-tiers", "--output=xml"]);
  assertEquals(o.code, ExitCode.USAGE);
  assertEquals(o.err, 'memtierd: Invalid --output "xml": expected text or json\n');
});
