/**
 * The program's modules that a run may not need (every policy, tracker,
 * pidwatcher and routine, the prompt's commands, one-shot, metrics: all
 * imported with `import()` where they are used) as chunks that are read
 * and compiled only when imported, inside the single-file build.
 *
 * `deno bundle --code-splitting` gives an entry file and chunks, all ES
 * modules importing each other (`import{a as b}from"./chunk-X.js"`,
 * `import("./age-Y.js")`, `export{c as d}`). The launcher runs the
 * program as the body of an async function (tools/sfx/launcher.c), which
 * cannot hold `import` or `export`, and carries one program file. So each
 * chunk becomes a function body:
 *
 *   import{a as b,c}from"./X.js";  →  const{a:b,c:c}=await __memtierdChunk("X.js");
 *   import"./X.js";                →  await __memtierdChunk("X.js");
 *   import("./X.js")               →  __memtierdChunk("X.js")
 *   export{c as d,e};              →  return{d:c,e:e};
 *
 * and the chunks are concatenated into one `.chunks` file the launcher
 * extracts beside the program; the entry gets a loader (`loaderPrelude`)
 * that reads a chunk's bytes from there (offsets from the build), compiles
 * it with `new AsyncFunction`, runs it once and caches its exports. V8
 * thus neither compiles nor keeps the source of a chunk no import asked
 * for (issue 18: memory per daemon).
 *
 * An import binds the value the exporting chunk had when it finished
 * running (ES modules bind live): right as long as no module reassigns an
 * exported binding later, which `refuseMutableExports` checks of our
 * sources (yaml and valibot, the bundled packages, export no `let` either).
 * Chunks import each other without cycles (esbuild puts code shared by
 * several dynamic imports in a chunk they all import), so a chunk's
 * imports are complete before it runs, in the order ES modules would run.
 *
 * @module
 */

/** The global the loader is reached through (by chunks and the entry). */
export const LOADER = "__memtierdChunk";

const IMPORT = /^\s*import\s*(?:\{([^}]*)\}\s*from\s*)?"\.\/([^"]+\.js)"\s*;?/;
const EXPORT = /(?:^|[;}\n])\s*export\s*\{([^}]*)\}\s*;?\s*$/;
const DYNAMIC = /\bimport\(\s*"\.\/([^"]+\.js)"\s*\)/g;

/** `a as b, c` → `a:b,c:c`, the destructuring (or object) of an import (export) list. */
function bindings(list: string, flip: boolean): string {
  return list.split(",").map((s) => s.trim()).filter((s) => s !== "").map((s) => {
    const m = /^([\w$]+)(?:\s+as\s+([\w$]+))?$/.exec(s);
    if (!m) throw new Error(`Cannot build: cannot read the chunk binding ${JSON.stringify(s)}`);
    const [from, to] = [m[1]!, m[2] ?? m[1]!];
    return flip ? `${to}:${from}` : `${from}:${to}`;
  }).join(",");
}

/**
 * One ES module of the bundle as an async function body. `entry`: the
 * program's entry (it exports nothing; its own dynamic imports go through
 * the loader too).
 */
export function chunkBody(code: string, name: string, entry = false): string {
  let rest = code.replace(/^#![^\n]*\n/, "");
  const head: string[] = [];
  for (;;) {
    const skipped = /^(?:\s*\/\/[^\n]*\n)*/.exec(rest)![0];
    const m = IMPORT.exec(rest.slice(skipped.length));
    if (!m) break;
    const [all, list, from] = m;
    head.push(
      list === undefined
        ? `await ${LOADER}(${JSON.stringify(from)});`
        : `const{${bindings(list, false)}}=await ${LOADER}(${JSON.stringify(from)});`,
    );
    rest = rest.slice(skipped.length + all.length);
  }
  let tail = "";
  const exp = EXPORT.exec(rest);
  if (exp) {
    if (entry) throw new Error(`Cannot build: the entry ${name} exports ${exp[0].trim()}`);
    rest = rest.slice(0, exp.index + exp[0].indexOf("export"));
    tail = `\nreturn{${bindings(exp[1]!, true)}};`;
  }
  rest = rest.replace(DYNAMIC, (_, from: string) => `${LOADER}(${JSON.stringify(from)})`);
  return `${head.join("")}${rest}${tail}`;
}

/**
 * Source text in which an exported binding could change after its module
 * ran (`export let`, `export var`): refused, as the chunks bind values.
 */
export function refuseMutableExports(text: string, file: string): void {
  const found = /^\s*export\s+(?:let|var)\b[^\n]*/m.exec(text);
  if (found) {
    throw new Error(
      `Cannot build: ${file} has ${JSON.stringify(found[0].trim())}: a chunk would import the ` +
        "value it had when its module ran (tools/chunks.ts); export a const or a function",
    );
  }
}

/** The chunks' text, one after the other, and where each is. */
export interface ChunkFile {
  bytes: Uint8Array;
  /** Chunk name → [byte offset, byte length]. */
  index: Record<string, [number, number]>;
}

/** Concatenates the chunk bodies (UTF-8) into one file's bytes. */
export function chunkFile(bodies: ReadonlyMap<string, string>): ChunkFile {
  const enc = new TextEncoder();
  const parts = [...bodies].map(([name, body]) => [name, enc.encode(body)] as const);
  const bytes = new Uint8Array(parts.reduce((n, [, b]) => n + b.length, 0));
  const index: Record<string, [number, number]> = {};
  let at = 0;
  for (const [name, b] of parts) {
    bytes.set(b, at);
    index[name] = [at, b.length];
    at += b.length;
  }
  return { bytes, index };
}

/**
 * The loader, put before the entry's body: reads chunk `name` from the
 * `.chunks` file beside the program (`<name>-<id>.chunks`: the launcher
 * runs `<name>-<id>.js` or, on a first start, `<name>-<id>.mjs`), once.
 * A chunk it cannot read is an Error naming the file, as a missing module
 * would be.
 */
export function loaderPrelude(
  index: ChunkFile["index"],
  /** An expression for the chunks file's URL (tests name their own). */
  file = 'new URL(Deno.mainModule.replace(/\\.m?js$/,".chunks"))',
): string {
  return `const ${LOADER}=(()=>{` +
    `const index=${JSON.stringify(index)},done=new Map(),` +
    `AsyncFunction=(async()=>{}).constructor,` +
    `file=${file};` +
    `const read=(name)=>{const at=index[name];` +
    `if(!at)throw new Error("Cannot load chunk "+name+": the program has no such chunk");` +
    `const f=Deno.openSync(file);try{f.seekSync(at[0],Deno.SeekMode.Start);` +
    `const b=new Uint8Array(at[1]);for(let n=0;n<b.length;){const r=f.readSync(b.subarray(n));` +
    `if(r===null)throw new Error("Cannot load chunk "+name+": "+file.pathname+" is too short");n+=r}` +
    `return new TextDecoder().decode(b)}finally{f.close()}};` +
    `const load=(name)=>{let p=done.get(name);` +
    `if(!p){p=Promise.resolve().then(()=>new AsyncFunction("${LOADER}",` +
    `'"use strict";'+read(name))(load));done.set(name,p)}return p};` +
    `return load})();\n`;
}
