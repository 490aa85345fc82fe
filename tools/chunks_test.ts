import { assertEquals, assertThrows } from "../src/testing/assert.ts";
import { chunkBody, chunkFile, loaderPrelude, refuseMutableExports } from "./chunks.ts";

Deno.test("chunkBody: a minified chunk's imports become loader calls and its export list a return", () => {
  const code = `import{a as b,c}from"./chunk-X.js";import"./chunk-Y.js";` +
    `var d=b+c,e=()=>import("./age-Z.js");export{d as default,e};\n`;
  assertEquals(
    chunkBody(code, "m.js"),
    `const{a:b,c:c}=await __memtierdChunk("chunk-X.js");await __memtierdChunk("chunk-Y.js");` +
      `var d=b+c,e=()=>__memtierdChunk("age-Z.js");\nreturn{default:d,e:e};`,
  );
});

Deno.test("chunkBody: an unminified chunk (imports on several lines, comments) reads the same", () => {
  const code = `import {\n  a,\n  b as c\n} from "./chunk-X.js";\n\n// src/x.ts\nvar d = a + c;\n` +
    `export {\n  d\n};\n`;
  assertEquals(
    chunkBody(code, "m.js"),
    `const{a:a,b:c}=await __memtierdChunk("chunk-X.js");\n\n// src/x.ts\nvar d = a + c;\n` +
      `\nreturn{d:d};`,
  );
});

Deno.test("chunkBody: a node: module and a string that mentions import stay as they are", () => {
  const code = `var r=()=>import("node:readline"),s='import{a}from"./x.js"';`;
  assertEquals(chunkBody(code, "m.js"), code);
});

Deno.test("chunkBody: an entry that exports is refused", () => {
  assertThrows(() => chunkBody("var a=1;export{a};", "entry.js", true), Error, "entry.js exports");
});

Deno.test("refuseMutableExports: an exported let or var is refused, a const or function is not", () => {
  assertThrows(() => refuseMutableExports("export let n = 0;\n", "a.ts"), Error, "export let n");
  assertThrows(() => refuseMutableExports("  export var n;\n", "a.ts"), Error, "a.ts");
  refuseMutableExports("export const n = 0;\nexport function f() {}\nlet m = 1;\n", "a.ts");
});

Deno.test("the loader runs a chunk once, after its imports, and never reads one no import asks for", async () => {
  const bodies = new Map([
    ["a.js", chunkBody("globalThis.runs.push('a');var x=20;export{x};", "a.js")],
    [
      "b.js",
      chunkBody(`import{x}from"./a.js";globalThis.runs.push('b');var y=x+1;export{y};`, "b.js"),
    ],
    ["c.js", chunkBody(`import{x as z}from"./a.js";var w=z*2;export{w};`, "c.js")],
    ["never.js", "this is not JavaScript {"],
  ]);
  const { bytes, index } = chunkFile(bodies);
  const dir = Deno.makeTempDirSync();
  try {
    Deno.writeFileSync(`${dir}/p.chunks`, bytes);
    const main = chunkBody(
      `var[{y},{w}]=await Promise.all([import("./b.js"),import("./c.js")]);return y+w;`,
      "entry.js",
      true,
    );
    const url = JSON.stringify(new URL(`file://${dir}/p.chunks`).href);
    const AsyncFunction = (async () => {}).constructor as new (body: string) => () => unknown;
    const g = globalThis as { runs?: string[] };
    g.runs = [];
    const result = await new AsyncFunction(`${loaderPrelude(index, `new URL(${url})`)}${main}`)();
    assertEquals(result, 61);
    assertEquals(g.runs, ["a", "b"]);
    delete g.runs;
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("the loader: a chunk the program does not have is an error naming it", async () => {
  const AsyncFunction = (async () => {}).constructor as new (body: string) => () => unknown;
  const run = new AsyncFunction(
    `${loaderPrelude({}, `new URL("file:///nonexistent.chunks")`)}return __memtierdChunk("x.js");`,
  );
  let message = "";
  try {
    await run();
  } catch (e) {
    message = (e as Error).message;
  }
  assertEquals(message, "Cannot load chunk x.js: the program has no such chunk");
});
