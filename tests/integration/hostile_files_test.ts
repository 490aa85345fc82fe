/**
 * Integration tests of the files bin/memtierd writes as root, against what
 * a hostile local user or a full disk can do to them: a symlink planted in
 * a folder other users may write, a log file system that fills while the
 * daemon runs (a 64 KiB tmpfs mounted here and unmounted after), a log
 * that cannot be written at all (`/dev/full`, `/proc/version`), a picture
 * to where no file can be. Each must give one line and exit 1, or keep
 * memtierd running, and never write a file but the one named.
 *
 * Needs root (mount). Every process started here is ended by its pid.
 */
import { assertEquals, assertOk } from "../../src/testing/assert.ts";

const BIN = new URL("../../bin/memtierd", import.meta.url).pathname;
const dec = new TextDecoder();
const enc = new TextEncoder();
const cacheDir = Deno.makeTempDirSync({ prefix: "memtierd-cache-" });
const ENV = { PATH: "/usr/bin:/bin", HOME: "/nonexistent", MEMTIERD_CACHE_DIR: cacheDir };

async function memtierd(...args: string[]) {
  const out = await new Deno.Command(BIN, {
    args,
    clearEnv: true,
    env: ENV,
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

function run(cmd: string, ...args: string[]): void {
  const r = new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).outputSync();
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(" ")}: ${dec.decode(r.stderr)}`);
}

/** A 64 KiB tmpfs, unmounted and removed at the end of the block. */
function smallTmpfs() {
  const dir = Deno.makeTempDirSync({ prefix: "memtierd-tmpfs-" });
  run("mount", "-t", "tmpfs", "-o", "size=64k,mode=0755", "tmpfs", dir);
  return {
    dir,
    /** Writes a file of zeros until the file system is full, or `bytes` are written. */
    fill(name: string, bytes = Infinity) {
      const f = Deno.openSync(`${dir}/${name}`, { write: true, create: true });
      const chunk = new Uint8Array(1024);
      try {
        for (let n = 0; n < bytes; n += 1024) {
          f.writeSync(chunk.subarray(0, Math.min(1024, bytes - n)));
        }
      } catch {
        // full
      } finally {
        f.close();
      }
    },
    [Symbol.dispose]() {
      run("umount", dir);
      Deno.removeSync(dir);
    },
  };
}

const noStackTrace = (stderr: string) => assertOk(!/Uncaught|^\s+at /m.test(stderr), stderr);

Deno.test("picture -svg does not write through a symlink at chart.svg.tmp in a folder any user may write", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "memtierd-shared-" });
  try {
    Deno.chmodSync(dir, 0o777);
    Deno.writeTextFileSync(`${dir}/victim`, "root's secret\n");
    Deno.symlinkSync(`${dir}/victim`, `${dir}/chart.svg.tmp`);
    const r = await memtierd(
      "-c",
      `picture -record -pids ${Deno.pid} -interval-ms 3600000\npicture -svg ${dir}/chart.svg`,
    );
    assertEquals(r.code, 0, r.stderr);
    assertEquals(Deno.readTextFileSync(`${dir}/victim`), "root's secret\n");
    assertOk(Deno.readTextFileSync(`${dir}/chart.svg`).startsWith("<svg"));
    assertEquals(Deno.lstatSync(`${dir}/chart.svg.tmp`).isSymlink, true);
    assertEquals([...Deno.readDirSync(dir)].map((e) => e.name).sort(), [
      "chart.svg",
      "chart.svg.tmp",
      "victim",
    ]);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("picture -svg to a missing folder, a folder or /proc/self is one line and exit 1", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "memtierd-picture-" });
  try {
    Deno.mkdirSync(`${dir}/d.svg`);
    const record = `picture -record -pids ${Deno.pid} -interval-ms 3600000\n`;
    const cases: [string, string][] = [
      [`${dir}/no/x.svg`, "no such file or directory"],
      [`${dir}/d.svg`, "is a directory"],
      ["/proc/self/x.svg", "no such file or directory"],
    ];
    for (const [path, reason] of cases) {
      const r = await memtierd("-c", `${record}picture -svg ${path}`);
      assertEquals(
        { code: r.code, stderr: r.stderr },
        {
          code: 1,
          stderr: `memtierd: picture: Cannot write picture ${JSON.stringify(path)}: ${reason}\n`,
        },
      );
    }
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("memtierd -c 'pages -pk 999999999999' is one usage line and exit 2", async () => {
  const r = await memtierd("-c", "pages -pk 999999999999");
  assertEquals({ code: r.code, stderr: r.stderr }, {
    code: 2,
    stderr: "memtierd: pages: Invalid -pk 999999999999: beyond the last page frame of this " +
      "machine (accepted: a page frame number within /proc/kpageflags)\n",
  });
});

Deno.test("-l to a log that cannot be written at start is one line and exit 1", async () => {
  using fs = smallTmpfs();
  fs.fill("filler");
  const cases: [string, string][] = [
    ["/dev/full", "no space left on device"],
    ["/proc/version", "input/output error"],
    [`${fs.dir}/memtierd.log`, "no space left on device"],
  ];
  for (const [path, reason] of cases) {
    const r = await memtierd("-l", path, "-c", "nop");
    assertEquals(
      { code: r.code, stderr: r.stderr },
      { code: 1, stderr: `memtierd: Cannot write log file ${JSON.stringify(path)}: ${reason}\n` },
    );
  }
});

Deno.test("a log file system that fills while memtierd runs: it keeps running, says so once, notes the lost lines", async () => {
  using fs = smallTmpfs();
  fs.fill("filler", 56 * 1024);
  const log = `${fs.dir}/memtierd.log`;
  const child = new Deno.Command(BIN, {
    args: ["-prompt", "-l", log],
    clearEnv: true,
    env: ENV,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stdin = child.stdin.getWriter();
  const stdout = child.stdout.getReader();
  let out = "";
  const until = async (marker: string) => {
    while (!out.includes(marker)) {
      const { value, done } = await stdout.read();
      if (done) throw new Error(`memtierd ended before ${marker}: ${out}`);
      out += dec.decode(value);
    }
  };
  // 100 lines of 600 bytes: 60 KiB into the 8 KiB left.
  const line = "x".repeat(580);
  await stdin.write(enc.encode(
    Array.from({ length: 100 }, (_, i) => `log -i ${i}:${line}\n`).join("") + "help\n",
  ));
  await until("[command] | <shell-command>");
  Deno.removeSync(`${fs.dir}/filler`);
  await stdin.write(enc.encode("log -i after\nq\n"));
  await stdin.close();
  for (let r = await stdout.read(); !r.done; r = await stdout.read()) out += dec.decode(r.value);
  const status = await child.status;
  const stderr = dec.decode((await new Response(child.stderr).arrayBuffer()) as ArrayBuffer);
  noStackTrace(stderr);
  assertEquals({ code: status.code, stderr }, {
    code: 0,
    stderr: `memtierd: WARN: Cannot write log file ${JSON.stringify(log)}: no space left on ` +
      "device; dropping log lines until it can be written again\n",
  });
  const text = Deno.readTextFileSync(log);
  const lines = text.split("\n");
  assertOk(lines[0]!.startsWith("INFO: memtierd 0.1.0 started (pid "), lines[0]);
  // 8 KiB left: the first line (about 40 bytes), lines 0-9 (588 bytes each)
  // and 10-12 (589) whole, 13 cut short where the disk filled; 13-99 dropped.
  const whole = lines.filter((l) => l.startsWith("INFO: ") && l.endsWith(line));
  assertEquals(whole.length, 13);
  assertEquals(whole[12]!.slice(0, 9), "INFO: 12:");
  assertOk(
    text.endsWith("\nWARN: log: 87 lines dropped (no space left on device)\nINFO: after\n"),
    text.slice(-300),
  );
});

Deno.test("-l /dev/stderr (root's link to /proc/self/fd/2, a pipe here) logs to stderr", async () => {
  const r = await memtierd("-l", "/dev/stderr", "-c", "log -i hi");
  assertEquals(r.code, 0);
  assertEquals(
    r.stderr.replace(/\(pid \d+\)/, "(pid N)"),
    "INFO: memtierd 0.1.0 started (pid N)\nINFO: hi\n",
  );
});

Deno.test("the daemon (-config) whose log file system fills keeps running its routine, warns once, and notes the lost lines when there is room", async () => {
  using fs = smallTmpfs();
  fs.fill("filler", 60 * 1024); // 4 KiB left
  const log = `${fs.dir}/memtierd.log`;
  const tick = `tick-${"x".repeat(200)}`;
  const config = `${fs.dir}/../memtierd-full-disk-${Deno.pid}.yaml`;
  Deno.writeTextFileSync(
    config,
    "routines:\n  - name: statactions\n    config: {intervalms: 10, " +
      `intervalcommandrunner: memtier-prompt, intervalcommand: ["log -i ${tick}"]}\n`,
  );
  try {
    const child = new Deno.Command(BIN, {
      args: ["-config", config, "-l", log],
      clearEnv: true,
      env: ENV,
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    let stderr = "";
    const reading = (async () => {
      for await (const chunk of child.stderr) stderr += dec.decode(chunk);
    })();
    let exited: Deno.CommandStatus | undefined;
    child.status.then((s) => exited = s);
    const waitFor = async (what: string, done: () => boolean) => {
      const end = Date.now() + 30_000;
      while (!done()) {
        if (exited || Date.now() > end) {
          throw new Error(`no ${what} (exited: ${JSON.stringify(exited)}): ${stderr}`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    const warning = `memtierd: WARN: Cannot write log file ${JSON.stringify(log)}: no space left ` +
      "on device; dropping log lines until it can be written again\n";
    await waitFor("warning", () => stderr.includes(warning));
    // A second of ticks (about 100) into the full disk: still running.
    await new Promise((r) => setTimeout(r, 1000));
    assertEquals(exited, undefined);
    Deno.removeSync(`${fs.dir}/filler`);
    const note = /\nWARN: log: (\d+) lines dropped \(no space left on device\)\nINFO: tick-x+\n/;
    await waitFor("note", () => note.test(Deno.readTextFileSync(log)));
    child.kill("SIGTERM");
    const status = await child.status;
    await reading;
    noStackTrace(stderr);
    assertEquals({ code: status.code, stderr }, { code: 0, stderr: warning });
    const lines = Deno.readTextFileSync(log).split("\n");
    assertEquals(lines[1], `INFO: started no policy and 1 routine(s) (statactions) from ${config}`);
    const dropped = Number(note.exec(lines.join("\n"))![1]);
    assertOk(dropped >= 1, `${dropped} lines dropped`);
    // Each line whole, cut short once where the disk filled, or the note.
    assertEquals(lines.slice(-2), ["INFO: stopped policy and routines", ""]);
    const odd = lines.slice(2, -2).filter((l) =>
      l !== `INFO: ${tick}` && !l.startsWith("WARN: log: ")
    );
    assertEquals(odd.length <= 1 && `INFO: ${tick}`.startsWith(odd[0] ?? ""), true, odd.join("\n"));
  } finally {
    Deno.removeSync(config);
  }
});
