import { SteppedClock } from "../routines/_test_deps.ts";
import { assertEquals, assertIncludes, assertOk } from "../testing/assert.ts";
import { FakeKernel } from "../testing/fake_kernel.ts";
import { fakeSystem } from "../testing/fake_system.ts";
import { testEnv } from "./_test_env.ts";
import { runCli } from "./run.ts";

const GOOD = `policy: {name: stub}
routines:
  - name: statactions
    config: |
      intervalms: 100
      intervalcommand: [echo, tick-a]
`;
const BAD = `policy: {name: stub}
routines:
  - name: statactions
    config: |
      intervalms: 100
      intervalcommand: [tick-c]
      intervalcomand: [typo]
`;
const GOOD2 = `routines:
  - {name: statactions, config: {intervalms: 100, intervalcommand: [echo, tick-b]}}
`;

const yieldToLoop = () => new Promise((resolve) => setTimeout(resolve, 0));
async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 10_000 && !cond(); i++) await yieldToLoop();
  assertOk(cond(), "condition not reached");
}

function daemonEnv() {
  const sys = fakeSystem(new FakeKernel().addNode(0, 1000, [0]));
  const env = testEnv(sys);
  const files = new Map<string, string>();
  const ran: string[] = [];
  const abort = new AbortController();
  const reloads: (() => void)[] = [];
  let closed = false;
  Object.assign(env, {
    clock: new SteppedClock(),
    readTextFile: (path: string) => {
      const text = files.get(path);
      if (text === undefined) throw new Deno.errors.NotFound(`No such file: ${path}`);
      return text;
    },
    exec: (argv: readonly string[]) => {
      ran.push(argv.join(" "));
      return Promise.resolve({ code: 0, signal: null });
    },
    daemonSignals: () => ({
      stop: abort.signal,
      onReload: (f: () => void) => reloads.push(f),
      close: () => void (closed = true),
    }),
  });
  return {
    sys,
    env,
    files,
    ran,
    stop: () => abort.abort(),
    hup: () => reloads.forEach((f) => f()),
    closed: () => closed,
  };
}

Deno.test("memtierd -config stays up; SIGHUP reloads, a bad file keeps the old; SIGTERM exits 0", async () => {
  const d = daemonEnv();
  using _ = d.sys;
  d.files.set("memtierd.yaml", GOOD);
  const exit = runCli(["-config", "memtierd.yaml"], d.env);
  await until(() => d.ran.length >= 2);
  d.files.set("memtierd.yaml", BAD);
  d.hup();
  await until(() => d.env.stderr().includes("ERROR: reload"));
  const n = d.ran.length;
  await until(() => d.ran.length >= n + 2);
  assertEquals(new Set(d.ran), new Set(["echo tick-a"]));
  d.files.set("memtierd.yaml", GOOD2);
  d.hup();
  await until(() => d.ran.includes("echo tick-b"));
  d.stop();
  assertEquals(await exit, 0);
  assertOk(d.closed(), "signal handlers removed");
  assertEquals(d.env.stderr().split("\n"), [
    "INFO: started policy stub and 1 routine(s) (statactions) from memtierd.yaml",
    "ERROR: reload: memtierd.yaml:7: routines.0.config.intervalcomand: unknown key (accepted: IntervalMs, IntervalCommand, IntervalCommandRunner, PageOutMB, PageOutCommand, PageOutCommandRunner, Timestamp, TimestampAfter); the running configuration stays",
    "INFO: reloaded memtierd.yaml: running no policy and 1 routine(s) (statactions)",
    "INFO: stopped policy and routines",
    "",
  ]);
});

Deno.test("memtierd -config with a bad file exits 2 with one line naming file, line and key path", async () => {
  const d = daemonEnv();
  using _ = d.sys;
  d.files.set("m.yaml", "policy:\n  name: agee\n");
  assertEquals(await runCli(["-config", "m.yaml"], d.env), 2);
  assertEquals(
    d.env.stderr(),
    'memtierd: m.yaml:2: policy.name: unknown policy "agee" (available: age, avoid-oom, demote-idle, heat, ratio, stub)\n',
  );
  assertEquals(await runCli(["-config", "none.yaml"], d.env), 2);
  assertIncludes(
    d.env.stderr(),
    'memtierd: Cannot read config file "none.yaml": No such file: none.yaml\n',
  );
});

Deno.test("-config runs before -c, and the prompt gets the config's policy and routines", async () => {
  const d = daemonEnv();
  using _ = d.sys;
  d.files.set("m.yaml", GOOD);
  const exit = runCli(["-config", "m.yaml", "-c", "routines -dump\npolicy -config-dump"], d.env);
  await until(() => d.env.stdout().includes("{}"));
  d.stop();
  assertEquals(await exit, 0);
  assertEquals(d.env.stdout(), 'routine "statactions": running=true\n\n{}\n');
});
