import { assertEquals } from "../testing/assert.ts";
import { ExitCode } from "../common/exit_codes.ts";
import { type CliEnv, runCli } from "./run.ts";

/**
 * An environment in which touching the system fails the test: any use of
 * /proc, /sys, a system call, the clock, a log file, stdin or a shell
 * throws. Only `readTextFile` (of the files given) and the output work.
 */
function untouchableEnv(files: Record<string, string>) {
  let out = "";
  let err = "";
  const touched: string[] = [];
  const forbidden = (what: string) =>
    new Proxy({}, {
      get(_t, key) {
        touched.push(`${what}.${String(key)}`);
        throw new Error(`-check touched ${what}.${String(key)}`);
      },
    });
  const env = {
    program: "memtierd",
    procfs: forbidden("procfs"),
    sysfs: forbidden("sysfs"),
    syscalls: () => {
      touched.push("syscalls");
      throw new Error("-check made a system call");
    },
    now: () => {
      touched.push("now");
      throw new Error("-check read the clock");
    },
    clock: forbidden("clock"),
    out: (s: string) => void (out += s),
    err: (s: string) => void (err += s),
    progress: false,
    debug: false,
    stdinLines: () => Promise.reject(new Error("-check read stdin")),
    readTextFile: (path: string) => {
      const text = files[path];
      if (text === undefined) throw new Deno.errors.NotFound(`No such file: ${path}`);
      return text;
    },
    openLogFile: () => {
      throw new Error("-check opened a log file");
    },
    runShell: () => Promise.reject(new Error("-check ran a shell")),
    daemonSignals: () => {
      throw new Error("-check installed signal handlers");
    },
  } as unknown as CliEnv;
  return { env, stdout: () => out, stderr: () => err, touched };
}

// A class config of nri-plugins' own e2e test, rendered by the plugin; it
// names a policy with a nested pidwatcher and tracker and a routine.
const RENDERED = `policy:
  name: age
  config: |
    intervalms: 2000
    pidwatcher:
      name: cgroups
      config: |
        cgroups:
          - /sys/fs/cgroup/kubepods.slice/pod0/c0
    idledurationms: 3000
    idlenumas: [2]
    tracker:
      name: idlepage
      config: |
        pagesinregion: 256
        maxcountperregion: 1
        scanintervalms: 2000
    mover:
      intervalms: 20
      bandwidth: 200
routines:
  - name: statactions
    config: |
      intervalms: 60000
      intervalcommand: ["policy", "-dump", "accessed", "0,1m,30m,2h,24h,0"]
      intervalcommandrunner: memtier
`;

Deno.test("-config FILE -check prints FILE: ok and exits 0, touching nothing of the system", async () => {
  const t = untouchableEnv({ "/etc/memtierd/m.yaml": RENDERED });
  const code = await runCli(["-config", "/etc/memtierd/m.yaml", "-check"], t.env);
  assertEquals(
    { code, out: t.stdout(), err: t.stderr(), touched: t.touched },
    { code: ExitCode.OK, out: "/etc/memtierd/m.yaml: ok\n", err: "", touched: [] },
  );
});

Deno.test("-check reports a bad key deep in a nested config string as one line, exit 2", async () => {
  const bad = RENDERED.replace("scanintervalms: 2000", "scanintervalms: -1");
  const t = untouchableEnv({ "m.yaml": bad });
  const code = await runCli(["-check", "-config", "m.yaml"], t.env);
  assertEquals({ code, out: t.stdout(), touched: t.touched }, {
    code: ExitCode.USAGE,
    out: "",
    touched: [],
  });
  assertEquals(
    t.stderr(),
    "memtierd: m.yaml:17: policy.config.tracker.config.scanintervalms: " +
      "must be a whole number from 1 to 3600000 (got -1)\n",
  );
});

Deno.test("-check reports an unknown component and an unreadable file, exit 2", async () => {
  const t = untouchableEnv({ "m.yaml": "policy: {name: agee}\n" });
  assertEquals(await runCli(["-config", "m.yaml", "-check"], t.env), ExitCode.USAGE);
  assertEquals(
    await runCli(["-config", "gone.yaml", "-check"], t.env),
    ExitCode.USAGE,
  );
  assertEquals(
    t.stderr(),
    'memtierd: m.yaml:1: policy.name: unknown policy "agee" ' +
      "(available: age, avoid-oom, demote-idle, heat, ratio, stub)\n" +
      'memtierd: Cannot read config file "gone.yaml": No such file: gone.yaml\n',
  );
  assertEquals(t.touched, []);
});

Deno.test("-check reports a routine's program that cannot be run as one line with the key path, exit 2", async () => {
  const bad = RENDERED.replace(
    `intervalcommand: ["policy", "-dump", "accessed", "0,1m,30m,2h,24h,0"]
      intervalcommandrunner: memtier`,
    "intervalcommand: [/nonexistent/memtierd-report, -v]",
  );
  const t = untouchableEnv({ "m.yaml": bad });
  assertEquals(await runCli(["-config", "m.yaml", "-check"], t.env), ExitCode.USAGE);
  assertEquals(
    t.stderr(),
    'memtierd: m.yaml:25: routines.0.config.intervalcommand: cannot run "/nonexistent/memtierd-report": no such file\n',
  );
  assertEquals({ out: t.stdout(), touched: t.touched }, { out: "", touched: [] });
});

Deno.test("-check needs -config and takes nothing else", async () => {
  const t = untouchableEnv({ "m.yaml": RENDERED });
  assertEquals(await runCli(["-check"], t.env), ExitCode.USAGE);
  assertEquals(await runCli(["-config", "m.yaml", "-check", "-c", ""], t.env), ExitCode.USAGE);
  assertEquals(await runCli(["-config", "m.yaml", "-check", "-metrics", "9101"], t.env), 2);
  assertEquals(
    t.stderr(),
    "memtierd: Flag -check needs -config FILE: say which config file to check\n" +
      "memtierd: Flag -c does not go with -check (it takes only -config FILE)\n" +
      "memtierd: Flag -metrics does not go with -check (it takes only -config FILE)\n",
  );
  assertEquals(t.stdout(), "");
});
