import { ConfigError } from "../../config/config_error.ts";
import { parseComponent } from "../../lifecycle/components.ts";
import type { ComponentDeps } from "../../lifecycle/deps.ts";
import { Logger } from "../../log/logger.ts";
import { assertEquals, assertIncludes, assertThrows } from "../../testing/assert.ts";
import { FakeClock } from "../../time/clock.ts";
import {
  heatsFromJson,
  heatsToJson,
  parseStdioForecasterConfig,
  StdioForecaster,
} from "./forecaster_stdio.ts";
import { fakeProgramHost } from "../../testing/fake_program_host.ts";
import { parseTraceForecasterConfig, TraceForecaster } from "./forecaster_trace.ts";
import type { FileLookup } from "../../common/safe_write.ts";
import { heatForecasters } from "./mod.ts";
import type { Heats } from "../policy.ts";

const HEATS: Heats = new Map([
  [42, [
    { addr: 0x10000, lengthPages: 16, heat: 0.5, createdMs: 1000, updatedMs: 3500 },
    { addr: 0x20000, lengthPages: 4, heat: 0, createdMs: 1000, updatedMs: 1000 },
  ]],
]);

const ANSWER = '{"7":[{"addr":8192,"length":2,"heat":0.25,"created":5000000,"updated":6000000}]}';
const FORECAST: Heats = new Map([
  [7, [{ addr: 8192, lengthPages: 2, heat: 0.25, createdMs: 5, updatedMs: 6 }]],
]);

/** `KEY.PATH: reason` of the ConfigError `f` throws. */
function configError(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof ConfigError) return e.message;
    throw e;
  }
  throw new Error("no ConfigError");
}

function logged() {
  let text = "";
  return { logger: new Logger((t) => text += t), text: () => text };
}

function stdio(script: string, extra: Record<string, unknown> = {}) {
  const log = logged();
  const f = new StdioForecaster(
    { Command: ["sh", "-c", script], Stderr: "", Retry: 0, TimeoutMs: 5000, ...extra },
    { logger: log.logger },
  );
  return { f, log: log.text };
}

function alive(pid: number): boolean {
  try {
    Deno.statSync(`/proc/${pid}`);
    return true;
  } catch {
    return false;
  }
}

Deno.test("stdio forecaster: heats go out as one JSON line with ns times, and come back the same way", () => {
  assertEquals(
    heatsToJson(HEATS),
    '{"42":[{"addr":65536,"length":16,"heat":0.5,"created":1000000000,"updated":3500000000},' +
      '{"addr":131072,"length":4,"heat":0,"created":1000000000,"updated":1000000000}]}',
  );
  assertEquals(heatsFromJson(heatsToJson(HEATS)), HEATS);
  // Keys in any case, created/updated optional.
  assertEquals(
    heatsFromJson('{"3":[{"Addr":4096,"Length":1,"Heat":1}]}'),
    new Map([[3, [{ addr: 4096, lengthPages: 1, heat: 1, createdMs: 0, updatedMs: 0 }]]]),
  );
  assertThrows(
    () => heatsFromJson("[1]"),
    SyntaxError,
    "expected a map of pid to a list of ranges",
  );
  assertThrows(() => heatsFromJson('{"x":[]}'), SyntaxError, '"x" is not a pid');
  assertThrows(
    () => heatsFromJson('{"3":[{"addr":1,"length":1}]}'),
    SyntaxError,
    'pid 3 range 0: "heat" must be a number from 0',
  );
});

Deno.test("stdio forecaster: the child reads the heats line and its answer is the forecast", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const { f, log } = stdio(`while read -r l; do echo "$l" >> ${dir}/in; echo '${ANSWER}'; done`);
    assertEquals(await f.forecast(HEATS), FORECAST);
    assertEquals(await f.forecast(new Map()), FORECAST);
    const pid = f.childPid!;
    await f.stop();
    assertEquals(alive(pid), false); // killed and reaped
    assertEquals(Deno.readTextFileSync(`${dir}/in`), heatsToJson(HEATS) + "\n{}\n");
    assertEquals(log(), "");
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("stdio forecaster: a child that exits is restarted up to Retry times, then it gives up", async () => {
  const { f, log } = stdio(`read -r l; echo '${ANSWER}'`, { Retry: 1 });
  assertEquals(await f.forecast(HEATS), FORECAST); // first child answers, exits
  assertEquals(await f.forecast(HEATS), FORECAST); // exit seen, second child answers
  assertEquals(await f.forecast(HEATS), null); // second exit: out of restarts
  assertEquals(await f.forecast(HEATS), null); // quiet from now on
  await f.stop();
  const name = "heat forecaster stdio (sh -c read -r l; echo '" + ANSWER + "')";
  assertEquals(
    log(),
    `ERROR: ${name}: the child exited with code 0; restarting it (0 restarts left)\n` +
      `ERROR: ${name}: the child exited with code 0; gave up after 1 restarts: no more forecasts\n`,
  );
  assertIncludes(f.dump(), "pid=none starts=2 answers=2 gave-up");
});

Deno.test("stdio forecaster: a bad answer is one log line and no forecast; the child stays", async () => {
  const { f, log } = stdio(`while read -r l; do echo 'not json'; done`);
  assertEquals(await f.forecast(HEATS), null);
  assertEquals(await f.forecast(HEATS), null);
  const pid = f.childPid!;
  assertEquals(alive(pid), true);
  await f.stop();
  assertEquals(alive(pid), false);
  const line = `ERROR: heat forecaster stdio (sh -c while read -r l; do echo 'not json'; done): ` +
    `bad answer: not JSON: "not json"; no forecast this round\n`;
  assertEquals(log(), line + line);
});

Deno.test("stdio forecaster: a child that hangs past TimeoutMs is killed, reaped and restarted next round", async () => {
  const { f, log } = stdio(`read -r l; exec sleep 30`, { TimeoutMs: 300, Retry: 1 });
  const t0 = performance.now();
  assertEquals(await f.forecast(HEATS), null);
  const waited = performance.now() - t0;
  assertEquals(waited >= 300 && waited < 3000, true, `waited ${waited} ms`);
  assertEquals(f.childPid, null);
  assertEquals(await f.forecast(HEATS), null); // the restarted child hangs too: gives up
  await f.stop();
  assertIncludes(log(), "no answer within 300 ms; restarting it (0 restarts left)\n");
  assertIncludes(log(), "no answer within 300 ms; gave up after 1 restarts: no more forecasts\n");
  assertIncludes(f.dump(), "starts=2 answers=0 gave-up");
});

Deno.test("stdio forecaster: a command that cannot start is one log line, never an exception", async () => {
  const log = logged();
  const f = new StdioForecaster(
    { Command: ["/nonexistent/forecaster"], Stderr: "", Retry: 3, TimeoutMs: 1000 },
    { logger: log.logger },
  );
  assertEquals(await f.forecast(HEATS), null);
  assertEquals(await f.forecast(HEATS), null);
  await f.stop();
  assertIncludes(
    log.text(),
    "ERROR: heat forecaster stdio (/nonexistent/forecaster): cannot start: ",
  );
  assertEquals(log.text().split("\n").length, 2);
});

Deno.test("stdio forecaster: Stderr file:PATH collects the child's stderr", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const { f } = stdio(`read -r l; echo "got a line" >&2; echo '{}'; exec sleep 30`, {
      Stderr: `file:${dir}/err.log`,
    });
    assertEquals(await f.forecast(HEATS), new Map());
    await f.stop();
    assertEquals(Deno.readTextFileSync(`${dir}/err.log`), "got a line\n");
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test('stdio forecaster config: Command is required, Stderr is "" or file:PATH', () => {
  const parse = (config: unknown) => parseComponent(heatForecasters, { name: "stdio", config });
  assertEquals(configError(() => parse({})), "config.Command: missing: this key is required");
  assertEquals(
    configError(() => parse({ command: [] })),
    "config.command: must be a list of strings: the program and its arguments (got a list)",
  );
  assertEquals(
    configError(() => parse({ command: ["x"], stderr: "/tmp/x" })),
    `config.stderr: must be "" (memtierd's own stderr) or "file:/path/to/file" (got "/tmp/x")`,
  );
  assertEquals(parse("command: [sh, b]\nretry: 2").config, {
    Command: ["sh", "b"],
    Stderr: "",
    Retry: 2,
    TimeoutMs: 5000,
  });
});

Deno.test("stdio forecaster config: a Command that cannot run or a Stderr file that cannot be written is refused at load", () => {
  const parse = (config: unknown) => parseComponent(heatForecasters, { name: "stdio", config });
  assertEquals(
    configError(() => parse({ command: ["/nonexistent/forecaster", "-x"] })),
    'config.Command: cannot run "/nonexistent/forecaster": no such file',
  );
  assertEquals(
    configError(() => parse({ command: ["sh"], stderr: "file:/nonexistent/err.log" })),
    'config.Stderr: cannot write stderr to "/nonexistent/err.log": folder "/nonexistent" does not exist',
  );
  const host = fakeProgramHost("/usr/bin", { "/usr/bin/predict": { kind: "file", mode: 0o644 } });
  const fs = fakeFiles({ "/home/u": { kind: "dir", mode: 0o555, uid: 1000 } });
  assertEquals(
    configError(() =>
      parseStdioForecasterConfig({ command: ["predict"] }, "heat forecaster stdio", host, fs)
    ),
    'heat forecaster stdio: Command: cannot run "predict": /usr/bin/predict is not executable (mode 644)',
  );
  const runnable = fakeProgramHost("/usr/bin", {
    "/usr/bin/predict": { kind: "file", mode: 0o755 },
  });
  assertEquals(
    configError(() =>
      parseStdioForecasterConfig(
        { command: ["predict"], stderr: "file:/home/u/err.log" },
        "heat forecaster stdio",
        runnable,
        fs,
      )
    ),
    'heat forecaster stdio: Stderr: cannot write stderr to "/home/u/err.log": no permission to create files in folder "/home/u"',
  );
});

Deno.test("trace forecaster: appends a header and one row per range, ns times; HideHeatZero drops heat 0", () => {
  const dir = Deno.makeTempDirSync();
  try {
    const clock = new FakeClock(0, 1_700_000_000_000);
    const file = `${dir}/trace`;
    const all = new TraceForecaster({ File: file, HideHeatZero: false }, { clock });
    assertEquals(all.forecast(HEATS), null);
    clock.advance(1500);
    new TraceForecaster({ File: file, HideHeatZero: true }, { clock }).forecast(HEATS);
    assertEquals(
      Deno.readTextFileSync(file),
      "table: heat forecast 1700000000000000000 pid addr size heat created updated\n" +
        "42 10000 65536 0.500000000 1000000000 3500000000\n" +
        "42 20000 16384 0.000000000 1000000000 1000000000\n" +
        "table: heat forecast 1700000001500000000 pid addr size heat created updated\n" +
        "42 10000 65536 0.500000000 1000000000 3500000000\n",
    );
    assertThrows(
      () =>
        new TraceForecaster({ File: `${dir}/no/such/dir`, HideHeatZero: false }, { clock })
          .forecast(HEATS),
      Error,
      `Cannot write heat trace to "${dir}/no/such/dir": `,
    );
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("chain forecaster: each gets the last forecast made; the chain returns the last one", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const log = logged();
    const clock = new FakeClock(0, 1_700_000_000_000);
    const spec = parseComponent(heatForecasters, {
      name: "chain",
      config: {
        forecasters: [
          { name: "trace", config: { file: `${dir}/before` } },
          {
            name: "stdio",
            config: { command: ["sh", "-c", `while read -r l; do echo '${ANSWER}'; done`] },
          },
          { name: "stub" },
          { name: "trace", config: { file: `${dir}/after` } },
        ],
      },
    });
    const chain = spec.factory.create(
      spec.config,
      { clock, logger: log.logger } as unknown as ComponentDeps,
    );
    assertEquals(await chain.forecast(HEATS), FORECAST);
    await chain.stop?.();
    const rows = (f: string) => Deno.readTextFileSync(`${dir}/${f}`).split("\n").slice(1, -1);
    assertEquals(rows("before"), [
      "42 10000 65536 0.500000000 1000000000 3500000000",
      "42 20000 16384 0.000000000 1000000000 1000000000",
    ]);
    assertEquals(rows("after"), ["7 2000 8192 0.250000000 5000000 6000000"]);
    assertEquals(log.text(), "");
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

/** A file in `fakeFiles`: its kind, permission bits, owner, and a symlink's target. */
interface FakeEntry {
  kind: "file" | "dir" | "link" | "chardev";
  mode: number;
  uid: number;
  target?: string;
}

/** A FileLookup over `entries` only, as user 1000 of group 1000. */
function fakeFiles(entries: Record<string, FakeEntry>): FileLookup {
  const info = (e: FakeEntry) =>
    ({
      isFile: e.kind === "file",
      isDirectory: e.kind === "dir",
      isSymlink: e.kind === "link",
      isCharDevice: e.kind === "chardev",
      isFifo: false,
      mode: e.mode,
      uid: e.uid,
      gid: e.uid,
    }) as Deno.FileInfo;
  const get = (p: string) => {
    const e = entries[p];
    if (e === undefined) throw new Deno.errors.NotFound(`No such file or directory: ${p}`);
    return e;
  };
  const lookup: FileLookup = {
    uid: 1000,
    gid: 1000,
    lstat: (p) => info(get(p)),
    stat: (p) => {
      const e = get(p);
      return e.kind === "link" ? lookup.stat(e.target!) : info(e);
    },
    readLink: (p) => get(p).target!,
  };
  return lookup;
}

Deno.test("trace forecaster config: a File memtierd cannot write is refused at load, with nothing opened", () => {
  const fs = fakeFiles({
    "/srv/traces": { kind: "dir", mode: 0o755, uid: 0 },
    "/var/log": { kind: "file", mode: 0o644, uid: 0 },
    "/tmp": { kind: "dir", mode: 0o1777, uid: 0 },
    "/tmp/heat": { kind: "link", mode: 0o777, uid: 1001, target: "/home/u/t.txt" },
    "/home/u": { kind: "dir", mode: 0o755, uid: 1000 },
    "/home/u/t.txt": { kind: "file", mode: 0o644, uid: 1000 },
    "/home/u/ro.txt": { kind: "file", mode: 0o444, uid: 1000 },
    "/home/u/sub": { kind: "dir", mode: 0o755, uid: 1000 },
    "/home/u/link": { kind: "link", mode: 0o777, uid: 1000, target: "t.txt" },
    "/home/u/dangling": { kind: "link", mode: 0o777, uid: 1000, target: "/gone" },
    "/dev/null": { kind: "chardev", mode: 0o666, uid: 0 },
  });
  const bad = (file: string) =>
    configError(() => parseTraceForecasterConfig({ file }, "heat forecaster trace", fs));
  const ok = (file: string) =>
    parseTraceForecasterConfig({ file }, "heat forecaster trace", fs).File;
  const prefix = "heat forecaster trace: File: cannot write heat trace to";
  assertEquals(
    bad("/srv/traces/heat.txt"),
    `${prefix} "/srv/traces/heat.txt": no permission to create files in folder "/srv/traces"`,
  );
  assertEquals(bad("/srv/no/heat"), `${prefix} "/srv/no/heat": folder "/srv/no" does not exist`);
  assertEquals(bad("/var/log/heat"), `${prefix} "/var/log/heat": "/var/log" is no folder`);
  assertEquals(
    bad("/tmp/heat"),
    `${prefix} "/tmp/heat": it is a symbolic link of user 1001 (memtierd follows only its own user's)`,
  );
  assertEquals(
    bad("/home/u/ro.txt"),
    `${prefix} "/home/u/ro.txt": no permission to write to it (mode 444, user 1000)`,
  );
  assertEquals(bad("/home/u/sub"), `${prefix} "/home/u/sub": it is no regular file`);
  assertEquals(
    bad("/home/u/dangling"),
    `${prefix} "/home/u/dangling": it is a symbolic link to a missing file`,
  );
  assertEquals(ok("/home/u/new.txt"), "/home/u/new.txt");
  assertEquals(ok("/tmp/new.txt"), "/tmp/new.txt");
  assertEquals(ok("/home/u/t.txt"), "/home/u/t.txt");
  assertEquals(ok("/home/u/link"), "/home/u/link");
  assertEquals(ok("/dev/null"), "/dev/null");
});

Deno.test("trace forecaster config: the real registry checks File too, naming the key path", () => {
  assertEquals(
    configError(() =>
      parseComponent(heatForecasters, { name: "trace", config: { file: "/nonexistent/trace" } })
    ),
    'config.File: cannot write heat trace to "/nonexistent/trace": folder "/nonexistent" does not exist',
  );
});

Deno.test("chain forecaster: a bad nested config names its place in the list", () => {
  assertEquals(
    configError(() =>
      parseComponent(heatForecasters, {
        name: "chain",
        config: { forecasters: [{ name: "stub" }, { name: "trace", config: {} }] },
      })
    ),
    "config.Forecasters.1.config.File: missing: this key is required",
  );
});
