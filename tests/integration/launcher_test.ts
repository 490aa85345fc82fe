/**
 * Integration tests of the self-extracting launcher (tools/sfx/launcher.c)
 * in the built bin/memtierd: its cache check compares cheap identifiers, and
 * a cached file changed after extraction is extracted again, never run;
 * first starts at once take turns on the cache folder's lock.
 * Skipped when the build took the `deno compile` route (no launcher then).
 */
import { assertEquals, assertIncludes, assertOk } from "../../src/testing/assert.ts";

const BIN = new URL("../../bin/memtierd", import.meta.url).pathname;
const dec = new TextDecoder();

function selfExtracting(): boolean {
  const file = Deno.openSync(BIN);
  try {
    const size = file.statSync().size;
    const tail = new Uint8Array(184);
    file.seekSync(size - tail.length, Deno.SeekMode.Start);
    file.readSync(tail);
    return dec.decode(tail.subarray(0, 15)) === "MEMTIERD-SFX-v3";
  } finally {
    file.close();
  }
}

async function version(cacheDir: string) {
  const out = await new Deno.Command(BIN, {
    args: ["--version"],
    clearEnv: true,
    env: { PATH: "/usr/bin:/bin", HOME: "/nonexistent", MEMTIERD_CACHE_DIR: cacheDir },
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

function cachedProgram(cacheDir: string): string {
  const name = [...Deno.readDirSync(cacheDir)].map((e) => e.name).find((n) =>
    n.startsWith("memtierd-") && n.endsWith(".js")
  );
  assertOk(name !== undefined, `no memtierd-*.js in ${cacheDir}`);
  return `${cacheDir}/${name}`;
}

Deno.test({
  name: "the launcher re-extracts a cached program changed in place to the same size",
  ignore: !selfExtracting(),
  async fn() {
    const cacheDir = Deno.makeTempDirSync({ prefix: "memtierd-cache-" });
    try {
      assertEquals((await version(cacheDir)).code, 0);
      const program = cachedProgram(cacheDir);
      const original = Deno.readTextFileSync(program);
      const tampered = original.replace("Cannot load chunk", "CANNOT LOAD CHUNK");
      assertOk(tampered !== original && tampered.length === original.length);
      Deno.writeTextFileSync(program, tampered);
      const r = await version(cacheDir);
      assertEquals(r.code, 0, r.stderr);
      assertIncludes(r.stdout, "memtierd version information:");
      assertEquals(Deno.readTextFileSync(program), original);
    } finally {
      Deno.removeSync(cacheDir, { recursive: true });
    }
  },
});

Deno.test({
  name: "the launcher re-extracts the program's chunks changed in place to the same size",
  ignore: !selfExtracting(),
  async fn() {
    const cacheDir = Deno.makeTempDirSync({ prefix: "memtierd-cache-" });
    try {
      // -check loads the chunks of the config reader and of its policy.
      const config = `${cacheDir}/stub.yaml`;
      Deno.writeTextFileSync(config, "policy: {name: stub}\n");
      const check = () =>
        new Deno.Command(BIN, {
          args: ["-config", config, "-check"],
          clearEnv: true,
          env: { PATH: "/usr/bin:/bin", HOME: "/nonexistent", MEMTIERD_CACHE_DIR: cacheDir },
          stdout: "piped",
          stderr: "piped",
        }).output();
      assertEquals((await check()).code, 0);
      const chunks = cachedProgram(cacheDir).replace(/\.js$/, ".chunks");
      const original = Deno.readFileSync(chunks);
      Deno.writeFileSync(chunks, new Uint8Array(original.length).fill(0x20));
      const r = await check();
      assertEquals(r.code, 0, dec.decode(r.stderr));
      assertEquals(dec.decode(r.stdout), `${config}: ok\n`);
      assertEquals(Deno.readFileSync(chunks), original);
    } finally {
      Deno.removeSync(cacheDir, { recursive: true });
    }
  },
});

Deno.test({
  name: "the launcher writes again the module that runs the program when it was changed in place",
  ignore: !selfExtracting(),
  async fn() {
    const cacheDir = Deno.makeTempDirSync({ prefix: "memtierd-cache-" });
    try {
      assertEquals((await version(cacheDir)).code, 0);
      const entry = cachedProgram(cacheDir).replace(/\.js$/, ".mjs");
      const original = Deno.readTextFileSync(entry);
      const tampered = original.replace("readTextFileSync", "readTextFileSynX");
      assertOk(tampered !== original && tampered.length === original.length);
      Deno.writeTextFileSync(entry, tampered);
      const r = await version(cacheDir);
      assertEquals(r.code, 0, r.stderr);
      assertIncludes(r.stdout, "memtierd version information:");
      assertEquals(Deno.readTextFileSync(entry), original);
    } finally {
      Deno.removeSync(cacheDir, { recursive: true });
    }
  },
});

Deno.test({
  name: "the launcher keeps an unchanged cache: a second start extracts nothing",
  ignore: !selfExtracting(),
  async fn() {
    const cacheDir = Deno.makeTempDirSync({ prefix: "memtierd-cache-" });
    try {
      assertEquals((await version(cacheDir)).code, 0);
      const before = [...Deno.readDirSync(cacheDir)].filter((e) => e.isFile).map((e) => {
        const st = Deno.statSync(`${cacheDir}/${e.name}`);
        return `${e.name} ${st.ino} ${st.mtime?.getTime()}`;
      }).sort();
      // The runtime, the program, its chunks, the module that runs it and their .id files.
      assertEquals(before.length, 8, before.join("\n"));
      assertEquals((await version(cacheDir)).code, 0);
      const after = [...Deno.readDirSync(cacheDir)].filter((e) => e.isFile).map((e) => {
        const st = Deno.statSync(`${cacheDir}/${e.name}`);
        return `${e.name} ${st.ino} ${st.mtime?.getTime()}`;
      }).sort();
      assertEquals(after, before);
    } finally {
      Deno.removeSync(cacheDir, { recursive: true });
    }
  },
});

function libraryFolder(cacheDir: string): string {
  const name = [...Deno.readDirSync(cacheDir)].map((e) => e.name).find((n) => n.endsWith(".lib"));
  assertOk(name !== undefined, `no deno-*.lib in ${cacheDir}`);
  return `${cacheDir}/${name}`;
}

Deno.test({
  name: "the launcher re-extracts a carried library changed in place, never loads it",
  ignore: !selfExtracting(),
  async fn() {
    const cacheDir = Deno.makeTempDirSync({ prefix: "memtierd-cache-" });
    try {
      assertEquals((await version(cacheDir)).code, 0);
      const libc = `${libraryFolder(cacheDir)}/libc.so.6`;
      const original = Deno.readFileSync(libc);
      // A libc that cannot be loaded: its ELF header zeroed, same size.
      const broken = original.slice();
      broken.fill(0, 0, 64);
      Deno.writeFileSync(libc, broken);
      const r = await version(cacheDir);
      assertEquals(r.code, 0, r.stderr);
      assertIncludes(r.stdout, "memtierd version information:");
      assertEquals(Deno.readFileSync(libc), original);
    } finally {
      Deno.removeSync(cacheDir, { recursive: true });
    }
  },
});

Deno.test({
  name: "the launcher refuses a library folder that others can write to",
  ignore: !selfExtracting(),
  async fn() {
    const cacheDir = Deno.makeTempDirSync({ prefix: "memtierd-cache-" });
    try {
      assertEquals((await version(cacheDir)).code, 0);
      const lib = libraryFolder(cacheDir);
      Deno.chmodSync(lib, 0o777);
      const r = await version(cacheDir);
      assertEquals(r.stdout, "");
      assertEquals(
        r.stderr,
        `memtierd: cannot start: the cache's library folder is not a private folder of this user: ${lib}\n`,
      );
      assertEquals(r.code, 70);
    } finally {
      Deno.removeSync(cacheDir, { recursive: true });
    }
  },
});

Deno.test({
  name: "a first start waits for one that holds the cache folder's lock, then extracts nothing",
  ignore: !selfExtracting(),
  async fn() {
    const cacheDir = Deno.makeTempDirSync({ prefix: "memtierd-cache-" });
    const held = Deno.openSync(cacheDir, { read: true });
    try {
      // As a first start that is extracting holds it (tools/sfx/launcher.c).
      held.lockSync(true);
      const child = new Deno.Command(BIN, {
        args: ["--version"],
        clearEnv: true,
        env: { PATH: "/usr/bin:/bin", HOME: "/nonexistent", MEMTIERD_CACHE_DIR: cacheDir },
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      // The kernel lists a start blocked on the lock as "N: -> FLOCK ... WRITE PID ...".
      const waiting = new RegExp(`^\\d+: -> FLOCK\\s+ADVISORY\\s+WRITE\\s+${child.pid}\\s`, "m");
      let exited = false;
      child.status.then(() => exited = true);
      while (!waiting.test(Deno.readTextFileSync("/proc/locks"))) {
        assertOk(!exited, "the start ran without waiting for the cache folder's lock");
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      assertEquals([...Deno.readDirSync(cacheDir)].map((e) => e.name), []);
      held.unlockSync();
      const out = await child.output();
      assertEquals(out.code, 0, dec.decode(out.stderr));
      assertIncludes(dec.decode(out.stdout), "memtierd version information:");
    } finally {
      held.close();
      Deno.removeSync(cacheDir, { recursive: true });
    }
  },
});
