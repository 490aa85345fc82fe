/**
 * Integration tests of the files bin/memtierd writes as root, against what
 * a hostile local user or a full disk can do to them: a symlink planted in
 * a folder other users may write, a picture to where no file can be. Each
 * must give one line and exit 1, and never write a file but the one named.
 */
import { assertEquals, assertOk } from "../../src/testing/assert.ts";

const BIN = new URL("../../bin/memtierd", import.meta.url).pathname;
const dec = new TextDecoder();
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
