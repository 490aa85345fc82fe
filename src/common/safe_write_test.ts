import { assertEquals, assertThrows } from "../testing/assert.ts";
import { FileWriteError, openAppend, replaceFile } from "./safe_write.ts";

/** A folder any user may write to (as /shared would be), with a file of root's to protect. */
function sharedFolder() {
  const dir = Deno.makeTempDirSync({ prefix: "memtierd-shared-" });
  Deno.chmodSync(dir, 0o777);
  const victim = `${dir}/victim`;
  Deno.writeTextFileSync(victim, "root's secret\n");
  return {
    dir,
    victim,
    [Symbol.dispose]: () => Deno.removeSync(dir, { recursive: true }),
  };
}

function names(dir: string): string[] {
  return [...Deno.readDirSync(dir)].map((e) => e.name).sort();
}

Deno.test("replaceFile() does not write through a symlink planted at the old fixed temporary name", () => {
  using s = sharedFolder();
  Deno.symlinkSync(s.victim, `${s.dir}/chart.svg.tmp`);
  replaceFile("picture", `${s.dir}/chart.svg`, "<svg/>\n");
  assertEquals(Deno.readTextFileSync(s.victim), "root's secret\n");
  assertEquals(Deno.readTextFileSync(`${s.dir}/chart.svg`), "<svg/>\n");
  assertEquals(Deno.lstatSync(`${s.dir}/chart.svg.tmp`).isSymlink, true);
  assertEquals(names(s.dir), ["chart.svg", "chart.svg.tmp", "victim"]);
});

Deno.test("replaceFile() replaces a symlink at the target itself, leaving what it pointed to", () => {
  using s = sharedFolder();
  Deno.symlinkSync(s.victim, `${s.dir}/chart.svg`);
  replaceFile("picture", `${s.dir}/chart.svg`, "<svg/>\n");
  assertEquals(Deno.readTextFileSync(s.victim), "root's secret\n");
  assertEquals(Deno.lstatSync(`${s.dir}/chart.svg`).isFile, true);
  assertEquals(Deno.readTextFileSync(`${s.dir}/chart.svg`), "<svg/>\n");
});

Deno.test("replaceFile() into a missing folder, onto a folder or into /proc throws FileWriteError and leaves nothing", () => {
  using s = sharedFolder();
  assertThrows(
    () => replaceFile("picture", `${s.dir}/no/x.svg`, "<svg/>"),
    FileWriteError,
    `Cannot write picture "${s.dir}/no/x.svg": no such file or directory`,
  );
  Deno.mkdirSync(`${s.dir}/d.svg`);
  assertThrows(
    () => replaceFile("picture", `${s.dir}/d.svg`, "<svg/>"),
    FileWriteError,
    `Cannot write picture "${s.dir}/d.svg": is a directory`,
  );
  assertEquals(names(s.dir), ["d.svg", "victim"]);
  const e = assertThrows(
    () => replaceFile("picture", "/proc/self/x.svg", "<svg/>"),
    FileWriteError,
  );
  assertEquals(e.message.startsWith('Cannot write picture "/proc/self/x.svg": '), true);
});

/** Makes the symlink `link` belong to user `uid` (nobody: 65534), as if that user planted it. */
function chownLink(link: string, uid: number): void {
  const r = new Deno.Command("chown", { args: ["-h", String(uid), link] }).outputSync();
  assertEquals(r.code, 0, new TextDecoder().decode(r.stderr));
}

Deno.test("openAppend() appends to a file, creates a missing one, and refuses another user's symlink", () => {
  using s = sharedFolder();
  const log = `${s.dir}/trace`;
  for (const line of ["a\n", "b\n"]) {
    const f = openAppend("trace", log);
    f.writeSync(new TextEncoder().encode(line));
    f.close();
  }
  assertEquals(Deno.readTextFileSync(log), "a\nb\n");
  Deno.symlinkSync(s.victim, `${s.dir}/link`);
  chownLink(`${s.dir}/link`, 65534);
  assertThrows(
    () => openAppend("trace", `${s.dir}/link`),
    FileWriteError,
    `Cannot write trace "${s.dir}/link": it is a symbolic link of user 65534 (memtierd follows ` +
      "only its own user's)",
  );
  Deno.symlinkSync(`${s.dir}/none`, `${s.dir}/dangling`);
  chownLink(`${s.dir}/dangling`, 65534);
  assertThrows(() => openAppend("trace", `${s.dir}/dangling`), FileWriteError, "symbolic link");
  assertEquals(Deno.readTextFileSync(s.victim), "root's secret\n");
  assertEquals(names(s.dir), ["dangling", "link", "trace", "victim"]);
});

Deno.test("openAppend() follows a chain of its own user's symlinks, but not one with another user's link in it", () => {
  using s = sharedFolder();
  Deno.symlinkSync(s.victim, `${s.dir}/theirs`);
  chownLink(`${s.dir}/theirs`, 65534);
  Deno.symlinkSync(`${s.dir}/theirs`, `${s.dir}/mine-to-theirs`);
  assertThrows(
    () => openAppend("trace", `${s.dir}/mine-to-theirs`),
    FileWriteError,
    "it is a symbolic link of user 65534",
  );
  Deno.symlinkSync("victim", `${s.dir}/mine`);
  Deno.symlinkSync(`${s.dir}/mine`, `${s.dir}/mine-to-mine`);
  const f = openAppend("trace", `${s.dir}/mine-to-mine`);
  f.writeSync(new TextEncoder().encode("appended\n"));
  f.close();
  assertEquals(Deno.readTextFileSync(s.victim), "root's secret\nappended\n");
});

Deno.test("openAppend() refuses a FIFO (a write would wait for a reader) and accepts /dev/null", () => {
  using s = sharedFolder();
  const fifo = `${s.dir}/fifo`;
  const made = new Deno.Command("mkfifo", { args: [fifo] }).outputSync();
  assertEquals(made.code, 0);
  assertThrows(
    () => openAppend("log file", fifo),
    FileWriteError,
    `Cannot write log file "${fifo}": it is no regular file`,
  );
  openAppend("log file", "/dev/null").close();
});
