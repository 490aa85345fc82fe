import { ConfigError } from "../config/config_error.ts";
import { MADV_PAGEOUT } from "../ffi/syscalls.ts";
import { StubPolicy } from "../policies/stub.ts";
import { renderStats } from "../stats/render.ts";
import { assertEquals, assertThrows } from "../testing/assert.ts";
import { fakeProgramHost } from "../testing/fake_program_host.ts";
import { testDeps } from "./_test_deps.ts";
import { parseStatActionsConfig, StatActions } from "./statactions.ts";

/** Runs `routine` until `rounds` ticks were counted, then stops it. */
async function runTicks(r: StatActions, deps: ReturnType<typeof testDeps>, rounds: number) {
  r.start();
  while (beats(deps, "RoutineStatActions.tick") < rounds) await yieldToLoop();
  await r.stop();
}

function beats(deps: ReturnType<typeof testDeps>, name: string): number {
  const row = renderStats(deps.stats, "csv", ["events"]).split("\n").find((l) =>
    l.endsWith(`,${name}`)
  );
  return row ? Number(row.split(",")[0]) : 0;
}

Deno.test("statactions runs IntervalCommand with exec every IntervalMs, first after one interval", async () => {
  const deps = testDeps();
  const r = new StatActions(
    parseStatActionsConfig({ intervalms: 250, intervalcommand: ["sh", "-c", "date"] }),
    deps,
  );
  await runTicks(r, deps, 3);
  assertEquals(deps.calls.map((c) => [c.runner, c.command, c.atMs]), [
    ["exec", "sh -c date", 250],
    ["exec", "sh -c date", 500],
    ["exec", "sh -c date", 750],
  ]);
  assertEquals(beats(deps, "RoutineStatActions.IntervalCommand"), 3);
  assertEquals(beats(deps, "RoutineStatActions.command.exec: sh... status: exit status 0"), 3);
  assertEquals(r.running, false);
});

Deno.test("statactions logs a command that exits non-zero once, and goes on", async () => {
  const deps = testDeps(3);
  const r = new StatActions(
    parseStatActionsConfig('{"IntervalMs": 10, "IntervalCommand": ["false"]}'),
    deps,
  );
  await runTicks(r, deps, 2);
  assertEquals(deps.log, ["ERROR: routines statactions intervalcommand: exit status 3\n"]);
  assertEquals(beats(deps, "RoutineStatActions.command.exec: false... status: exit status 3"), 2);
});

Deno.test("statactions logs a failure when it starts, a new one when it changes, and one line when the command works again", async () => {
  const deps = testDeps();
  const codes = [3, 3, 3, 4, 0, 0, 3];
  deps.exec = () => Promise.resolve({ code: codes.shift() ?? 0, signal: null });
  const r = new StatActions(
    parseStatActionsConfig(
      { intervalms: 200, intervalcommand: ["check-health"] },
      "statactions",
      fakeProgramHost("/usr/bin", { "/usr/bin/check-health": { kind: "file", mode: 0o755 } }),
    ),
    deps,
  );
  await runTicks(r, deps, 7);
  assertEquals(deps.log, [
    "ERROR: routines statactions intervalcommand: exit status 3\n",
    "ERROR: routines statactions intervalcommand: exit status 4\n",
    "INFO: routines statactions intervalcommand: works again after 4 failed rounds\n",
    "ERROR: routines statactions intervalcommand: exit status 3\n",
  ]);
});

Deno.test("statactions whose standard output is full logs it once at ERROR, and when it can write again", async () => {
  const deps = testDeps();
  let full = 5;
  deps.out = (t) => {
    if (full > 0) {
      full--;
      throw new Error("Cannot write to standard output: no space left on device (ENOSPC)");
    }
    deps.output.push(t);
  };
  const r = new StatActions(
    parseStatActionsConfig({
      intervalms: 200,
      intervalcommand: ["date"],
      timestamp: "unix.s\n",
    }),
    deps,
  );
  await runTicks(r, deps, 7);
  assertEquals(deps.log, [
    "ERROR: routines statactions intervalcommand: Cannot write to standard output: no space left on device (ENOSPC)\n",
    "INFO: routines statactions intervalcommand: works again after 5 failed rounds\n",
  ]);
  assertEquals(deps.output, ["1700000001\n", "ran date\n", "1700000001\n", "ran date\n"]);
});

Deno.test("statactions memtier runner: a prompt command failing every round is one ERROR line, and one when it works again", async () => {
  const deps = testDeps();
  let failing = 3;
  deps.prompt.runArgs = () =>
    Promise.resolve(
      failing-- > 0
        ? {
          code: 1,
          error: "stats: Cannot write to standard output: no space left on device (ENOSPC)",
        }
        : { code: 0, error: "" },
    );
  const r = new StatActions(
    parseStatActionsConfig({
      intervalms: 200,
      intervalcommandrunner: "memtier",
      intervalcommand: ["stats", "-t", "events"],
    }),
    deps,
  );
  await runTicks(r, deps, 5);
  assertEquals(deps.log, [
    "ERROR: routines statactions intervalcommand: stats: Cannot write to standard output: no space left on device (ENOSPC)\n",
    "INFO: routines statactions intervalcommand: works again after 3 failed rounds\n",
  ]);
  assertEquals(beats(deps, "RoutineStatActions.command.memtier: stats... status: 1"), 3);
  assertEquals(beats(deps, "RoutineStatActions.command.memtier: stats... status: 0"), 2);
});

Deno.test("statactions memtier and memtier-prompt runners get the routine's own policy", async () => {
  const deps = testDeps();
  const p1 = new StubPolicy();
  const p2 = new StubPolicy();
  const a = new StatActions(
    parseStatActionsConfig({
      intervalms: 100,
      intervalcommandrunner: "memtier",
      intervalcommand: ["stats", "-t", "events"],
    }),
    deps,
  );
  const b = new StatActions(
    parseStatActionsConfig({
      intervalms: 100,
      intervalcommandrunner: "memtier-prompt",
      intervalcommand: ["stats -t events | grep tick"],
    }),
    deps,
  );
  a.setPolicy(p1);
  b.setPolicy(p2);
  a.start();
  b.start();
  while (deps.calls.length < 4) await yieldToLoop();
  await Promise.all([a.stop(), b.stop()]);
  const policyOf = (
    runner: string,
  ) => [...new Set(deps.calls.filter((c) => c.runner === runner).map((c) => c.policy))];
  assertEquals(policyOf("memtier"), [p1]);
  assertEquals(policyOf("memtier-prompt"), [p2]);
  assertEquals(
    deps.calls.find((c) => c.runner === "memtier-prompt")?.command,
    "stats -t events | grep tick",
  );
  const memtier = beats(deps, "RoutineStatActions.command.memtier: stats... status: 0");
  const line = beats(
    deps,
    'RoutineStatActions.command.memtier-prompt: "stats -t events | grep tick" status: 0',
  );
  assertEquals(memtier + line, deps.calls.length);
});

Deno.test("statactions prints Timestamp before and TimestampAfter after the command", async () => {
  const deps = testDeps();
  const r = new StatActions(
    parseStatActionsConfig({
      intervalms: 1500,
      intervalcommandrunner: "memtier",
      intervalcommand: ["stats"],
      timestamp: "before duration.milli\n",
      timestampafter: "after unix.s\n",
    }),
    deps,
  );
  await runTicks(r, deps, 2);
  // FakeClock's epoch is 1,700,000,000,000 ms at time 0.
  assertEquals(deps.output, [
    "before 1.500\n",
    "memtier stats\n",
    "after 1700000002\n",
    "before 3.000\n",
    "memtier stats\n",
    "after 1700000003\n",
  ]);
});

Deno.test("statactions runs PageOutCommand each time PageOutMB more were paged out", async () => {
  const deps = testDeps();
  const r = new StatActions(
    parseStatActionsConfig({ intervalms: 100, pageoutmb: 2, pageoutcommand: ["echo", "paged"] }),
    deps,
  );
  deps.stats.recordMadvise(42, MADV_PAGEOUT, 10_000, 0); // before start: not counted
  r.start();
  const tick = async (n: number) => {
    const target = beats(deps, "RoutineStatActions.tick") + n;
    while (beats(deps, "RoutineStatActions.tick") < target) await yieldToLoop();
  };
  await tick(1);
  assertEquals(deps.calls.length, 0);
  deps.stats.recordMadvise(42, MADV_PAGEOUT, 256, 0); // 1 MB
  await tick(1);
  assertEquals(deps.calls.length, 0);
  deps.stats.recordMadvise(43, MADV_PAGEOUT, 256, 0); // 2 MB in all
  await tick(1);
  assertEquals(deps.calls.length, 1);
  await tick(2);
  assertEquals(deps.calls.length, 1, "the baseline moved to 2 MB");
  assertEquals(beats(deps, "RoutineStatActions.PageOutCommand"), 1);
  await r.stop();
});

Deno.test("statactions configs: defaults, and what is refused", () => {
  const c = parseStatActionsConfig("intervalcommand: [date]");
  assertEquals(c, {
    IntervalMs: 1000,
    IntervalCommand: ["date"],
    IntervalCommandRunner: "",
    PageOutMB: 0,
    PageOutCommand: [],
    PageOutCommandRunner: "",
    Timestamp: "",
    TimestampAfter: "",
  });
  const bad = (raw: unknown) =>
    assertThrows(() => parseStatActionsConfig(raw), ConfigError).message;
  assertEquals(
    bad({ intervalms: 5 }),
    "statactions: no actions: give intervalcommand or pageoutcommand (a list of strings)",
  );
  assertEquals(
    bad({ intervalcommand: ["a"], intervalcommandrunner: "bash" }),
    'statactions: intervalcommandrunner: must be one of exec, memtier, memtier-prompt (or "" for exec) (got "bash")',
  );
  assertEquals(
    bad({ pageoutcommand: ["a", "b"], pageoutcommandrunner: "memtier-prompt" }),
    "statactions: PageOutCommand: with runner memtier-prompt, must be a list of one string, a prompt line (got 2 strings)",
  );
  assertEquals(
    bad({ intervalcommand: [""] }),
    'statactions: IntervalCommand: must start with a program or command name (got "")',
  );
});

Deno.test("statactions configs refuse an exec program that cannot be started, naming the key", () => {
  const host = fakeProgramHost(
    "/usr/local/bin::/usr/bin",
    {
      "/usr/local/bin/report": { kind: "file", mode: 0o644 },
      "/usr/bin/report": { kind: "file", mode: 0o755 },
      "/usr/bin/date": { kind: "file", mode: 0o755 },
      "/usr/local/bin/notes": { kind: "file", mode: 0o644 },
      "/opt/tool": { kind: "file", mode: 0o700, uid: 1000, gid: 1000 },
      "/opt/shared": { kind: "file", mode: 0o750, uid: 1000, gid: 1000 },
      "/opt": { kind: "dir", mode: 0o755 },
      "/run/fifo": { kind: "fifo", mode: 0o777 },
    },
    1001,
    1000,
  );
  const parse = (raw: unknown) => parseStatActionsConfig(raw, "statactions", host);
  const bad = (raw: unknown) => assertThrows(() => parse(raw), ConfigError).message;
  assertEquals(
    bad({ intervalcommand: ["nosuch", "-x"] }),
    'statactions: IntervalCommand: cannot run "nosuch": not found in PATH',
  );
  assertEquals(
    bad({ pageoutcommand: ["/opt/missing"] }),
    'statactions: PageOutCommand: cannot run "/opt/missing": no such file',
  );
  assertEquals(
    bad({ intervalcommand: ["/opt/tool"], intervalcommandrunner: "exec" }),
    'statactions: IntervalCommand: cannot run "/opt/tool": is not executable (mode 700)',
  );
  assertEquals(
    bad({ intervalcommand: ["/opt"] }),
    'statactions: IntervalCommand: cannot run "/opt": is a directory',
  );
  assertEquals(
    bad({ intervalcommand: ["/run/fifo"] }),
    'statactions: IntervalCommand: cannot run "/run/fifo": is no regular file',
  );
  assertEquals(
    bad({ intervalcommand: ["notes"] }),
    'statactions: IntervalCommand: cannot run "notes": /usr/local/bin/notes is not executable (mode 644)',
  );
  // Found further on in PATH; a group member may run; prompt commands are no programs.
  assertEquals(parse({ intervalcommand: ["report"] }).IntervalCommand, ["report"]);
  assertEquals(parse({ intervalcommand: ["/opt/shared"] }).IntervalCommand, ["/opt/shared"]);
  assertEquals(
    parse({ intervalcommand: ["nosuch"], intervalcommandrunner: "memtier" }).IntervalCommand,
    ["nosuch"],
  );
  const root = fakeProgramHost(undefined, {
    "/usr/bin/date": { kind: "file", mode: 0o755 },
    "/opt/tool": { kind: "file", mode: 0o700, uid: 1000 },
  });
  assertEquals(parseStatActionsConfig({ intervalcommand: ["date"] }, "s", root).IntervalCommand, [
    "date",
  ]);
  assertEquals(
    parseStatActionsConfig({ intervalcommand: ["/opt/tool"] }, "s", root).IntervalCommand,
    ["/opt/tool"],
  );
});

/** Lets the routine's loop run (its FakeClock sleeps move time forward). */
function yieldToLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
