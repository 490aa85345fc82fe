/**
 * Builds one self-contained executable from a Deno program.
 *
 *   deno run -A tools/build.ts NAME ENTRY OUTPUT
 *
 * Route 1, `deno compile`: taken when Deno's `denort` runtime is at hand,
 * either named by $DENORT_BIN or already in Deno's download cache.
 * Route 2, self-extracting file: otherwise. The program is bundled with
 * code splitting: an entry, and chunks for what it imports with `import()`
 * (tools/chunks.ts turns them into function bodies read from one `.chunks`
 * file only when imported). tools/sfx/launcher.c (built statically) carries
 * the entry and the chunks together with the zstd-compressed Deno runtime,
 * the runtime's ELF interpreter and every shared library it links (from
 * this host, as `ldd` lists them): the result needs no libc on the target.
 * The launcher runs the program as the body of an async function, so the
 * bundle may hold no `import`, `export` or `import.meta` (checked here).
 * See that file's header.
 *
 * Either way the result is one file that needs no Deno on the target, and
 * the build prints which route it took.
 */

import { chunkBody, chunkFile, loaderPrelude, refuseMutableExports } from "./chunks.ts";

const SFX_MAGIC = "MEMTIERD-SFX-v3";
const TRAILER_BYTES = 16 + 9 * 8 + 3 * 32;
/** One `struct lib` of the launcher's library index. */
const LIB_ENTRY_BYTES = 48 + 3 * 8;
const MAX_LIBS = 32;

async function run(cmd: string, args: string[], env?: Record<string, string>) {
  const out = await new Deno.Command(cmd, {
    args,
    stdout: "inherit",
    stderr: "inherit",
    ...(env ? { env } : {}),
  }).output();
  if (!out.success) {
    throw new Error(`Cannot build: ${cmd} ${args.join(" ")} exited with ${out.code}`);
  }
}

async function capture(cmd: string, args: string[]): Promise<string> {
  try {
    const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "null" }).output();
    return out.success ? new TextDecoder().decode(out.stdout).trim() : "";
  } catch {
    return "";
  }
}

async function sha256Hex(data: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", data as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Where `deno compile` would find a cached denort, if it has one. */
function cachedDenort(): string | undefined {
  const home = Deno.env.get("HOME") ?? "";
  const denoDir = Deno.env.get("DENO_DIR") ??
    `${Deno.env.get("XDG_CACHE_HOME") ?? `${home}/.cache`}/deno`;
  const zip = `${denoDir}/dl/release/v${Deno.version.deno}/denort-x86_64-unknown-linux-gnu.zip`;
  return exists(zip) ? zip : undefined;
}

function trailer(fields: {
  runtimeOffset: number;
  runtimeZsize: number;
  runtimeSize: number;
  libsOffset: number;
  libsCount: number;
  programOffset: number;
  programSize: number;
  chunksOffset: number;
  chunksSize: number;
  runtimeId: string;
  programId: string;
  programName: string;
}): Uint8Array {
  const buf = new Uint8Array(TRAILER_BYTES);
  const view = new DataView(buf.buffer);
  const enc = new TextEncoder();
  buf.set(enc.encode(SFX_MAGIC), 0);
  const ints = [
    fields.runtimeOffset,
    fields.runtimeZsize,
    fields.runtimeSize,
    fields.libsOffset,
    fields.libsCount,
    fields.programOffset,
    fields.programSize,
    fields.chunksOffset,
    fields.chunksSize,
  ];
  ints.forEach((v, i) => view.setBigUint64(16 + i * 8, BigInt(v), true));
  const strings = [fields.runtimeId, fields.programId, fields.programName];
  strings.forEach((s, i) => {
    const bytes = enc.encode(s);
    if (bytes.length >= 32) throw new Error(`Cannot build: trailer string too long: ${s}`);
    buf.set(bytes, 16 + ints.length * 8 + i * 32);
  });
  return buf;
}

async function writeEntry(name: string, entry: string): Promise<string> {
  const dir = `build/${name}`;
  await Deno.mkdir(dir, { recursive: true });
  const describe = await capture("git", ["describe", "--always", "--dirty", "--tags"]);
  const buildId = describe || "unknown";
  await Deno.writeTextFile(
    `${dir}/build_info.ts`,
    `(globalThis as { __MEMTIERD_BUILD__?: string }).__MEMTIERD_BUILD__ = ${
      JSON.stringify(buildId)
    };\n`,
  );
  const rel = `../../${entry}`;
  await Deno.writeTextFile(
    `${dir}/entry.ts`,
    `import "./build_info.ts";\nimport { runMain } from ${
      JSON.stringify(rel)
    };\nawait runMain();\n`,
  );
  return `${dir}/entry.ts`;
}

async function buildCompiled(entry: string, output: string, denort?: string) {
  const env: Record<string, string> = denort ? { DENORT_BIN: denort } : {};
  await run(Deno.execPath(), [
    "compile",
    "-A",
    "--quiet",
    "--no-check",
    "--output",
    output,
    entry,
  ], env);
  console.log(
    `${output}: route deno compile (denort: ${denort ?? "from Deno's download cache"})`,
  );
}

async function buildLauncher(): Promise<string> {
  const src = "tools/sfx/launcher.c";
  const out = "build/sfx/launcher";
  await Deno.mkdir("build/sfx", { recursive: true });
  const srcTime = Deno.statSync(src).mtime?.getTime() ?? 0;
  const outTime = exists(out) ? Deno.statSync(out).mtime?.getTime() ?? 0 : -1;
  if (outTime < srcTime) {
    await run(Deno.env.get("CC") ?? "cc", [
      "-static",
      "-O2",
      "-Wall",
      "-Wextra",
      "-o",
      out,
      src,
      "-l:libzstd.a",
    ]);
    await run("strip", [out]);
  }
  return out;
}

/** `file` zstd-compressed at `level`, cached under build/sfx by its digest. */
async function compressed(
  file: string,
  level: number,
): Promise<{ zst: Uint8Array; size: number; digest: string }> {
  const bytes = await Deno.readFile(file);
  const digest = await sha256Hex(bytes);
  const path = `build/sfx/${digest.slice(0, 24)}-${level}.zst`;
  if (!exists(path)) {
    await run("zstd", ["-q", `-${level}`, "-T0", "-f", file, "-o", `${path}.tmp`]);
    await Deno.rename(`${path}.tmp`, path);
  }
  return { zst: await Deno.readFile(path), size: bytes.length, digest };
}

/** The ELF interpreter an x86-64 executable names (PT_INTERP). */
function elfInterpreter(elf: Uint8Array): string {
  const view = new DataView(elf.buffer, elf.byteOffset, elf.byteLength);
  const isElf64 = elf[0] === 0x7f && elf[1] === 0x45 && elf[2] === 0x4c && elf[3] === 0x46 &&
    elf[4] === 2 && elf[5] === 1;
  if (!isElf64) throw new Error("Cannot build: the Deno runtime is not a 64-bit little-endian ELF");
  const phoff = Number(view.getBigUint64(0x20, true));
  const phentsize = view.getUint16(0x36, true);
  const phnum = view.getUint16(0x38, true);
  for (let i = 0; i < phnum; i++) {
    const ph = phoff + i * phentsize;
    if (view.getUint32(ph, true) !== 3) continue; // PT_INTERP
    const off = Number(view.getBigUint64(ph + 8, true));
    const size = Number(view.getBigUint64(ph + 32, true));
    return new TextDecoder().decode(elf.subarray(off, off + size)).replace(/\0+$/, "");
  }
  throw new Error("Cannot build: the Deno runtime names no ELF interpreter (PT_INTERP)");
}

/**
 * The shared libraries in `ldd` output, as [soname, path] pairs: the
 * `name => /path (address)` lines (the vDSO has no file; the interpreter
 * line has no `=>`).
 */
function lddLibraries(text: string): [string, string][] {
  const libs: [string, string][] = [];
  for (const line of text.split("\n")) {
    const m = /^\s*(\S+) => (\/\S+) \(0x[0-9a-f]+\)$/.exec(line);
    if (m) libs.push([m[1]!, m[2]!]);
    else if (/=>/.test(line)) throw new Error(`Cannot build: ldd cannot resolve: ${line.trim()}`);
  }
  return libs;
}

interface Carried {
  name: string;
  zst: Uint8Array;
  size: number;
  digest: string;
}

/** The runtime's interpreter (first) and libraries, each zstd-compressed. */
async function carriedLibraries(runtime: string): Promise<Carried[]> {
  const interp = elfInterpreter(await Deno.readFile(runtime));
  const out = await new Deno.Command("ldd", { args: [runtime], stdout: "piped" }).output();
  if (!out.success) throw new Error(`Cannot build: ldd ${runtime} exited with ${out.code}`);
  const files: [string, string][] = [
    [interp.split("/").pop()!, interp],
    ...lddLibraries(new TextDecoder().decode(out.stdout)),
  ];
  if (files.length > MAX_LIBS) {
    throw new Error(
      `Cannot build: the runtime links ${files.length} libraries (at most ${MAX_LIBS})`,
    );
  }
  const carried: Carried[] = [];
  for (const [name, path] of files) {
    if (new TextEncoder().encode(name).length >= 48) {
      throw new Error(`Cannot build: library name too long: ${name}`);
    }
    carried.push({ name, ...await compressed(await Deno.realPath(path), 19) });
  }
  return carried;
}

function libraryIndex(libs: Carried[], firstOffset: number): Uint8Array {
  const buf = new Uint8Array(libs.length * LIB_ENTRY_BYTES);
  const view = new DataView(buf.buffer);
  let offset = firstOffset;
  libs.forEach((lib, i) => {
    const at = i * LIB_ENTRY_BYTES;
    buf.set(new TextEncoder().encode(lib.name), at);
    view.setBigUint64(at + 48, BigInt(offset), true);
    view.setBigUint64(at + 56, BigInt(lib.zst.length), true);
    view.setBigUint64(at + 64, BigInt(lib.size), true);
    offset += lib.zst.length;
  });
  return buf;
}

/**
 * A static `import ... from "node:..."` anywhere in the program makes Deno
 * load its Node compatibility layer at every start (about 40 ms natively):
 * such imports must be dynamic (`await import("node:readline")`) where the
 * module is really needed, or use Deno's own APIs.
 */
function refuseStaticNodeImports(code: string, bundle: string) {
  // Minified, a statement may start after a ";" or "}" on the same line.
  const found = code.match(/(?:^|[;}])\s*import\b[^;()]*?from\s*"node:[^"]+"/m);
  if (found) {
    throw new Error(
      `Cannot build: ${bundle} has a static ${JSON.stringify(found[0])}, which slows every ` +
        "start: use Deno's API or a dynamic import() where it is needed",
    );
  }
}

/**
 * The launcher runs the program as the body of an async function (see
 * tools/sfx/launcher.c), which cannot hold `import`, `export` or
 * `import.meta`; a dynamic `import()` works there.
 */
function refuseModuleSyntax(code: string, bundle: string) {
  const found = code.match(
    /(?:^|[;}])\s*(?:import|export)\b(?=\s*[{*"'\w])[^\n]{0,60}|\bimport\.meta\b/m,
  );
  if (found) {
    throw new Error(
      `Cannot build: ${bundle} has ${JSON.stringify(found[0])}, which the launcher cannot run ` +
        "(it runs the program as a function body)",
    );
  }
}

/** Every TypeScript file under src/ but tests, as `refuseMutableExports` reads them. */
function* sourceFiles(dir: string): Generator<string> {
  for (const e of Deno.readDirSync(dir)) {
    const path = `${dir}/${e.name}`;
    if (e.isDirectory) yield* sourceFiles(path);
    else if (e.name.endsWith(".ts") && !e.name.endsWith("_test.ts")) yield path;
  }
}

/**
 * Bundles `entry` with code splitting into build/NAME/bundle/ and gives the
 * program (the loader and the entry as a function body) and the chunks
 * file (tools/chunks.ts).
 */
async function bundleProgram(
  name: string,
  entry: string,
): Promise<{ program: Uint8Array; chunks: Uint8Array; count: number }> {
  for (const file of sourceFiles("src")) refuseMutableExports(Deno.readTextFileSync(file), file);
  const dir = `build/${name}/bundle`;
  await Deno.remove(dir, { recursive: true }).catch(() => {});
  await run(Deno.execPath(), [
    "bundle",
    "--quiet",
    // "browser" resolves npm packages to their ESM builds (yaml's browser
    // build), so the bundle imports no node: module at load and Deno does not
    // start its Node compatibility layer: that alone cost about 40 ms of
    // memtierd's 80 ms start on the host. Deno's globals are unaffected, and
    // a dynamic import("node:...") still works at run time.
    "--platform",
    "browser",
    // Minified, the program's source that V8 keeps (802 -> 371 KB) and the
    // names it interns are smaller: 1.6-1.9 MB less PSS per daemon, ten side by
    // side (tests/bench/README.md, issue 18). Not --keep-names: its __name()
    // call per function gave that back. Error messages are unchanged; only a
    // -debug stack trace shows minified names: MEMTIERD_MINIFY=0 builds
    // without (README.md, "Memory per daemon").
    ...(Deno.env.get("MEMTIERD_MINIFY") === "0" ? [] : ["--minify"]),
    // What the program imports with import() goes in chunks of their own,
    // compiled only when imported (tools/chunks.ts).
    "--code-splitting",
    "--outdir",
    dir,
    entry,
  ]);
  const entryFile = entry.split("/").pop()!.replace(/\.ts$/, ".js");
  const bodies = new Map<string, string>();
  let main = "";
  for (const e of [...Deno.readDirSync(dir)].sort((a, b) => a.name < b.name ? -1 : 1)) {
    if (!e.isFile || !e.name.endsWith(".js")) continue;
    const path = `${dir}/${e.name}`;
    const code = Deno.readTextFileSync(path);
    refuseStaticNodeImports(code, path);
    const body = chunkBody(code, e.name, e.name === entryFile);
    refuseModuleSyntax(body, path);
    if (e.name === entryFile) main = body;
    else bodies.set(e.name, body);
  }
  if (main === "") throw new Error(`Cannot build: no ${entryFile} in ${dir}`);
  const chunks = chunkFile(bodies);
  const program = new TextEncoder().encode(loaderPrelude(chunks.index) + main);
  await Deno.writeFile(`build/${name}/${name}.js`, program);
  await Deno.writeFile(`build/${name}/${name}.chunks`, chunks.bytes);
  return { program, chunks: chunks.bytes, count: bodies.size };
}

async function buildSelfExtracting(name: string, entry: string, output: string) {
  const { program, chunks, count } = await bundleProgram(name, entry);
  const launcher = await Deno.readFile(await buildLauncher());
  const runtime = await compressed(Deno.execPath(), 9);
  const libs = await carriedLibraries(Deno.execPath());
  // The runtime and its libraries are extracted together, named after all of them.
  const runtimeId = (await sha256Hex(
    new TextEncoder().encode(
      [runtime.digest, ...libs.map((l) => `${l.name} ${l.digest}`)].join("\n"),
    ),
  )).slice(0, 24);
  const runtimeOffset = launcher.length;
  const libsData = runtimeOffset + runtime.zst.length;
  const index = libraryIndex(libs, libsData);
  const libsOffset = libsData + libs.reduce((n, l) => n + l.zst.length, 0);
  const programOffset = libsOffset + index.length;
  const chunksOffset = programOffset + program.length;
  const tail = trailer({
    runtimeOffset,
    runtimeZsize: runtime.zst.length,
    runtimeSize: runtime.size,
    libsOffset,
    libsCount: libs.length,
    programOffset,
    programSize: program.length,
    chunksOffset,
    chunksSize: chunks.length,
    runtimeId,
    // The program reads the chunks by offset: one identity for both.
    programId: (await sha256Hex(new Uint8Array([...program, ...chunks]))).slice(0, 24),
    programName: name,
  });
  const tmp = `${output}.tmp`;
  const file = await Deno.open(tmp, { write: true, create: true, truncate: true, mode: 0o755 });
  const parts = [launcher, runtime.zst, ...libs.map((l) => l.zst), index, program, chunks, tail];
  for (const part of parts) {
    let off = 0;
    while (off < part.length) off += await file.write(part.subarray(off));
  }
  file.close();
  await Deno.chmod(tmp, 0o755);
  await Deno.rename(tmp, output);
  const mb = (Deno.statSync(output).size / 2 ** 20).toFixed(1);
  console.log(
    `${output}: route self-extracting file (no denort: set DENORT_BIN to use deno compile); ` +
      `launcher + zstd Deno ${Deno.version.deno} runtime + its loader and ${
        libs.length - 1
      } libraries (${libs.map((l) => l.name).join(", ")}) + ${
        (program.length / 1024).toFixed(0)
      } KiB program + ${count} chunks of ${(chunks.length / 1024).toFixed(0)} KiB, ${mb} MiB`,
  );
}

async function main() {
  const [name, entry, output] = Deno.args;
  if (!name || !entry || !output) {
    console.error("usage: deno run -A tools/build.ts NAME ENTRY OUTPUT");
    Deno.exit(2);
  }
  await Deno.mkdir(output.split("/").slice(0, -1).join("/") || ".", { recursive: true });
  const generated = await writeEntry(name, entry);
  const denortEnv = Deno.env.get("DENORT_BIN");
  if (denortEnv) {
    if (!exists(denortEnv)) {
      console.error(`Cannot build: DENORT_BIN=${denortEnv} does not exist`);
      Deno.exit(1);
    }
    await buildCompiled(generated, output, denortEnv);
  } else if (cachedDenort()) {
    await buildCompiled(generated, output);
  } else {
    await buildSelfExtracting(name, generated, output);
  }
}

try {
  await main();
} catch (e) {
  console.error(e instanceof Error ? e.message : String(e));
  Deno.exit(1);
}
