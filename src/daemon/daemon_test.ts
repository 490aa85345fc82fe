import { ConfigError } from "../config/config_error.ts";
import { testDeps } from "../routines/_test_deps.ts";
import { assertEquals, assertIncludes, assertOk } from "../testing/assert.ts";
import { Daemon } from "./daemon.ts";

const GOOD = `policy:
  name: stub
routines:
  - name: statactions
    config: |
      intervalms: 100
      intervalcommand: [echo, tick-a]
`;
const GOOD2 = `routines:
  - name: statactions
    config: {intervalms: 300, intervalcommand: [echo, tick-b]}
`;
const BAD = `routines:
  - name: statactions
    config: {intervalms: 0, intervalcommand: [tick-c]}
`;

function setup(text: string) {
  const deps = testDeps();
  const files = { text };
  const started: string[][] = [];
  const daemon = new Daemon({
    file: "memtierd.yaml",
    readTextFile: (path) => {
      assertEquals(path, "memtierd.yaml");
      return files.text;
    },
    deps,
    onStarted: (tree) => started.push(tree.routines.map((r) => r.name)),
  });
  return { deps, files, daemon, started };
}

const yieldToLoop = () => new Promise((resolve) => setTimeout(resolve, 0));

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 10_000 && !cond(); i++) await yieldToLoop();
  assertOk(cond(), "condition not reached");
}

Deno.test("Daemon starts the config's policy and routines, and stop awaits every loop", async () => {
  const { deps, daemon } = setup(GOOD);
  await daemon.start();
  assertEquals(daemon.tree?.policy?.name, "stub");
  await until(() => deps.calls.length >= 3);
  assertEquals(deps.calls.slice(0, 3).map((c) => [c.command, c.atMs]), [
    ["echo tick-a", 100],
    ["echo tick-a", 200],
    ["echo tick-a", 300],
  ]);
  await daemon.stop();
  assertEquals(daemon.tree, null);
  const n = deps.calls.length;
  for (let i = 0; i < 20; i++) await yieldToLoop();
  assertEquals(deps.calls.length, n, "nothing runs after stop");
  assertEquals(deps.log, [
    "INFO: started policy stub and 1 routine(s) (statactions) from memtierd.yaml\n",
    "INFO: stopped policy and routines\n",
  ]);
});

Deno.test("Daemon reload with a good config swaps the tree", async () => {
  const { deps, files, daemon, started } = setup(GOOD);
  await daemon.start();
  await until(() => deps.calls.length >= 1);
  files.text = GOOD2;
  assertEquals(await daemon.reload(), true);
  const firstNew = deps.calls.length;
  await until(() => deps.calls.length >= firstNew + 2);
  assertEquals(deps.calls.slice(firstNew).map((c) => c.command), ["echo tick-b", "echo tick-b"]);
  assertEquals(daemon.tree?.policy, null);
  assertEquals(started.length, 2);
  assertEquals(
    deps.log.at(-1),
    "INFO: reloaded memtierd.yaml: running no policy and 1 routine(s) (statactions)\n",
  );
  await daemon.stop();
});

Deno.test("Daemon reload asked during the start runs after it; before any start it does nothing", async () => {
  const idle = setup(GOOD);
  assertEquals(await idle.daemon.reload(), false);
  assertEquals(idle.daemon.tree, null);
  assertEquals(idle.deps.log, []);
  const { deps, files, daemon, started } = setup(GOOD);
  const start = daemon.start();
  files.text = GOOD2;
  const reload = daemon.reload();
  await start;
  assertEquals(await reload, true);
  assertEquals(started.length, 2);
  assertEquals(
    deps.log.at(-1),
    "INFO: reloaded memtierd.yaml: running no policy and 1 routine(s) (statactions)\n",
  );
  await daemon.stop();
});

Deno.test("Daemon reload with a bad config logs one ERROR line and the old tree keeps running", async () => {
  const { deps, files, daemon } = setup(GOOD);
  await daemon.start();
  const before = daemon.tree;
  files.text = BAD;
  assertEquals(await daemon.reload(), false);
  assertEquals(daemon.tree, before);
  assertEquals(
    deps.log.at(-1),
    "ERROR: reload: memtierd.yaml:3: routines.0.config.intervalms: must be a whole number from 1 to 3600000 (got 0); the running configuration stays\n",
  );
  const n = deps.calls.length;
  await until(() => deps.calls.length >= n + 2);
  assertEquals(new Set(deps.calls.map((c) => c.command)), new Set(["echo tick-a"]));
  await daemon.stop();
});

Deno.test("Daemon start with a bad config throws and starts nothing", async () => {
  const { deps, daemon } = setup(BAD);
  const e = await daemon.start().then(() => undefined, (e) => e);
  assertOk(e instanceof ConfigError, `expected a ConfigError, got ${e}`);
  assertIncludes(e.message, "memtierd.yaml:3: routines.0.config.intervalms");
  assertEquals(daemon.tree, null);
  for (let i = 0; i < 5; i++) await yieldToLoop();
  assertEquals(deps.calls.length, 0);
});
