import { assertEquals, assertThrows } from "../testing/assert.ts";
import { PromptSyntaxError, tokenize } from "./tokenize.ts";

Deno.test("tokenize() splits words on white space", () => {
  assertEquals(tokenize("  pages  -pid\t42 \n").args, ["pages", "-pid", "42"]);
  assertEquals(tokenize("").args, []);
});

Deno.test("tokenize() keeps quoted text whole, the other quote literal inside", () => {
  assertEquals(tokenize(`log -i "it's here" 'say "hi"'`).args, [
    "log",
    "-i",
    "it's here",
    'say "hi"',
  ]);
  assertEquals(tokenize(`a"b c"d`).args, ["ab cd"]);
});

Deno.test("tokenize() lets a backslash escape anything, also inside quotes", () => {
  assertEquals(tokenize(String.raw`a\ b "c\"d" \\`).args, ["a b", 'c"d', "\\"]);
});

Deno.test("tokenize() keeps an empty quoted word (an empty command is a nop)", () => {
  assertEquals(tokenize(`'' x`).args, ["", "x"]);
});

Deno.test("tokenize() splits at the first bare | and keeps the shell command as written", () => {
  assertEquals(tokenize("stats | grep moved | wc -l"), {
    args: ["stats"],
    pipe: " grep moved | wc -l",
  });
});

Deno.test("tokenize() does not take a quoted or escaped | for a pipe", () => {
  assertEquals(tokenize(`log -i "a | b"`), { args: ["log", "-i", "a | b"] });
  assertEquals(tokenize(String.raw`log -i a\|b`), { args: ["log", "-i", "a|b"] });
});

Deno.test("tokenize() reports an unterminated quote and a trailing backslash", () => {
  assertThrows(() => tokenize(`log -i "abc`), PromptSyntaxError, `unterminated quoted (") string`);
  assertThrows(() => tokenize(`log -i 'abc`), PromptSyntaxError, `unterminated quoted (') string`);
  assertThrows(() => tokenize(`abc\\`), PromptSyntaxError, "missing escaped character");
});
